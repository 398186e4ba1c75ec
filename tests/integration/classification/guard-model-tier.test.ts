import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comments } from '../../../db/schema/index.js';
import { buildExternalTiers } from '../../../services/classification/external-tiers.js';
import { SchoolClassifierCache } from '../../../services/classification/school-classifier-cache.js';
import { systemContext } from '../../../services/core/service-context.js';
import { processComment } from '../../../services/ingestion/process-comment.js';
import { createProcessingSteps } from '../../../workers/processing-steps.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { type GuardModelServer, startGuardModelServer } from '../../helpers/guard-model-server.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let api: TestApp;
let guard: GuardModelServer;
/** A second model the installation might be pointed at later. */
let elsewhere: GuardModelServer;

beforeAll(async () => {
  t = await createTestDatabase();
  [guard, elsewhere] = await Promise.all([startGuardModelServer(), startGuardModelServer()]);
  api = await buildTestApp(t.db, {
    config: testConfig({ GUARD_MODEL_URL: guard.url, GUARD_MODEL_ALLOW_PRIVATE_NETWORK: 'true' }),
  });
});
afterAll(async () => {
  await api.close();
  await clearRedisPrefix(api.config.redisPrefix);
  await Promise.all([guard.close(), elsewhere.close()]);
  await t.drop();
});

const DISCLOSURE = 'we all know who the weak ones in that class are, they will get what is coming';

/** A worker's processing with the installation's configured tiers (as worker-runtime builds them). */
async function ingest(s: { school: { id: string }; account: { id: string } }, guardUrl = guard.url) {
  const config = testConfig({
    GUARD_MODEL_URL: guardUrl,
    GUARD_MODEL_ALLOW_PRIVATE_NETWORK: 'true',
    GUARD_MODEL_TIMEOUT_MS: '300',
  });
  const comment = await createComment(t.db, {
    schoolId: s.school.id,
    accountId: s.account.id,
    text: DISCLOSURE,
  });
  await processComment(systemContext(t.db, 'test processing'), { commentId: comment.id }, [
    ...createProcessingSteps({
      classifiers: new SchoolClassifierCache(config.encryptionKey),
      externalTiers: buildExternalTiers(config.externalClassification),
    }),
  ]);
  const [row] = await t.db.select().from(comments).where(eq(comments.id, comment.id));
  return row!;
}

async function postForm(session: SignedIn, url: string, fields: Record<string, string>) {
  const body = new URLSearchParams({ _csrf: session.csrfToken, ...fields });
  return api.app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}

describe('the self-hosted guard model tier, as a trust runs it', () => {
  it('sends nothing until a trust admin turns it on, showing where the text goes; then flags with it', async () => {
    const school = await createSchool(t.db);
    const account = await createAccount(t.db, { schoolId: school.id });
    const [admin, comms] = await Promise.all([
      createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: 'trust_admin' }] }),
      createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: 'comms' }] }),
    ]);
    const adminSession = await signIn(t.db, admin.id);
    const commsSession = await signIn(t.db, comms.id);
    const s = { school, account };
    guard.behave({ kind: 'answer', content: 'unsafe\nS1,S10' });
    const host = new URL(guard.url).host;

    // Configured but off: not one request.
    const before = guard.requests.length;
    const off = await ingest(s);
    expect(guard.requests.length).toBe(before);
    expect(off.labels.some((l) => l.source.startsWith('guard:'))).toBe(false);
    expect(off.externalTiers).toEqual([]);

    // The trust admin sees where the text would go before turning it on.
    const page = await api.app.inject({
      url: `/schools/${school.id}/settings`,
      headers: { cookie: adminSession.headers.cookie },
    });
    expect(page.body).toContain('Self-hosted guard model');
    expect(page.body).toContain(`Turning it on sends comment text to ${host}`);

    // Comms may not decide it.
    const refused = await api.app.inject({
      method: 'PUT',
      url: '/api/trust/external-classification',
      headers: commsSession.headers,
      payload: { tier: 'guard', on: true },
    });
    expect(refused.statusCode).toBe(403);

    const turnedOn = await postForm(adminSession, `/schools/${school.id}/settings/external-classification`, {
      tier: 'guard',
      on: 'true',
    });
    expect(turnedOn.statusCode).toBe(303);
    const entry = await expectAuditEntry(t.db, {
      action: 'trust.external_classification_changed',
      actorId: admin.id,
    });
    expect(entry.details).toMatchObject({ tier: 'guard', on: true, host });

    // On: the comment goes to the model, and what it says is stored as its own.
    const on = await ingest(s);
    expect(guard.requests.length).toBe(before + 1);
    expect(guard.requests.at(-1)!.body.messages).toEqual([{ role: 'user', content: DISCLOSURE }]);
    expect(on.classifiedLocally).toBe(false);
    expect(on.labels).toContainEqual(
      expect.objectContaining({ category: 'offensive', subcategory: 'hate', source: 'guard:llama-guard3' }),
    );
    expect(on.categories).toContain('offensive');

    // The comment page says which tier said it.
    const commentPage = await api.app.inject({
      url: `/comments/${on.id}`,
      headers: { cookie: commsSession.headers.cookie },
    });
    expect(commentPage.body).toMatch(
      /said by <span class="label-tier label-tier-guard">Guard model<\/span> <code>llama-guard3<\/code>/,
    );

    expect(commentPage.body).toContain('Also asked: Guard model llama-guard3 answered.');

    // A slow model: the local result stands, and the page says the model did not answer.
    guard.behave({ kind: 'answer', content: 'unsafe\nS1', delayMs: 1_500 });
    const slow = await ingest(s);
    expect(slow.classifiedLocally).toBe(true);
    expect(slow.externalTiers).toEqual([{ tier: 'guard', model: 'llama-guard3', outcome: 'timeout' }]);
    expect(slow.labels.some((l) => l.source.startsWith('guard:'))).toBe(false);
    const slowPage = await api.app.inject({
      url: `/comments/${slow.id}`,
      headers: { cookie: commsSession.headers.cookie },
    });
    expect(slowPage.body).toContain('Guard model llama-guard3 did not answer in time');
    guard.behave({ kind: 'answer', content: 'unsafe\nS1,S10' });
    const asked = guard.requests.length;

    // Pointed at another host, the installation sends nothing until the trust agrees to that host.
    const moved = await ingest(s, elsewhere.url);
    expect(elsewhere.requests).toHaveLength(0);
    expect(moved.labels.some((l) => l.source.startsWith('guard:'))).toBe(false);

    // Off again: nothing more is sent.
    const turnedOff = await api.app.inject({
      method: 'PUT',
      url: '/api/trust/external-classification',
      headers: adminSession.headers,
      payload: { tier: 'guard', on: false },
    });
    expect(turnedOff.statusCode).toBe(200);
    expect(turnedOff.json().tiers.find((x: { tier: string }) => x.tier === 'guard')).toMatchObject({
      on: false,
      host,
    });
    const afterOff = await ingest(s);
    expect(guard.requests.length).toBe(asked);
    expect(afterOff.externalTiers).toEqual([]);
  });

  it('refuses to turn on a tier the installation has not configured, saying which variable', async () => {
    const school = await createSchool(t.db);
    const admin = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'trust_admin' }],
    });
    const res = await api.app.inject({
      method: 'PUT',
      url: '/api/trust/external-classification',
      headers: (await signIn(t.db, admin.id)).headers,
      payload: { tier: 'moderation', on: true },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toContain('MODERATION_URL');
  });
});

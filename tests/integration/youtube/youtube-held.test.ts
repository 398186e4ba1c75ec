import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { comments, moderationActions } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { sealCredentials } from '../../../services/accounts/account-credentials.js';
import { systemContext } from '../../../services/core/service-context.js';
import { pollAccount } from '../../../services/ingestion/poll-account.js';
import { executeAction } from '../../../services/moderation/execute-action.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { youtubeTestEnv } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

// A comment YouTube holds for review, end to end: polled from the held list over a socket, shown
// as held in the inbox and on its page, published or rejected by the account's admins through the
// comment page's forms and the real action job, and released when YouTube itself publishes it.

let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  api = await buildTestApp(t.db, { configOverrides: youtubeTestEnv(sandbox.url) });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});
afterEach(() => {
  sandbox.faults.reset();
  sandbox.youtube.faults.reset();
  sandbox.youtube.state.quota.resetDay();
});

const HELD = 'Held for review by YouTube';
const y = () => sandbox.youtube.state;
const deps = () => ({
  encryptionKey: api.config.encryptionKey,
  adapterFor: createAdapterFactory(api.config),
});
const poll = (accountId: string) =>
  pollAccount(systemContext(t.db, 'test poller'), { accountId }, { ...deps(), onInserted: async () => {} });
const runAction = (actionId: string) =>
  executeAction(systemContext(t.db, 'test executor'), { actionId }, deps());

/** A school's channel with two account admins, one comment published and one held, polled in. */
async function scene() {
  n += 1;
  const school = await createSchool(t.db, { name: `Held School ${n}` });
  const roles = [{ schoolId: school.id, role: 'comms' as const }];
  const adminA = await createUser(t.db, { trustId: school.trustId, roles, displayName: 'Admin A' });
  const adminB = await createUser(t.db, { trustId: school.trustId, roles, displayName: 'Admin B' });
  const staff = await createUser(t.db, { trustId: school.trustId, roles, displayName: 'Comms C' });
  const channel = y().createChannel({ title: `Held ${n}`, handle: `@held${n}`, owner: `Head ${n}` });
  const video = y().createVideo({ channel: channel.id, title: 'Open day' });
  const { access, refresh } = y().issueTokens({ channel: channel.id });
  const account = await createAccount(t.db, {
    schoolId: school.id,
    platform: 'youtube',
    platformUserId: channel.id,
    handle: channel.handle.slice(1),
    credentialsEncrypted: sealCredentials(api.config.encryptionKey, {
      accessToken: access.token,
      refreshToken: refresh.token,
      expiresAt: new Date(access.expiresAt),
    }),
    adminIds: [adminA.id, adminB.id],
  });
  const shown = y().addComment({ on: video.id, from: 'Pat Parent', text: 'Lovely open day' });
  const held = y().addComment({
    on: video.id,
    from: `Link Poster ${n}`,
    text: 'cheap tickets at example.test',
    moderationStatus: 'heldForReview',
  });
  expect(await poll(account.id)).toMatchObject({ status: 'polled', inserted: 2 });
  return { school, adminA, adminB, staff, account, shown, held };
}

async function rowOf(accountId: string, externalId: string) {
  const rows = await t.db.select().from(comments).where(eq(comments.accountId, accountId));
  return rows.find((r) => r.externalId === externalId)!;
}
const actionsOf = (commentId: string) =>
  t.db.select().from(moderationActions).where(eq(moderationActions.commentId, commentId));
async function page(userId: string, url: string) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'GET', url, headers });
}
async function form(userId: string, url: string, fields: Record<string, string>) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({
    method: 'POST',
    url,
    headers: { cookie: headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: headers['x-csrf-token'], ...fields }).toString(),
  });
}
async function post(userId: string, url: string) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'POST', url, headers, payload: {} });
}
/** The one inbox row of a comment, as HTML. */
function inboxRow(html: string, commentId: string): string {
  const start = html.indexOf(`data-id="${commentId}"`);
  expect(start, 'the comment is in the inbox').toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</li>', start));
}

describe('a comment YouTube holds for review', () => {
  it('is stored held, shown held in the inbox and on its page, and released when YouTube publishes it', async () => {
    const s = await scene();
    const held = await rowOf(s.account.id, s.held.id);
    const shown = await rowOf(s.account.id, s.shown.id);
    expect(held.heldByPlatformAt).not.toBeNull();
    expect(shown.heldByPlatformAt).toBeNull();

    const inbox = await page(s.adminA.id, '/');
    expect(inbox.statusCode).toBe(200);
    expect(inboxRow(inbox.body, held.id)).toContain(HELD);
    expect(inboxRow(inbox.body, shown.id)).not.toContain(HELD);

    const detail = await page(s.adminA.id, `/comments/${held.id}`);
    expect(detail.body).toContain(HELD);
    expect(detail.body).toContain(
      'Nobody else sees it on YouTube until an account admin publishes or rejects it.',
    );
    expect(detail.body).toContain('>Publish</button>');
    expect(detail.body).toContain('Reject (needs a second admin)');

    // Still held: the poll reads it back (one comments.list unit) and leaves it held.
    const before = y().quota.snapshot(y().client.id).used;
    await poll(s.account.id);
    expect(y().quota.snapshot(y().client.id).used - before).toBe(3);
    expect((await rowOf(s.account.id, s.held.id)).heldByPlatformAt).not.toBeNull();

    // Someone publishes it in YouTube Studio: the next poll finds it published.
    y().setModerationStatus(s.held.id, 'published', false);
    await poll(s.account.id);
    expect((await rowOf(s.account.id, s.held.id)).heldByPlatformAt).toBeNull();
    await expectAuditEntry(t.db, { action: 'comment.held_released', subjectId: held.id });
    expect((await page(s.adminA.id, `/comments/${held.id}`)).body).not.toContain(HELD);

    // Nothing held any more: an idle poll is back to the two lists.
    const idle = y().quota.snapshot(y().client.id).used;
    await poll(s.account.id);
    expect(y().quota.snapshot(y().client.id).used - idle).toBe(2);
  });

  it('an account admin publishes it from its page: public on YouTube, still awaiting a reply here', async () => {
    const s = await scene();
    const held = await rowOf(s.account.id, s.held.id);
    const res = await form(s.adminA.id, `/comments/${held.id}/act`, {
      kind: 'unhide',
      reasonCategory: 'other',
      notice: 'no',
      reasonText: 'a real question from a parent',
    });
    expect(res.statusCode, res.body).toBe(303);
    const [action] = await actionsOf(held.id);
    expect(action).toMatchObject({ kind: 'unhide', status: 'queued' });
    expect(await runAction(action!.id)).toMatchObject({ status: 'succeeded' });

    expect(y().comments.get(s.held.id)?.moderationStatus).toBe('published');
    const after = await rowOf(s.account.id, s.held.id);
    expect(after.heldByPlatformAt).toBeNull();
    expect(after.status).toBe('open');
    const detail = await page(s.adminA.id, `/comments/${held.id}`);
    expect(detail.body).not.toContain(HELD);
    expect(detail.body).not.toContain('>Publish</button>');
  });

  it('an account admin rejects it from its page and the second admin confirms: rejected on YouTube, closed here', async () => {
    const s = await scene();
    const held = await rowOf(s.account.id, s.held.id);
    const res = await form(s.adminA.id, `/comments/${held.id}/act`, {
      kind: 'delete',
      reasonCategory: 'spam',
      notice: 'no',
      reasonText: 'advertising',
    });
    expect(res.statusCode, res.body).toBe(303);
    const [action] = await actionsOf(held.id);
    expect(action).toMatchObject({ kind: 'delete', status: 'proposed' });
    // Proposed, not yet done: still held, and nobody proposes it twice.
    const waiting = await page(s.adminA.id, `/comments/${held.id}`);
    expect(waiting.body).toContain(HELD);
    expect(waiting.body).not.toContain('Reject (needs a second admin)');
    expect(y().comments.get(s.held.id)?.moderationStatus).toBe('heldForReview');

    const confirmed = await post(s.adminB.id, `/api/actions/${action!.id}/confirm`);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(await runAction(action!.id)).toMatchObject({ status: 'succeeded' });

    expect(y().comments.get(s.held.id)?.moderationStatus).toBe('rejected');
    const after = await rowOf(s.account.id, s.held.id);
    expect(after.heldByPlatformAt).toBeNull();
    expect(after.status).toBe('closed');
  });

  it('staff who are not its admins see that it is held, and may not publish it', async () => {
    const s = await scene();
    const held = await rowOf(s.account.id, s.held.id);
    const detail = await page(s.staff.id, `/comments/${held.id}`);
    expect(detail.body).toContain(HELD);
    expect(detail.body).not.toContain('>Publish</button>');
    const res = await form(s.staff.id, `/comments/${held.id}/act`, {
      kind: 'unhide',
      reasonCategory: 'other',
      notice: 'no',
      reasonText: 'looks fine',
    });
    expect(res.statusCode).toBe(403);
    expect(y().comments.get(s.held.id)?.moderationStatus).toBe('heldForReview');
    expect((await rowOf(s.account.id, s.held.id)).heldByPlatformAt).not.toBeNull();
  });
});

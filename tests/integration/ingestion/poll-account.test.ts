import { and, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import {
  auditEntries,
  comments,
  coverageGaps,
  notifications,
  pollFailures,
  quarantinedItems,
  socialAccounts,
} from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { sealCredentials } from '../../../services/accounts/account-credentials.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import { SchoolClassifierCache } from '../../../services/classification/school-classifier-cache.js';
import { metrics } from '../../../services/core/metrics.js';
import { systemContext } from '../../../services/core/service-context.js';
import { type PollDeps, pollAccount } from '../../../services/ingestion/poll-account.js';
import { processComments } from '../../../services/ingestion/process-comment.js';
import type { PlatformAdapter } from '../../../services/platforms/adapter.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { createProcessingSteps } from '../../../workers/processing-steps.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createSchool, createUser } from '../../helpers/factories.js';
import { connectSandboxAccount } from '../../helpers/sandbox-account.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let schoolId: string;
let trustId: string;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ X_API_BASE_URL: sandbox.url });
  const school = await createSchool(t.db);
  schoolId = school.id;
  trustId = school.trustId;
});
afterAll(async () => {
  await sandbox.close();
  await t.drop();
});
afterEach(() => sandbox.faults.reset());

const ctx = () => systemContext(t.db, 'test poller');

function deps(overrides: Partial<PollDeps> = {}): PollDeps & { enqueued: string[] } {
  const enqueued: string[] = [];
  return {
    encryptionKey: config.encryptionKey,
    adapterFor: createAdapterFactory(config),
    onInserted: async (ids) => {
      enqueued.push(...ids);
    },
    maxPages: 10,
    ...overrides,
    enqueued,
  };
}

async function schoolAccount(extra: { adminIds?: string[] } = {}) {
  n += 1;
  return connectSandboxAccount(t.db, sandbox, config, { schoolId, username: `oakfield_${n}`, ...extra });
}

function mention(to: string, text: string) {
  return sandbox.state.injectComment({ from: `parent_${Math.floor(Math.random() * 1e6)}`, to, text });
}

async function storedFor(accountId: string) {
  return t.db.select().from(comments).where(eq(comments.accountId, accountId));
}

describe('polling an X account through the sandbox', () => {
  it('stores new mentions exactly once across repeated and overlapping polls, over three pages', async () => {
    const { account, user } = await schoolAccount();
    for (let i = 0; i < 250; i++) mention(user.username, `Question ${i} about the school trip`);
    const first = deps();
    const result = await pollAccount(ctx(), { accountId: account.id }, first);
    expect(result).toMatchObject({ status: 'polled', inserted: 250 });
    expect((result as { pages: number }).pages).toBeGreaterThanOrEqual(3);
    expect(first.enqueued).toHaveLength(250);
    // One audit entry for the round, saying how many comments and pages it stored.
    const ingested = await t.db
      .select({ details: auditEntries.details })
      .from(auditEntries)
      .where(
        and(eq(auditEntries.action, 'account.comments_ingested'), eq(auditEntries.subjectId, account.id)),
      );
    expect(ingested).toEqual([{ details: { count: 250, pages: (result as { pages: number }).pages } }]);

    for (let i = 0; i < 7; i++) mention(user.username, `Late question ${i}`);
    // A second poll while the first is still fetching (the platform is slow): the lease lets one
    // through, and the other skips rather than fetching the same pages again.
    sandbox.faults.set({ latencyMs: 400 });
    const inFlight = pollAccount(ctx(), { accountId: account.id }, deps());
    await new Promise((r) => setTimeout(r, 150));
    const second = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(second).toEqual({ status: 'skipped', reason: 'busy' });
    expect(await inFlight).toMatchObject({ status: 'polled', inserted: 7 });
    sandbox.faults.reset();
    await pollAccount(ctx(), { accountId: account.id }, deps());

    const stored = await storedFor(account.id);
    expect(stored).toHaveLength(257);
    expect(new Set(stored.map((c) => c.externalId)).size).toBe(257);
    expect(stored.every((c) => c.schoolId === schoolId && c.authorHandle.startsWith('parent_'))).toBe(true);
    await expectAuditEntry(t.db, { action: 'account.comments_ingested', subjectId: account.id });
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });

  it('stores text with NUL characters and lone surrogates, replaced, without failing the page', async () => {
    const { account, user } = await schoolAccount();
    mention(user.username, 'Before\u0000after');
    mention(user.username, 'Broken \uD800 emoji \uD83D\uDE00 intact');
    mention(user.username, 'An ordinary question');
    const result = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(result).toMatchObject({ status: 'polled', inserted: 3 });
    // The sandbox writes mentions as `@handle text`.
    const texts = (await storedFor(account.id)).map((c) => c.text.replace(`@${user.username} `, '')).sort();
    expect(texts).toEqual(
      ['An ordinary question', 'Before\uFFFDafter', 'Broken \uFFFD emoji \uD83D\uDE00 intact'].sort(),
    );
    // Polled again: nothing new, nothing doubled.
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({ inserted: 0 });
    expect(await storedFor(account.id)).toHaveLength(3);
  });

  it('re-fetches a page fetched but not committed when the poll crashes, losing and doubling nothing', async () => {
    const { account, user } = await schoolAccount();
    for (let i = 0; i < 230; i++) mention(user.username, `Comment ${i}`);
    const realFactory = createAdapterFactory(config);
    // The adapter fetches the second page, then the process dies before the page is stored.
    const crashing: PollDeps['adapterFor'] = (acc, creds, onRefreshed) => {
      const adapter = realFactory(acc, creds, onRefreshed);
      return {
        ...adapter,
        capabilities: adapter.capabilities,
        fetchPages: async function* (cursor, options) {
          let page = 0;
          for await (const p of adapter.fetchPages(cursor, options)) {
            page += 1;
            if (page === 2) throw new Error('worker killed between fetch and commit');
            yield p;
          }
        },
        close: () => adapter.close(),
      } as PlatformAdapter;
    };
    await expect(
      pollAccount(ctx(), { accountId: account.id }, deps({ adapterFor: crashing })),
    ).rejects.toThrow('worker killed');
    expect((await storedFor(account.id)).length).toBe(100);
    // The page that was committed is audited although the round failed.
    const ingested = await t.db
      .select({ details: auditEntries.details })
      .from(auditEntries)
      .where(
        and(eq(auditEntries.action, 'account.comments_ingested'), eq(auditEntries.subjectId, account.id)),
      );
    expect(ingested).toEqual([{ details: { count: 100, pages: 1 } }]);
    const [afterCrash] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    expect(afterCrash!.cursor).toMatchObject({ sinceId: null });

    await pollAccount(ctx(), { accountId: account.id }, deps());
    const stored = await storedFor(account.id);
    expect(stored).toHaveLength(230);
    expect(new Set(stored.map((c) => c.externalId)).size).toBe(230);
  });

  it('on 429 makes no request to the endpoint before the reset, then resumes', async () => {
    const { account, user } = await schoolAccount();
    mention(user.username, 'Is there a PTA meeting this week?');
    sandbox.faults.set({ rateLimitNext: { count: 1, endpoint: 'mentions', resetInSeconds: 2 } });
    const limited = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(limited.status).toBe('rate_limited');
    const until = (limited as { until: Date }).until;
    expect(until.getTime()).toBeGreaterThan(Date.now());

    const before = sandbox.state.log.filter((e) => e.endpoint === 'GET /2/users/:id/mentions').length;
    const again = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(again.status).toBe('rate_limited');
    expect(sandbox.state.log.filter((e) => e.endpoint === 'GET /2/users/:id/mentions').length).toBe(before);

    await new Promise((r) => setTimeout(r, until.getTime() - Date.now() + 50));
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      status: 'polled',
      inserted: 1,
    });
  });

  it('on 401 marks the account needs_reauth, stops, audits and tells its admins', async () => {
    const admin = await createUser(t.db, { trustId });
    const { account, accessToken } = await schoolAccount({ adminIds: [admin.id] });
    sandbox.state.expireToken(accessToken);
    // No refresh token stored, so the adapter cannot recover by itself.
    await t.db
      .update(socialAccounts)
      .set({ credentialsEncrypted: sealCredentials(config.encryptionKey, { accessToken }) })
      .where(eq(socialAccounts.id, account.id));

    const result = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(result).toMatchObject({ status: 'failed', kind: 'auth' });
    const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    expect(row!.credentialStatus).toBe('needs_reauth');
    await expectAuditEntry(t.db, { action: 'account.needs_reauth', subjectId: account.id });
    const notes = await t.db.execute<{ user_id: string; event: string }>(
      sql`select user_id, event from notifications where subject_id = ${account.id}`,
    );
    expect(notes.rows).toEqual([{ user_id: admin.id, event: 'account.needs_reauth' }]);
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toEqual({
      status: 'skipped',
      reason: 'needs_reauth',
    });
  });

  it('on 5xx fails transiently so the job retries, and the retry recovers', async () => {
    const { account, user } = await schoolAccount();
    mention(user.username, 'When is sports day?');
    sandbox.faults.set({ status5xx: { count: 1, endpoint: 'mentions', status: 503 } });
    await expect(pollAccount(ctx(), { accountId: account.id }, deps())).rejects.toMatchObject({
      kind: 'transient',
    });
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      status: 'polled',
      inserted: 1,
    });
  });

  it('records a malformed payload with its raw body and keeps the cursor', async () => {
    const { account, user } = await schoolAccount();
    mention(user.username, 'First');
    await pollAccount(ctx(), { accountId: account.id }, deps());
    const [before] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    mention(user.username, 'Second');
    sandbox.faults.set({ malformedJson: { count: 1, endpoint: 'mentions' } });
    const result = await pollAccount(ctx(), { accountId: account.id }, deps());
    expect(result).toMatchObject({ status: 'failed', kind: 'malformed' });
    const failures = await t.db.select().from(pollFailures).where(eq(pollFailures.accountId, account.id));
    expect(failures).toHaveLength(1);
    expect(failures[0]!.rawBody).toBeTruthy();
    const [after] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    expect(after!.cursor).toEqual(before!.cursor);
    await expectAuditEntry(t.db, {
      action: 'account.poll_failed',
      subjectId: account.id,
      details: { kind: 'malformed' },
    });
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      status: 'polled',
      inserted: 1,
    });
  });

  it('does not poll a suspended account', async () => {
    const { account, user } = await schoolAccount();
    await t.db.update(socialAccounts).set({ status: 'suspended' }).where(eq(socialAccounts.id, account.id));
    mention(user.username, 'Hello?');
    const calls = sandbox.state.log.length;
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toEqual({
      status: 'skipped',
      reason: 'not_active',
    });
    expect(sandbox.state.log.length).toBe(calls);
    expect(await storedFor(account.id)).toHaveLength(0);
  });

  it('quarantines one malformed mention on its own: the rest of the page, a disclosure among it, is stored and the cursor moves on', async () => {
    const admin = await createUser(t.db, { trustId, roles: [{ schoolId, role: 'comms' }] });
    const comms = await createUser(t.db, { trustId, roles: [{ schoolId, role: 'comms' }] });
    const dsl = await createUser(t.db, { trustId, roles: [{ schoolId, role: 'safeguarding_lead' }] });
    const { account, user } = await schoolAccount({ adminIds: [admin.id] });
    const quarantinedBefore = await quarantinedMetric();
    mention(user.username, 'What time is the nativity play?');
    // The payload schema allows 200 characters of display name; this author has 201, which failed
    // the whole page, and with it every later poll of the account.
    const bad = sandbox.state.injectComment({
      from: 'long_named_parent',
      fromName: 'N'.repeat(201),
      to: user.username,
      text: 'Is the school open on Friday? <img src=x onerror=alert(1)>',
    });
    mention(user.username, 'i want to kill myself, nobody at home listens');
    mention(user.username, 'Thank you for the lovely concert');

    const first = deps();
    expect(await pollAccount(ctx(), { accountId: account.id }, first)).toMatchObject({
      status: 'polled',
      inserted: 3,
      quarantined: 1,
    });
    const stored = await storedFor(account.id);
    expect(stored.map((c) => c.text.replace(`@${user.username} `, '')).sort()).toEqual(
      [
        'Thank you for the lovely concert',
        'What time is the nativity play?',
        'i want to kill myself, nobody at home listens',
      ].sort(),
    );
    // The disclosure reaches the safeguarding lead as usual.
    const steps = createProcessingSteps({ classifiers: new SchoolClassifierCache(config.encryptionKey) });
    await processComments(ctx(), { commentIds: first.enqueued }, steps);
    const dslNotes = await t.db.select().from(notifications).where(eq(notifications.userId, dsl.id));
    expect(dslNotes.map((n) => n.urgency)).toEqual(['urgent']);

    // The bad item is kept as X sent it, counted, audited, and its account's admins are told once.
    const kept = await t.db.select().from(quarantinedItems).where(eq(quarantinedItems.accountId, account.id));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ externalId: bad.id });
    expect(kept[0]!.reason).toMatch(/name/);
    expect(JSON.parse(kept[0]!.rawItem)).toMatchObject({
      tweet: {
        id: bad.id,
        text: `@${user.username} Is the school open on Friday? <img src=x onerror=alert(1)>`,
      },
      author: { username: 'long_named_parent', name: 'N'.repeat(201) },
    });
    expect((await quarantinedMetric()) - quarantinedBefore).toBe(1);
    await expectAuditEntry(t.db, {
      action: 'account.item_quarantined',
      subjectId: account.id,
      details: { count: 1 },
    });
    const adminNotes = async () =>
      (await t.db.select().from(notifications).where(eq(notifications.userId, admin.id))).map((n) => n.event);
    expect(await adminNotes()).toEqual(['account.item_quarantined']);
    const [polled] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    expect(polled!.lastPollError).toBeNull();

    // Listed for the account's admins, in the JSON API and on the account's page; refused to others.
    const api: TestApp = await buildTestApp(t.db);
    try {
      const asAdmin = await signIn(t.db, admin.id);
      const listed = await api.app.inject({
        url: `/api/accounts/${account.id}/quarantined-items`,
        headers: asAdmin.headers,
      });
      expect(listed.statusCode).toBe(200);
      expect(listed.json().items).toEqual([
        expect.objectContaining({ externalId: bad.id, rawItem: kept[0]!.rawItem }),
      ]);
      const page = await api.app.inject({ url: `/accounts/${account.id}`, headers: asAdmin.headers });
      expect(page.body).toContain('Comments that could not be read (1)');
      expect(page.body).toContain(`post ${bad.id}`);
      // Public text, shown inert.
      expect(page.body).toContain('Friday? &lt;img src=x onerror=alert(1)');
      expect(page.body).not.toContain('<img src=x');
      const asComms = await signIn(t.db, comms.id);
      const refused = await api.app.inject({
        url: `/api/accounts/${account.id}/quarantined-items`,
        headers: asComms.headers,
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().message).toMatch(/admins/);
      const commsPage = await api.app.inject({ url: `/accounts/${account.id}`, headers: asComms.headers });
      expect(commsPage.statusCode).toBe(200);
      expect(commsPage.body).not.toContain('Comments that could not be read');
    } finally {
      await api.close();
    }

    // The next poll does not stall on it, nor keep it twice; nor does a fetch from the top.
    mention(user.username, 'Is there parking at the fair?');
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      status: 'polled',
      inserted: 1,
      quarantined: 0,
    });
    await t.db.update(socialAccounts).set({ cursor: null }).where(eq(socialAccounts.id, account.id));
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      status: 'polled',
      inserted: 0,
      quarantined: 0,
    });
    expect(await storedFor(account.id)).toHaveLength(4);
    expect(
      await t.db.select().from(quarantinedItems).where(eq(quarantinedItems.accountId, account.id)),
    ).toHaveLength(1);
    expect((await quarantinedMetric()) - quarantinedBefore).toBe(1);
    expect(await adminNotes()).toEqual(['account.item_quarantined']);
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });

  it('moves on from a quarantined item that is the newest mention: no false coverage gap, no second copy', async () => {
    const { account, user } = await schoolAccount();
    mention(user.username, 'Good morning');
    const bad = sandbox.state.injectComment({
      from: 'another_long_name',
      fromName: 'M'.repeat(201),
      to: user.username,
      text: 'Newest, and unreadable',
    });
    expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
      inserted: 1,
      quarantined: 1,
    });
    const [after] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    expect(after!.cursor).toMatchObject({ sinceId: bad.id });
    // X answers since_id one below the stored newest id, so the bad item comes back on every poll.
    for (let i = 0; i < 2; i++) {
      expect(await pollAccount(ctx(), { accountId: account.id }, deps())).toMatchObject({
        status: 'polled',
        inserted: 0,
        quarantined: 0,
      });
    }
    expect(await t.db.select().from(coverageGaps).where(eq(coverageGaps.accountId, account.id))).toEqual([]);
    expect(
      await t.db.select().from(quarantinedItems).where(eq(quarantinedItems.accountId, account.id)),
    ).toHaveLength(1);
  });

  it("tells the account's admins once when polls keep failing, audits it, and again only after a recovery", async () => {
    const admin = await createUser(t.db, { trustId });
    const { account, user } = await schoolAccount({ adminIds: [admin.id] });
    mention(user.username, 'Hello?');
    const failing = () => pollAccount(ctx(), { accountId: account.id }, deps({ failureAlertAfter: 3 }));
    const alerts = async () =>
      (await t.db.select().from(notifications).where(eq(notifications.userId, admin.id))).filter(
        (n) => n.event === 'account.polling_failing',
      );
    sandbox.faults.set({ malformedJson: { count: 5, endpoint: 'mentions' } });
    for (let i = 0; i < 2; i++)
      expect(await failing()).toMatchObject({ status: 'failed', kind: 'malformed' });
    expect(await alerts()).toHaveLength(0);
    for (let i = 0; i < 3; i++)
      expect(await failing()).toMatchObject({ status: 'failed', kind: 'malformed' });
    const told = await alerts();
    expect(told).toHaveLength(1);
    expect(told[0]!.title).toContain('not coming in');
    await expectAuditEntry(t.db, {
      action: 'account.polling_failing',
      subjectId: account.id,
      details: { consecutiveFailures: 3, kind: 'malformed' },
    });

    // A poll that succeeds ends the run; a new run of failures is told again.
    expect(await failing()).toMatchObject({ status: 'polled', inserted: 1 });
    const [recovered] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, account.id));
    expect(recovered!.consecutivePollFailures).toBe(0);
    sandbox.faults.set({ status5xx: { count: 3, endpoint: 'mentions', status: 503 } });
    for (let i = 0; i < 3; i++) await expect(failing()).rejects.toMatchObject({ kind: 'transient' });
    expect(await alerts()).toHaveLength(2);
    const entries = await t.db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.action, 'account.polling_failing'), eq(auditEntries.subjectId, account.id)));
    expect(entries).toHaveLength(2);
  });
});

async function quarantinedMetric(): Promise<number> {
  const { values } = await metrics.itemsQuarantined.get();
  return values.filter((v) => v.labels.platform === 'x').reduce((n, v) => n + v.value, 0);
}

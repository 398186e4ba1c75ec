import { and, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { auditEntries, comments, pollFailures, socialAccounts } from '../../../db/schema/index.js';
import { sealCredentials } from '../../../services/accounts/account-credentials.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import { systemContext } from '../../../services/core/service-context.js';
import { type PollDeps, pollAccount } from '../../../services/ingestion/poll-account.js';
import type { PlatformAdapter } from '../../../services/platforms/adapter.js';
import { createAdapterFactory } from '../../../services/platforms/create-adapter-factory.js';
import { type Sandbox, startSandbox } from '../../../services/platforms/sandbox/sandbox-server.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createSchool, createUser } from '../../helpers/factories.js';
import { connectSandboxAccount } from '../../helpers/sandbox-account.js';
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
});

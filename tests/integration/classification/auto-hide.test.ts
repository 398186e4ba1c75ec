import { and, asc, eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { auditEntries, comments, moderationActions, notifications } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../../workers/worker-runtime.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createSchool, createUser } from '../../helpers/factories.js';
import { connectSandboxAccount } from '../../helpers/sandbox-account.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let sandbox: Sandbox;
let config: Config;
let api: TestApp;
let runtime: WorkerRuntime;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  config = testConfig({ X_API_BASE_URL: sandbox.url });
  api = await buildTestApp(t.db, { config });
  runtime = await startWorkerRuntime({ config, db: t.db, logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await runtime.close();
  await api.close();
  await clearRedisPrefix(config.redisPrefix);
  await sandbox.close();
  await t.drop();
});

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function commentFor(externalId: string) {
  const [row] = await t.db.select().from(comments).where(eq(comments.externalId, externalId));
  return row;
}

describe('auto-hide', () => {
  it('hides a high-severity offensive comment on the platform by a system action; admins are told and can unhide', async () => {
    const school = await createSchool(t.db);
    const [adminA, adminB] = await Promise.all([
      createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: 'comms' }] }),
      createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: 'comms' }] }),
    ]);
    const on = await connectSandboxAccount(t.db, sandbox, config, {
      schoolId: school.id,
      username: 'autohide_on',
      adminIds: [adminA.id, adminB.id],
      settings: { autoHide: true },
    });
    const off = await connectSandboxAccount(t.db, sandbox, config, {
      schoolId: school.id,
      username: 'autohide_off',
      adminIds: [adminA.id, adminB.id],
    });
    const postOn = sandbox.state.createPost({ author: on.user.id, text: 'Sports day is on Friday' });
    const postOff = sandbox.state.createPost({ author: off.user.id, text: 'Sports day is on Friday' });
    const threat = sandbox.state.injectComment({
      from: 'angry_1',
      inReplyTo: postOn.id,
      text: 'I will kill you all',
    });
    const insult = sandbox.state.injectComment({
      from: 'angry_2',
      inReplyTo: postOn.id,
      text: 'you stupid cow',
    });
    const threatOff = sandbox.state.injectComment({
      from: 'angry_3',
      inReplyTo: postOff.id,
      text: 'I will kill you all',
    });

    await runtime.deps.pollScheduler.startPolling(on.account.id, 1);
    await runtime.deps.pollScheduler.startPolling(off.account.id, 1);
    await waitFor('the comments to be processed', async () => {
      const rows = await Promise.all([threat, insult, threatOff].map((c) => commentFor(c.id)));
      return rows.every((r) => r?.processedAt);
    });
    await waitFor('the hide to be carried out on the platform', () => sandbox.state.isHidden(threat.id));
    const threatRow = (await commentFor(threat.id))!;
    await waitFor('the comment to close', async () => (await commentFor(threat.id))?.status === 'closed');

    // Medium severity on the auto-hide account, and the account without auto-hide: flagged, not hidden.
    expect(sandbox.state.isHidden(insult.id)).toBe(false);
    expect(sandbox.state.isHidden(threatOff.id)).toBe(false);
    expect((await commentFor(insult.id))!.categories).toEqual(['offensive']);

    const actions = await t.db
      .select()
      .from(moderationActions)
      .where(eq(moderationActions.accountId, on.account.id));
    // The hide, and the notice that follows it (P3: the audience is told which house rule it broke).
    expect(actions.map((a) => a.kind).sort()).toEqual(['hide', 'notice']);
    const action = actions.find((a) => a.kind === 'hide')!;
    expect(actions.find((a) => a.kind === 'notice')!.noticeText).toMatch(
      /^We have hidden a reply because it broke our house rule “Be respectful/,
    );
    expect(action).toMatchObject({
      commentId: threatRow.id,
      kind: 'hide',
      status: 'succeeded',
      system: true,
      proposedBy: null,
      reasonCategory: 'offensive',
    });
    expect(
      await t.db.select().from(moderationActions).where(eq(moderationActions.accountId, off.account.id)),
    ).toEqual([]);

    const trail = await t.db
      .select()
      .from(auditEntries)
      .where(eq(auditEntries.subjectId, action.id))
      .orderBy(asc(auditEntries.seq));
    expect(trail.map((e) => e.action)).toEqual([
      'action.proposed',
      'action.approved',
      'action.queued',
      'action.executing',
      'action.succeeded',
    ]);
    expect(trail[0]).toMatchObject({ actorType: 'system', actorId: null, actorLabel: 'auto-hide' });
    expect(trail[0]!.details).toMatchObject({ automatic: true, kind: 'hide' });

    // Both admins are still told, and told it was hidden.
    for (const admin of [adminA, adminB]) {
      const notes = await t.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, admin.id), eq(notifications.subjectId, threatRow.id)));
      expect(notes).toHaveLength(1);
      expect(notes[0]!.body).toMatch(/hidden automatically/);
    }

    // An admin undoes it through the ordinary action path, executed by the worker.
    const { headers } = await signIn(t.db, adminB.id);
    const undo = await api.app.inject({
      method: 'POST',
      url: `/api/comments/${threatRow.id}/actions`,
      headers,
      payload: { kind: 'unhide', reasonCategory: 'other', reasonText: 'a quote from the school play' },
    });
    expect(undo.statusCode).toBe(201);
    await waitFor('the unhide on the platform', () => !sandbox.state.isHidden(threat.id));
    const hides = sandbox.state.stateChanges().filter((e) => e.endpoint?.includes('hidden'));
    expect(hides).toHaveLength(2);
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });
});

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comments } from '../../../db/schema/index.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { systemContext } from '../../../services/core/service-context.js';
import { deadlineReport } from '../../../services/deadlines/deadline-report.js';
import { sweepDeadlines } from '../../../services/deadlines/sweep-deadlines.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { moderationScene, runAction } from '../moderation/moderation-fixture.js';

let t: TestDatabase;
let sandbox: Sandbox;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  api = await buildTestApp(t.db, { configOverrides: { X_API_BASE_URL: sandbox.url } });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await sandbox.close();
  await t.drop();
});

const hour = 3_600_000;

async function post(userId: string, url: string, payload: Record<string, unknown> = {}) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'POST', url, headers, payload });
}

async function reportLater(s: Awaited<ReturnType<typeof moderationScene>>, hoursLater: number) {
  const today = new Date(Date.now() - 48 * hour).toISOString().slice(0, 10);
  return deadlineReport(
    systemContext(t.db, 'test'),
    s.school.id,
    { from: today, to: new Date(Date.now() + hoursLater * hour).toISOString().slice(0, 10) },
    { now: new Date(Date.now() + hoursLater * hour) },
  );
}

describe('P2: moderation that handles a comment is its response (report bug)', () => {
  it('a comment hidden before its deadline is answered in time, not a breach once the deadline passes', async () => {
    const s = await moderationScene(t.db, sandbox, api.config);
    await t.db
      .update(comments)
      .set({ deadlineAt: new Date(Date.now() + 2 * hour) })
      .where(eq(comments.id, s.comment.id));
    const taken = await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, {
      kind: 'hide',
      reasonCategory: 'offensive',
      reasonText: 'insults staff',
    });
    expect(taken.statusCode, taken.body).toBe(201);
    await runAction(t.db, api.config, taken.json().action.id);
    const [closed] = await t.db.select().from(comments).where(eq(comments.id, s.comment.id));
    expect(closed!.status).toBe('closed');
    expect(closed!.firstResponseAt).not.toBeNull();

    // Three days on: the deadline has long passed; the sweep breaches nothing and the report agrees.
    await sweepDeadlines(systemContext(t.db, 'test'), { now: new Date(Date.now() + 72 * hour) });
    const [after] = await t.db.select().from(comments).where(eq(comments.id, s.comment.id));
    expect(after!.breachedAt).toBeNull();
    const report = await reportLater(s, 72);
    expect(report.school).toMatchObject({
      comments: 1,
      due: 1,
      respondedInTime: 1,
      breaches: 0,
      shareInTime: 1,
    });
  });

  it('a manual delete recorded by hand counts too; one recorded after the deadline is late, not missing', async () => {
    const s = await moderationScene(t.db, sandbox, api.config);
    // Already past its deadline when the admins act: late, but answered.
    await t.db
      .update(comments)
      .set({ deadlineAt: new Date(Date.now() - hour), postedAt: new Date(Date.now() - 30 * hour) })
      .where(eq(comments.id, s.comment.id));
    const proposed = await post(s.adminA.id, `/api/comments/${s.comment.id}/actions`, {
      kind: 'delete',
      reasonCategory: 'personal_information',
      reasonText: "names a pupil's address",
    });
    const { action } = proposed.json();
    expect((await post(s.adminB.id, `/api/actions/${action.id}/confirm`)).statusCode).toBe(200);
    expect(
      (
        await post(s.adminB.id, `/api/actions/${action.id}/record`, {
          evidenceUrl: 'https://x.com/i/report/9',
        })
      ).statusCode,
    ).toBe(200);
    const report = await reportLater(s, 72);
    expect(report.school).toMatchObject({ responded: 1, respondedInTime: 0, breaches: 1 });
    expect(report.school.medianSecondsToFirstResponse).toBeGreaterThan(29 * 3600);
  });
});

import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comments,
  escalations,
  notificationDeliveries,
  notifications,
  quarantinedItems,
  retentionRuns,
  schools,
} from '../../../db/schema/index.js';
import { applyRetention } from '../../../services/audit/apply-retention.js';
import { systemContext } from '../../../services/core/service-context.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
});
afterAll(async () => {
  await api?.close();
  if (api) await clearRedisPrefix(api.config.redisPrefix);
  await t?.drop();
});

const day = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * day);

async function scene() {
  const school = await createSchool(t.db);
  const head = await createUser(t.db, {
    trustId: school.trustId,
    roles: [{ schoolId: school.id, role: 'senior_leader' }],
  });
  const account = await createAccount(t.db, { schoolId: school.id });
  return { school, head, account };
}

async function notification(schoolId: string, userId: string, createdAt: Date, status: 'sent' | 'pending') {
  const [n] = await t.db
    .insert(notifications)
    .values({
      schoolId,
      userId,
      event: 'account.proposed',
      urgency: 'normal',
      title: 't',
      body: 'b',
      createdAt,
    })
    .returning();
  await t.db.insert(notificationDeliveries).values({
    notificationId: n!.id,
    schoolId,
    channel: 'email',
    target: 'head@school.example',
    status,
    createdAt,
  });
  return n!;
}

describe('P12: retention periods per kind of record, safeguarding kept, and a report of what was destroyed', () => {
  it('purges quarantined raw bodies, notifications and delivery logs past their periods, keeps safeguarding, and records the run', async () => {
    const s = await scene();
    const run = () =>
      applyRetention({ ...systemContext(t.db, 'retention policy'), schoolIds: [s.school.id] });
    await t.db.insert(quarantinedItems).values([
      {
        accountId: s.account.id,
        itemKey: 'old',
        reason: 'bad',
        rawItem: '{"text":"raw"}',
        createdAt: ago(40),
      },
      {
        accountId: s.account.id,
        itemKey: 'new',
        reason: 'bad',
        rawItem: '{"text":"raw"}',
        createdAt: ago(2),
      },
    ]);
    await notification(s.school.id, s.head.id, ago(400), 'sent');
    await notification(s.school.id, s.head.id, ago(400), 'pending'); // undelivered: kept
    await notification(s.school.id, s.head.id, ago(5), 'sent');
    const plain = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      postedAt: ago(800),
    });
    const safeguarding = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      postedAt: ago(800),
      categories: ['safeguarding'],
    });
    const escalated = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      postedAt: ago(800),
    });
    await t.db.insert(escalations).values({
      schoolId: s.school.id,
      commentId: escalated.id,
      kind: 'safeguarding',
      reason: 'disclosure',
    } as typeof escalations.$inferInsert);

    const [outcome] = await run();
    expect(outcome).toMatchObject({ comments: 1, quarantinedItems: 1, notifications: 1, deliveryLog: 1 });
    const left = await t.db
      .select()
      .from(quarantinedItems)
      .where(eq(quarantinedItems.accountId, s.account.id));
    expect(left.map((q) => q.itemKey)).toEqual(['new']);
    expect(
      await t.db.select().from(notifications).where(eq(notifications.schoolId, s.school.id)),
    ).toHaveLength(2);
    const rows = await t.db.select().from(comments).where(eq(comments.schoolId, s.school.id));
    const redacted = (id: string) => rows.find((r) => r.id === id)!.redactedAt !== null;
    expect([redacted(plain.id), redacted(safeguarding.id), redacted(escalated.id)]).toEqual([
      true,
      false,
      false,
    ]);
    const [recorded] = await t.db.select().from(retentionRuns).where(eq(retentionRuns.schoolId, s.school.id));
    expect(recorded!.counts).toMatchObject({
      comments: 1,
      quarantinedItems: 1,
      notifications: 1,
      deliveryLog: 1,
    });
    await expectAuditEntry(t.db, {
      action: 'retention.destroyed',
      subjectId: s.school.id,
      details: { quarantinedItems: 1, notifications: 1, deliveryLog: 1 },
    });

    // Past the school's safeguarding records period (set to 1 year), those go too.
    await t.db
      .update(schools)
      .set({ retention: { safeguardingYears: 1 } })
      .where(eq(schools.id, s.school.id));
    const [later] = await run();
    expect(later).toMatchObject({ comments: 2 });

    const page = await api.app.inject({
      method: 'GET',
      url: `/reports/retention?schoolId=${s.school.id}`,
      headers: (await signIn(t.db, s.head.id)).headers,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Raw platform bodies kept for diagnosis');
    expect(page.body.match(/<tr>/g)?.length).toBe(3); // header and two runs
  });

  it('periods are settings in the UI: saved, audited, bad values refused with a message', async () => {
    const s = await scene();
    const { headers } = await signIn(t.db, s.head.id);
    const form = (over: Record<string, string>) =>
      new URLSearchParams({
        _csrf: '',
        holdingReplyTemplate: 'Thanks, we will reply soon.',
        followUpWorkingDays: '3',
        retentionMonths: '18',
        quarantinedDays: '14',
        notificationMonths: '6',
        deliveryLogDays: '30',
        safeguardingYears: '30',
        ...over,
      }).toString();
    const page = await api.app.inject({ method: 'GET', url: `/schools/${s.school.id}/settings`, headers });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    expect(page.body).toContain('Kept for safeguarding');
    const save = (over: Record<string, string>) =>
      api.app.inject({
        method: 'POST',
        url: `/schools/${s.school.id}/settings/deadlines`,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: form({ _csrf: csrf, ...over }),
      });
    expect((await save({})).statusCode).toBe(303);
    const [school] = await t.db.select().from(schools).where(eq(schools.id, s.school.id));
    expect(school).toMatchObject({
      retentionMonths: 18,
      followUpWorkingDays: 3,
      retention: { quarantinedDays: 14, notificationMonths: 6, deliveryLogDays: 30, safeguardingYears: 30 },
    });
    await expectAuditEntry(t.db, { action: 'school.retention_changed', subjectId: s.school.id });
    const bad = await save({ quarantinedDays: '-5' });
    expect(bad.statusCode).toBe(303);
    const after = await api.app.inject({
      method: 'GET',
      url: `/schools/${s.school.id}/settings`,
      headers: { ...headers, cookie: `${headers.cookie}; ${bad.headers['set-cookie'] ?? ''}` },
    });
    // The GOV.UK error summary names the field in error and links to it.
    const summary = /class="error-summary"[\s\S]*?<\/div>/.exec(after.body)?.[0] ?? '';
    expect(summary).toContain('quarantinedDays');
    const [unchanged] = await t.db.select().from(schools).where(eq(schools.id, s.school.id));
    expect(unchanged!.retention).toMatchObject({ quarantinedDays: 14 });
  });
});

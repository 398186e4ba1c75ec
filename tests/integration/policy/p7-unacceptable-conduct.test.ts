import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comments,
  escalations,
  memberships,
  notificationDeliveries,
  notifications,
} from '../../../db/schema/index.js';
import { SchoolClassifierCache } from '../../../services/classification/school-classifier-cache.js';
import { systemContext } from '../../../services/core/service-context.js';
import { processComment } from '../../../services/ingestion/process-comment.js';
import { createProcessingSteps } from '../../../workers/processing-steps.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';

let t: TestDatabase;
let api: TestApp;
let steps: ReturnType<typeof createProcessingSteps>;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  steps = createProcessingSteps({ classifiers: new SchoolClassifierCache(api.config.encryptionKey) });
});
afterAll(async () => {
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await t.drop();
});

async function scene() {
  const school = await createSchool(t.db);
  const person = (displayName: string, role: 'comms' | 'senior_leader' | 'auditor') =>
    createUser(t.db, { trustId: school.trustId, displayName, roles: [{ schoolId: school.id, role }] });
  const [comms, head, dpo] = await Promise.all([
    person('Casey Comms', 'comms'),
    person('Hana Head', 'senior_leader'),
    person('Dee Protection', 'auditor'),
  ]);
  const account = await createAccount(t.db, { schoolId: school.id, adminIds: [comms.id] });
  let minute = 0;
  async function arrive(text: string, author = '42') {
    minute += 1;
    const c = await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      text,
      authorExternalId: author,
      authorHandle: `author_${author}`,
      postedAt: new Date(Date.now() - 60 * 60_000 + minute * 60_000),
    });
    await processComment(systemContext(t.db, 'test processing'), { commentId: c.id }, steps);
    const [row] = await t.db.select().from(comments).where(eq(comments.id, c.id));
    const raised = await t.db.select().from(escalations).where(eq(escalations.commentId, c.id));
    return { comment: row!, conduct: raised.filter((e) => e.kind === 'senior_leader') };
  }
  return { school, comms, head, dpo, account, arrive };
}

async function call(userId: string, url: string, payload: object) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'POST', url, headers, payload });
}
const subcategories = (c: { labels: { subcategory: string }[] }) => c.labels.map((l) => l.subcategory);

describe('P7: unacceptable conduct found by the classifier goes to a senior member of staff at once', () => {
  it('defamation (an allegation against a named member of staff) is escalated; praise of the same person is not', async () => {
    const s = await scene();
    const accused = await s.arrive('Everyone knows Mr Patel stole the trip money last year.');
    expect(subcategories(accused.comment)).toContain('defamation');
    expect(accused.conduct).toHaveLength(1);
    expect(accused.conduct[0]).toMatchObject({ status: 'open', policeReferral: null, raisedBy: null });
    expect(accused.conduct[0]!.reason).toContain('Unacceptable conduct (P7): defamation');
    await expectAuditEntry(t.db, {
      action: 'escalation.raised',
      subjectId: accused.conduct[0]!.id,
      details: { kind: 'senior_leader', conduct: ['defamation'] },
    });
    const [told] = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.head.id), eq(notifications.event, 'escalation.raised')));
    expect(told).toMatchObject({ urgency: 'urgent', link: `/comments/${accused.comment.id}` });
    expect(told!.title).not.toContain('Patel');

    const praised = await s.arrive('Mr Patel was brilliant at sports day, thank you!');
    expect(subcategories(praised.comment)).not.toContain('defamation');
    expect(praised.conduct).toHaveLength(0);
  });

  it('a personal-data breach also reaches the data protection officer, a person and an outside email', async () => {
    const s = await scene();
    const { headers, csrfToken } = await signIn(t.db, s.head.id);
    const saved = await api.app.inject({
      method: 'POST',
      url: `/schools/${s.school.id}/settings/conduct`,
      headers: { cookie: headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: csrfToken,
        headteacherId: s.head.id,
        dpoUserId: s.dpo.id,
        dpoEmail: 'dpo@dpo-service.example',
        harassmentCount: '3',
        harassmentWindowDays: '7',
      }).toString(),
    });
    expect(saved.statusCode).toBe(303);
    const leaked = await s.arrive('Her mobile is 07700 900123 if anyone wants to tell her what they think');
    expect(leaked.comment.categories).toContain('personal_data');
    expect(leaked.conduct).toHaveLength(1);
    expect(leaked.conduct[0]!.reason).toContain('personal data (phone)');
    const told = await t.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.event, 'escalation.raised'),
          inArray(notifications.userId, [s.head.id, s.dpo.id]),
        ),
      );
    expect(told.map((n) => n.userId).sort()).toEqual([s.head.id, s.dpo.id].sort());
    expect(told[0]!.body).toContain('the data protection officer is told');
    const emailed = await t.db
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.target, 'dpo@dpo-service.example'));
    expect(emailed).toHaveLength(1);
    expect(emailed[0]).toMatchObject({ channel: 'email', status: 'pending' });
  });

  it('discriminatory content (hate) is unacceptable conduct: escalated at once, with a police step', async () => {
    const s = await scene();
    const hateful = await s.arrive('go back to your own country, you are not welcome at this school');
    expect(subcategories(hateful.comment)).toContain('hate');
    expect(hateful.conduct).toHaveLength(1);
    expect(hateful.conduct[0]).toMatchObject({ status: 'open', policeReferral: 'due' });
    expect(hateful.conduct[0]!.reason).toContain('Unacceptable conduct (P7): hate');
  });

  it('with no data protection officer named, the senior leaders are not told one was; a DPO who left the school is not told', async () => {
    const s = await scene();
    const leaked = await s.arrive('Her mobile is 07700 900123 call her and tell her');
    expect(leaked.conduct).toHaveLength(1);
    const [told] = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.head.id), eq(notifications.event, 'escalation.raised')));
    expect(told!.body).not.toContain('the data protection officer is told');
    expect(told!.body).toContain('No data protection officer is named');

    // Named, then removed from the school: the next breach does not reach them.
    const { headers, csrfToken } = await signIn(t.db, s.head.id);
    const saved = await api.app.inject({
      method: 'POST',
      url: `/schools/${s.school.id}/settings/conduct`,
      headers: { cookie: headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: csrfToken,
        headteacherId: s.head.id,
        dpoUserId: s.dpo.id,
        dpoEmail: '',
        harassmentCount: '3',
        harassmentWindowDays: '7',
      }).toString(),
    });
    expect(saved.statusCode).toBe(303);
    await t.db.delete(memberships).where(eq(memberships.userId, s.dpo.id));
    const again = await s.arrive('His address is 12 Acacia Avenue, AB1 2CD go round');
    expect(again.conduct).toHaveLength(1);
    const toLeaver = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.dpo.id), eq(notifications.event, 'escalation.raised')));
    expect(toLeaver).toEqual([]);
  });

  it('harassment: the third offensive comment by one author in the window is escalated with a police step', async () => {
    const s = await scene();
    const first = await s.arrive('you idiot', 'troll');
    const second = await s.arrive('what an idiot', 'troll');
    const elsewhere = await s.arrive('idiot', 'someone_else');
    expect([first, second, elsewhere].flatMap((a) => a.conduct)).toHaveLength(0);
    const third = await s.arrive('idiot teachers', 'troll');
    expect(subcategories(third.comment)).toContain('harassment');
    expect(third.conduct).toHaveLength(1);
    expect(third.conduct[0]).toMatchObject({ policeReferral: 'due' });
    expect(third.conduct[0]!.reason).toContain('refer it to the police');
    const id = third.conduct[0]!.id;

    // Closed only once the police step is settled: refused, then a referral with its reference settles it.
    const early = await call(s.head.id, `/api/escalations/${id}/close`, { note: 'Dealt with' });
    expect(early.statusCode).toBe(422);
    expect(early.json().message).toContain('record the police referral with its reference');
    const referred = await call(s.head.id, `/api/comments/${third.comment.id}/escalations`, {
      kind: 'police',
      reason: 'Repeated abuse of staff',
      externalReference: 'CAD-4411-12',
    });
    expect(referred.statusCode, referred.body).toBe(201);
    const [after] = await t.db.select().from(escalations).where(eq(escalations.id, id));
    expect(after!.policeReferral).toBe('referred');
    await expectAuditEntry(t.db, {
      action: 'escalation.referred',
      subjectId: referred.json().escalation.id,
      details: { externalReference: 'CAD-4411-12', policeReferralFor: [id] },
    });
    expect((await call(s.head.id, `/api/escalations/${id}/close`, { note: 'Referred' })).statusCode).toBe(
      200,
    );
  });

  it('harassment keeps coming from one author: later comments join the open escalation, not a new one each with its own police step', async () => {
    const s = await scene();
    await s.arrive('you idiot', 'troll');
    await s.arrive('what an idiot', 'troll');
    const third = await s.arrive('idiot teachers', 'troll');
    expect(third.conduct).toHaveLength(1);
    const id = third.conduct[0]!.id;
    const told = async () =>
      (
        await t.db
          .select({ id: notifications.id })
          .from(notifications)
          .where(and(eq(notifications.schoolId, s.school.id), eq(notifications.event, 'escalation.raised')))
      ).length;
    const toldAtFirst = await told();
    const fourth = await s.arrive('idiots, all of you', 'troll');
    const fifth = await s.arrive('stupid idiots', 'troll');
    expect(subcategories(fifth.comment)).toContain('harassment');
    expect([...fourth.conduct, ...fifth.conduct]).toEqual([]);
    const open = (await t.db.select().from(escalations).where(eq(escalations.schoolId, s.school.id))).filter(
      (e) => e.kind === 'senior_leader',
    );
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      id,
      policeReferral: 'due',
      laterCommentIds: [fourth.comment.id, fifth.comment.id],
    });
    expect(await told()).toBe(toldAtFirst);
    const page = await api.app.inject({
      method: 'GET',
      url: '/escalations',
      headers: (await signIn(t.db, s.head.id)).headers,
    });
    expect(page.body).toContain('2 later comments by the same author joined this escalation');
    expect(page.body).toContain(`href="/comments/${fifth.comment.id}"`);
    await expectAuditEntry(t.db, {
      action: 'escalation.comment_added',
      subjectId: id,
      details: { commentId: fifth.comment.id, conduct: ['harassment'] },
    });

    // Once it is closed, the next one opens a new escalation.
    const closed = await call(s.head.id, `/api/escalations/${id}/close`, {
      note: 'Blocked; not a police matter.',
      notReferred: true,
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const sixth = await s.arrive('idiot school', 'troll');
    expect(sixth.conduct).toHaveLength(1);
    expect(sixth.conduct[0]!.id).not.toBe(id);
  });

  it('comments whose author the platform withheld (no from) are not one author: no harassment, no police step', async () => {
    const s = await scene();
    await s.arrive('you idiot', '');
    await s.arrive('what an idiot', '');
    const third = await s.arrive('idiot teachers', '');
    expect(subcategories(third.comment)).not.toContain('harassment');
    expect(third.conduct).toHaveLength(0);
  });

  it('harassment at one named member of staff by different authors joins one escalation; closed as not referred, with why', async () => {
    const s = await scene();
    await s.arrive('Mrs Jones is a useless idiot', 'a');
    await s.arrive('Mrs Jones should be sacked, idiot woman', 'b');
    const third = await s.arrive('get rid of Mrs Jones the idiot', 'c');
    expect(third.comment.labels.find((l) => l.subcategory === 'harassment')?.source).toBe(
      'rule:conduct/harassment_of_staff',
    );
    const id = third.conduct[0]!.id;
    // More at the same person, from yet another author, joins that escalation rather than opening another.
    const fourth = await s.arrive('Mrs Jones is an idiot and should go', 'd');
    expect(fourth.conduct).toEqual([]);
    const [joined] = await t.db.select().from(escalations).where(eq(escalations.id, id));
    expect(joined!.laterCommentIds).toEqual([fourth.comment.id]);
    const closed = await call(s.head.id, `/api/escalations/${id}/close`, {
      note: 'Spoke to the parents involved; not a police matter.',
      notReferred: true,
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const [after] = await t.db.select().from(escalations).where(eq(escalations.id, id));
    expect(after).toMatchObject({ status: 'closed', policeReferral: 'not_referred' });
    await expectAuditEntry(t.db, {
      action: 'escalation.closed',
      subjectId: id,
      details: { policeReferral: 'not_referred' },
    });
  });

  describe('a police referral and closing as not referred exclude each other', () => {
    async function harassed() {
      const s = await scene();
      await s.arrive('you idiot', 'troll');
      await s.arrive('what an idiot', 'troll');
      const third = await s.arrive('idiot teachers', 'troll');
      return { s, commentId: third.comment.id, id: third.conduct[0]!.id };
    }
    const referral = { kind: 'police', reason: 'Repeated abuse of staff', externalReference: 'CAD-77' };
    const notReferred = { note: 'Not a police matter.', notReferred: true };
    const policeRows = async (commentId: string) =>
      (await t.db.select().from(escalations).where(eq(escalations.commentId, commentId))).filter(
        (e) => e.kind === 'police',
      );

    it('closed as not referred first: a referral after it is refused (409) saying so, and nothing is recorded', async () => {
      const { s, commentId, id } = await harassed();
      expect((await call(s.head.id, `/api/escalations/${id}/close`, notReferred)).statusCode).toBe(200);
      const late = await call(s.head.id, `/api/comments/${commentId}/escalations`, referral);
      expect(late.statusCode, late.body).toBe(409);
      expect(late.json().message).toContain("closed this comment's escalation as not referred to the police");
      expect(await policeRows(commentId)).toEqual([]);
      const [after] = await t.db.select().from(escalations).where(eq(escalations.id, id));
      expect(after!.policeReferral).toBe('not_referred');
    });

    it('referred first: closing as not referred is refused (409) naming the referral; closing as dealt with works', async () => {
      const { s, commentId, id } = await harassed();
      expect((await call(s.head.id, `/api/comments/${commentId}/escalations`, referral)).statusCode).toBe(
        201,
      );
      const late = await call(s.head.id, `/api/escalations/${id}/close`, notReferred);
      expect(late.statusCode, late.body).toBe(409);
      expect(late.json().message).toContain('was referred to the police');
      const [still] = await t.db.select().from(escalations).where(eq(escalations.id, id));
      expect(still).toMatchObject({ status: 'open', policeReferral: 'referred' });
      const closed = await call(s.head.id, `/api/escalations/${id}/close`, { note: 'Referred, CAD-77' });
      expect(closed.statusCode).toBe(200);
    });

    it('both at once: exactly one wins, and the record never says both', async () => {
      const { s, commentId, id } = await harassed();
      const [closed, referred] = await Promise.all([
        call(s.head.id, `/api/escalations/${id}/close`, notReferred),
        call(s.head.id, `/api/comments/${commentId}/escalations`, referral),
      ]);
      expect([closed.statusCode, referred.statusCode].sort()).toEqual(
        closed.statusCode === 200 ? [200, 409] : [201, 409],
      );
      const [after] = await t.db.select().from(escalations).where(eq(escalations.id, id));
      const police = await policeRows(commentId);
      if (after!.policeReferral === 'not_referred') expect(police).toEqual([]);
      else expect(after!.policeReferral).toBe('referred');
      expect(police.length).toBe(after!.policeReferral === 'referred' ? 1 : 0);
    });
  });

  it('the window and count are the school’s: outside the window it is not harassment', async () => {
    const s = await scene();
    const old = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      text: 'idiot',
      authorExternalId: 'slow',
      categories: ['offensive'],
      postedAt: new Date(Date.now() - 10 * 86_400_000),
    });
    expect(old.id).toBeTruthy();
    await s.arrive('you idiot', 'slow');
    const third = await s.arrive('what an idiot', 'slow');
    expect(subcategories(third.comment)).not.toContain('harassment');
  });
});

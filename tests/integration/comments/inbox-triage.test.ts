import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comments, notifications, type StoredLabel, savedReplies } from '../../../db/schema/index.js';
import { SchoolClassifierCache } from '../../../services/classification/school-classifier-cache.js';
import { URGENCY_EXPLANATION } from '../../../services/comments/inbox-urgency.js';
import { systemContext } from '../../../services/core/service-context.js';
import { processComment } from '../../../services/ingestion/process-comment.js';
import { createProcessingSteps } from '../../../workers/processing-steps.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let t: TestDatabase;
let api: TestApp;

const label = (category: string, subcategory: string, severity: StoredLabel['severity']): StoredLabel => ({
  category,
  subcategory,
  severity,
  spans: [],
  source: 'test',
});
const hours = (h: number) => new Date(Date.now() + h * 3_600_000);

async function scene() {
  const school = await createSchool(t.db);
  const comms = await createUser(t.db, {
    trustId: school.trustId,
    roles: [{ schoolId: school.id, role: 'comms' }],
  });
  const colleague = await createUser(t.db, {
    trustId: school.trustId,
    displayName: 'Colleague',
    roles: [{ schoolId: school.id, role: 'comms' }],
  });
  const senior = await createUser(t.db, {
    trustId: school.trustId,
    roles: [{ schoolId: school.id, role: 'senior_leader' }],
  });
  const auditor = await createUser(t.db, {
    trustId: school.trustId,
    roles: [{ schoolId: school.id, role: 'auditor' }],
  });
  const account = await createAccount(t.db, { schoolId: school.id, adminIds: [comms.id, colleague.id] });
  return {
    school,
    comms,
    colleague,
    senior,
    auditor,
    account,
    as: {
      comms: await signIn(t.db, comms.id),
      colleague: await signIn(t.db, colleague.id),
      senior: await signIn(t.db, senior.id),
      auditor: await signIn(t.db, auditor.id),
    },
  };
}
type Scene = Awaited<ReturnType<typeof scene>>;
let a: Scene;
let b: Scene;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  a = await scene();
  b = await scene();
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

const inbox = async (who: SignedIn, query: string) => {
  const res = await api.app.inject({ method: 'GET', url: `/api/inbox?${query}`, headers: who.headers });
  return { status: res.statusCode, body: res.json() };
};
const post = (who: SignedIn, url: string, payload: unknown) =>
  api.app.inject({ method: 'POST', url, headers: who.headers, payload: payload as object });

describe('the inbox order', () => {
  it('puts safeguarding first, then threats, then the rest by deadline, page after page', async () => {
    const s = await scene();
    const at = { schoolId: s.school.id, accountId: s.account.id };
    const praise = await createComment(t.db, { ...at, text: 'Lovely concert', deadlineAt: hours(1) });
    const threat = await createComment(t.db, {
      ...at,
      text: 'I will hurt you',
      deadlineAt: hours(20),
      categories: ['offensive'],
      labels: [label('offensive', 'threat', 'high')],
    });
    const disclosure = await createComment(t.db, {
      ...at,
      text: 'I am scared to go home',
      deadlineAt: hours(23),
      categories: ['safeguarding'],
      labels: [label('safeguarding', 'disclosure', 'high')],
    });
    const insult = await createComment(t.db, {
      ...at,
      text: 'You are useless',
      deadlineAt: hours(2),
      categories: ['offensive'],
      labels: [label('offensive', 'insult', 'medium')],
    });
    const later = await createComment(t.db, { ...at, text: 'When is sports day?', deadlineAt: hours(5) });
    const expected = [disclosure.id, threat.id, praise.id, insult.id, later.id];

    const all = await inbox(s.as.comms, 'limit=50');
    expect(all.status).toBe(200);
    const page = all.body as { items: { id: string; severity: string | null; urgency: number }[] };
    expect(page.items.map((i) => i.id)).toEqual(expected);
    expect(page.items.map((i) => i.severity)).toEqual(['high', 'high', null, 'medium', null]);
    expect(page.items.map((i) => i.urgency)).toEqual([0, 1, 2, 2, 2]);

    // Two at a time, by the cursor: the same order, nothing repeated or skipped.
    const seen: string[] = [];
    let after = '';
    for (let i = 0; i < 5; i++) {
      const res = await inbox(s.as.comms, `limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((x: { id: string }) => x.id));
      if (!res.body.next) break;
      after = res.body.next;
    }
    expect(seen).toEqual(expected);
    expect(URGENCY_EXPLANATION).toMatch(/Safeguarding.*threats.*deadline/);
  });

  it('refuses a forged cursor with 400', async () => {
    for (const after of ['9|2026-01-01T00:00:00.000Z|x', "0|nope|'; drop table comments", '2|2026']) {
      const res = await inbox(a.as.comms, `after=${encodeURIComponent(after)}`);
      expect(res.status, after).toBe(400);
      expect(res.body.message).toMatch(/after/);
    }
  });
});

describe('inbox filters and search', () => {
  it('treats "All accounts" and "Any" (blank fields from the form) as no filter', async () => {
    const c = await createComment(t.db, {
      schoolId: a.school.id,
      accountId: a.account.id,
      deadlineAt: hours(3),
    });
    for (const url of [
      '/api/inbox?status=open&category=&accountId=&assignee=&platform=&q=',
      '/?status=open&category=&accountId=',
    ]) {
      const res = await api.app.inject({ method: 'GET', url, headers: a.as.comms.headers });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain(c.id);
    }
  });

  it('finds comments by words of their text or author, literally, only in the person’s schools', async () => {
    const at = { schoolId: a.school.id, accountId: a.account.id };
    const fair = await createComment(t.db, {
      ...at,
      text: 'Is the Summer Fair on 50% off day?',
      authorHandle: 'mum_of_two',
    });
    const byName = await createComment(t.db, {
      ...at,
      text: 'Thanks!',
      authorName: 'Priya Shah',
      authorHandle: 'ps',
    });
    const theirs = await createComment(t.db, {
      schoolId: b.school.id,
      accountId: b.account.id,
      text: 'summer fair',
    });

    const ids = async (q: string) => {
      const res = await inbox(a.as.comms, `q=${encodeURIComponent(q)}&limit=200`);
      expect(res.status, q).toBe(200);
      return res.body.items.map((i: { id: string }) => i.id) as string[];
    };
    expect(await ids('summer FAIR')).toEqual([fair.id]);
    expect(await ids('priya')).toEqual([byName.id]);
    expect(await ids('mum_of')).toEqual([fair.id]);
    expect(await ids('50%')).toEqual([fair.id]);
    // LIKE's wildcards match themselves: '%' and '_' alone find only text that holds them.
    expect(await ids('_')).not.toContain(byName.id);
    expect(await ids('%')).toEqual([fair.id]);
    for (const hostile of ["'; drop table comments; --", '\\', '<script>', '\u202E'])
      expect(await ids(hostile)).toEqual([]);
    expect(await ids('summer')).not.toContain(theirs.id);

    const long = await inbox(a.as.comms, `q=${'a'.repeat(201)}`);
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/search at most 200/);
  });

  it('filters by assignee (me, nobody, a person) and platform, and names the assignee on each row', async () => {
    const s = await scene();
    const at = { schoolId: s.school.id, accountId: s.account.id };
    const mine = await createComment(t.db, { ...at, assigneeId: s.comms.id, deadlineAt: hours(1) });
    const theirs = await createComment(t.db, { ...at, assigneeId: s.colleague.id, deadlineAt: hours(2) });
    const nobody = await createComment(t.db, { ...at, platform: 'facebook', deadlineAt: hours(3) });
    const ids = async (q: string) => (await inbox(s.as.comms, q)).body.items.map((i: { id: string }) => i.id);
    expect(await ids('assignee=me')).toEqual([mine.id]);
    expect(await ids('assignee=none')).toEqual([nobody.id]);
    expect(await ids(`assignee=${s.colleague.id}`)).toEqual([theirs.id]);
    expect(await ids('platform=facebook')).toEqual([nobody.id]);
    expect(await ids('platform=x')).toEqual([mine.id, theirs.id]);
    const rows = (await inbox(s.as.comms, '')).body.items;
    expect(rows.map((r: { assigneeName: string | null }) => r.assigneeName)).toEqual([
      s.comms.displayName,
      'Colleague',
      null,
    ]);
    const bad = await inbox(s.as.comms, 'platform=myspace');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/platform/);
  });

  it('says a responded comment is responded, never due', async () => {
    const s = await scene();
    const c = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      deadlineAt: hours(4),
    });
    const res = await post(s.as.comms, `/api/comments/${c.id}/responses`, {
      kind: 'offline',
      channel: 'phone',
      contactPerson: 'The parent',
      note: 'Rang back with the answer.',
    });
    expect(res.statusCode).toBe(201);
    const [row] = (await inbox(s.as.comms, 'status=all')).body.items;
    expect(row).toMatchObject({ id: c.id, status: 'responded', dueState: 'responded' });
    const open = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      deadlineAt: hours(4),
    });
    const [openRow] = (await inbox(s.as.comms, 'status=open')).body.items;
    expect(openRow).toMatchObject({ id: open.id, dueState: 'due' });
  });
});

describe('bulk assign and close', () => {
  it('assigns several comments, one audit entry each, and shows the assignee', async () => {
    const at = { schoolId: a.school.id, accountId: a.account.id };
    const one = await createComment(t.db, at);
    const two = await createComment(t.db, at);
    const res = await post(a.as.comms, '/api/inbox/assign', {
      commentIds: [one.id, two.id],
      assigneeId: a.colleague.id,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([
      { commentId: one.id, ok: true },
      { commentId: two.id, ok: true },
    ]);
    for (const c of [one, two])
      await expectAuditEntry(t.db, { action: 'comment.assigned', subjectId: c.id, actorId: a.comms.id });
    const rows = await t.db
      .select()
      .from(comments)
      .where(inArray(comments.id, [one.id, two.id]));
    expect(rows.map((r) => r.assigneeId)).toEqual([a.colleague.id, a.colleague.id]);
  });

  it('closes several comments with a reason, one audit entry each', async () => {
    const at = { schoolId: a.school.id, accountId: a.account.id };
    const one = await createComment(t.db, { ...at, deadlineAt: hours(2) });
    const two = await createComment(t.db, { ...at, deadlineAt: hours(2) });
    const res = await post(a.as.comms, '/api/inbox/close', {
      commentIds: [one.id, two.id],
      reason: 'Spam links',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().results.every((r: { ok: boolean }) => r.ok)).toBe(true);
    for (const c of [one, two]) {
      const entry = await expectAuditEntry(t.db, {
        action: 'comment.closed',
        subjectId: c.id,
        actorId: a.comms.id,
      });
      expect(entry.details).toMatchObject({ kind: 'no_response_needed' });
    }
    const rows = await t.db
      .select()
      .from(comments)
      .where(inArray(comments.id, [one.id, two.id]));
    expect(rows.map((r) => r.status)).toEqual(['closed', 'closed']);
  });

  it("refuses the whole request when one id is another school's, changing nothing", async () => {
    const mine = await createComment(t.db, { schoolId: a.school.id, accountId: a.account.id });
    const theirs = await createComment(t.db, { schoolId: b.school.id, accountId: b.account.id });
    for (const [url, body] of [
      ['/api/inbox/assign', { commentIds: [mine.id, theirs.id], assigneeId: a.comms.id }],
      ['/api/inbox/close', { commentIds: [mine.id, theirs.id], reason: 'Spam' }],
    ] as const) {
      const res = await post(a.as.comms, url, body);
      expect(res.statusCode, url).toBe(404);
      expect(res.json().message).toMatch(/One of the selected comments was not found/);
    }
    const rows = await t.db
      .select()
      .from(comments)
      .where(inArray(comments.id, [mine.id, theirs.id]));
    expect(rows.map((r) => [r.status, r.assigneeId])).toEqual([
      ['open', null],
      ['open', null],
    ]);
  });

  it('refuses a role that may act on none of them (403) and bad input (400)', async () => {
    const c = await createComment(t.db, { schoolId: a.school.id, accountId: a.account.id });
    const refused = await post(a.as.auditor, '/api/inbox/close', { commentIds: [c.id], reason: 'Spam' });
    expect(refused.statusCode).toBe(403);
    const cases: [string, unknown, RegExp][] = [
      ['/api/inbox/close', { commentIds: [c.id], reason: '   ' }, /reason/],
      ['/api/inbox/close', { commentIds: [], reason: 'x' }, /commentIds/],
      ['/api/inbox/assign', { commentIds: ['not-a-uuid'], assigneeId: null }, /commentIds/],
      ['/api/inbox/assign', { commentIds: [c.id], assigneeId: 'someone' }, /assigneeId/],
    ];
    for (const [url, body, message] of cases) {
      const res = await post(a.as.comms, url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().message).toMatch(message);
    }
    const [row] = await t.db.select().from(comments).where(eq(comments.id, c.id));
    expect(row?.status).toBe('open');
  });
});

describe('saved replies', () => {
  const list = async (s: Scene, who: SignedIn = s.as.comms) =>
    api.app.inject({ method: 'GET', url: `/api/schools/${s.school.id}/saved-replies`, headers: who.headers });

  it('gives every new school the default replies', async () => {
    const s = await scene();
    const res = await list(s, s.as.auditor);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((r: { title: string }) => r.title)).toEqual([
      'Complaints procedure',
      'Take it offline',
      'Thank you',
      'Where to find information',
    ]);
  });

  it('lets comms add, rewrite and delete them, audited, and the comment page offers the school’s own', async () => {
    const s = await scene();
    const created = await post(s.as.comms, `/api/schools/${s.school.id}/saved-replies`, {
      title: 'Sports day',
      body: 'Sports day is on the 12th; the letter home has the details.',
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    await expectAuditEntry(t.db, { action: 'saved_reply.created', subjectId: id, actorId: s.comms.id });

    const updated = await api.app.inject({
      method: 'PUT',
      url: `/api/saved-replies/${id}`,
      headers: s.as.senior.headers,
      payload: { title: 'Sports day (moved)', body: 'Sports day has moved to the 19th.' },
    });
    expect(updated.statusCode).toBe(200);
    const entry = await expectAuditEntry(t.db, { action: 'saved_reply.updated', subjectId: id });
    expect(entry.details).toMatchObject({
      before: { title: 'Sports day' },
      after: { title: 'Sports day (moved)', body: 'Sports day has moved to the 19th.' },
    });

    const c = await createComment(t.db, { schoolId: s.school.id, accountId: s.account.id });
    const detail = await api.app.inject({
      method: 'GET',
      url: `/api/comments/${c.id}`,
      headers: s.as.comms.headers,
    });
    expect(detail.json().replyTemplates).toContainEqual({
      id,
      title: 'Sports day (moved)',
      text: 'Sports day has moved to the 19th.',
    });

    const deleted = await api.app.inject({
      method: 'DELETE',
      url: `/api/saved-replies/${id}`,
      headers: s.as.comms.headers,
    });
    expect(deleted.statusCode).toBe(200);
    await expectAuditEntry(t.db, { action: 'saved_reply.deleted', subjectId: id });
    expect((await list(s)).json().items.map((r: { id: string }) => r.id)).not.toContain(id);
  });

  it("refuses the auditor (403), another school's reply (404) and bad input (400)", async () => {
    const forbidden = await post(a.as.auditor, `/api/schools/${a.school.id}/saved-replies`, {
      title: 'x',
      body: 'y',
    });
    expect(forbidden.statusCode).toBe(403);
    const [theirs] = await t.db
      .select()
      .from(savedReplies)
      .where(eq(savedReplies.schoolId, b.school.id))
      .limit(1);
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await api.app.inject({
        method,
        url: `/api/saved-replies/${theirs!.id}`,
        headers: a.as.comms.headers,
        ...(method === 'PUT' ? { payload: { title: 'Mine now', body: 'Hijacked' } } : {}),
      });
      expect(res.statusCode, method).toBe(404);
    }
    expect((await list(b)).json().items.map((r: { id: string }) => r.id)).toContain(theirs!.id);
    const otherList = await list(b, a.as.comms);
    expect(otherList.statusCode).toBe(404);

    for (const [payload, message] of [
      [{ title: '', body: 'Thanks' }, /title/],
      [{ title: 'x'.repeat(81), body: 'Thanks' }, /80 characters/],
      [{ title: 'Long', body: 'x'.repeat(2_001) }, /2,000 characters/],
    ] as const) {
      const res = await post(a.as.comms, `/api/schools/${a.school.id}/saved-replies`, payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(message);
    }
  });
});

describe('the reply check', () => {
  it('lists each reason once, and only a senior leader may send a refused reply anyway', async () => {
    const s = await scene();
    const c = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      deadlineAt: hours(3),
    });
    // Two email addresses: the same problem twice.
    const text = 'Write to jo.bloggs@gmail.com or to sam.jones@gmail.com about it.';
    const refused = await post(s.as.comms, `/api/comments/${c.id}/responses`, { kind: 'public_reply', text });
    expect(refused.statusCode).toBe(422);
    const body = refused.json();
    const reasons = body.problems.map((p: { reason: string }) => p.reason);
    expect(reasons.length).toBeGreaterThan(0);
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const reason of reasons) expect(body.message.split(reason).length - 1).toBe(1);

    const comms = await post(s.as.comms, `/api/comments/${c.id}/responses`, {
      kind: 'public_reply',
      text,
      overrideReason: 'The parent asked us to share these',
    });
    expect(comms.statusCode).toBe(403);
    expect(comms.json().message).toMatch(/senior leader/);

    const detail = async (who: SignedIn) =>
      (await api.app.inject({ method: 'GET', url: `/api/comments/${c.id}`, headers: who.headers })).json();
    expect((await detail(s.as.comms)).can.overrideCheck).toBe(false);
    expect((await detail(s.as.senior)).can.overrideCheck).toBe(true);
  });
});

describe('flags', () => {
  it('lists proposals the admin can confirm first, then flags most severe first', async () => {
    const s = await scene();
    const at = { schoolId: s.school.id, accountId: s.account.id };
    const medium = await createComment(t.db, {
      ...at,
      text: 'You are useless',
      categories: ['offensive'],
      labels: [label('offensive', 'insult', 'medium')],
    });
    const high = await createComment(t.db, {
      ...at,
      text: 'I will hurt you',
      postedAt: new Date(Date.now() - 3_600_000),
      categories: ['offensive'],
      labels: [label('offensive', 'threat', 'high')],
    });
    const low = await createComment(t.db, {
      ...at,
      text: 'Rubbish',
      categories: ['offensive'],
      labels: [label('offensive', 'profanity', 'low')],
    });
    // The colleague proposed one delete (the comms admin may confirm it); comms proposed another.
    const propose = async (who: SignedIn, commentId: string) => {
      const res = await post(who, `/api/comments/${commentId}/actions`, {
        kind: 'delete',
        reasonCategory: 'abusive',
        reasonText: 'Abuse aimed at staff',
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json().action.id as string;
    };
    const mineToConfirm = await propose(s.as.colleague, medium.id);
    const own = await propose(s.as.comms, low.id);

    const res = await api.app.inject({ method: 'GET', url: '/api/flags', headers: s.as.comms.headers });
    expect(res.statusCode).toBe(200);
    const flags = res.json();
    expect(flags.pending.map((p: { id: string }) => p.id)).toEqual([mineToConfirm, own]);
    expect(flags.pending[0].canConfirm).toBe(true);
    expect(flags.flagged.map((f: { id: string }) => f.id)).toEqual([high.id, medium.id, low.id]);
    expect(flags.flagged.map((f: { severity: string }) => f.severity)).toEqual(['high', 'medium', 'low']);

    const refused = await api.app.inject({ method: 'GET', url: '/api/flags', headers: s.as.auditor.headers });
    expect(refused.statusCode).toBe(403);
  });
});

describe('flag notifications', () => {
  it('turns a burst of flagged comments into one notification for each admin, while safeguarding goes at once', async () => {
    const s = await scene();
    const dsl = await createUser(t.db, {
      trustId: s.school.trustId,
      roles: [{ schoolId: s.school.id, role: 'safeguarding_lead' }],
    });
    const steps = createProcessingSteps({ classifiers: new SchoolClassifierCache(api.config.encryptionKey) });
    const arrive = async (text: string) => {
      const c = await createComment(t.db, { schoolId: s.school.id, accountId: s.account.id, text });
      await processComment(systemContext(t.db, 'test processing'), { commentId: c.id }, steps);
      return c;
    };
    const rude = [await arrive('you idiot'), await arrive('what an idiot'), await arrive('idiot teachers')];
    const worry = await arrive('I am scared to go home');
    const flaggedIds = (
      await t.db
        .select()
        .from(comments)
        .where(
          inArray(
            comments.id,
            rude.map((c) => c.id),
          ),
        )
    )
      .filter((c) => c.categories.includes('offensive'))
      .map((c) => c.id);
    expect(flaggedIds).toHaveLength(3);

    for (const admin of [s.comms, s.colleague]) {
      const notes = await t.db.select().from(notifications).where(eq(notifications.userId, admin.id));
      expect(notes.map((n) => n.event)).toEqual(['comment.flagged']);
    }
    const listed = await api.app.inject({
      method: 'GET',
      url: '/api/notifications',
      headers: s.as.comms.headers,
    });
    const [digest] = listed.json().items;
    expect(digest.title).toBe('3 offensive comments flagged');
    expect(digest.items.map((i: { commentId: string }) => i.commentId)).toEqual(rude.map((c) => c.id));

    const dslNotes = await t.db.select().from(notifications).where(eq(notifications.userId, dsl.id));
    expect(dslNotes).toHaveLength(1);
    expect(dslNotes[0]).toMatchObject({
      event: 'escalation.safeguarding',
      urgency: 'urgent',
      subjectId: worry.id,
    });
  });

  it('batches a burst of flags into one notification per admin listing each comment, bounded', async () => {
    const s = await scene();
    const { notifyFlagDigest } = await import('../../../services/notifications/notify-flag-digest.js');
    const texts = ['first <b>rude</b> comment', 'second rude comment', 'x'.repeat(1_000)];
    const made = [];
    for (const text of texts) {
      const c = await createComment(t.db, { schoolId: s.school.id, accountId: s.account.id, text });
      made.push(c);
      await t.db.transaction((tx) =>
        notifyFlagDigest(tx, {
          schoolId: s.school.id,
          userIds: [s.comms.id, s.colleague.id],
          commentId: c.id,
          onAccount: '@oakfield on X',
          body: 'A comment was flagged as insult.',
        }),
      );
    }
    const rows = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.comms.id), eq(notifications.event, 'comment.flagged')));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.title).toBe('3 offensive comments flagged');

    const res = await api.app.inject({
      method: 'GET',
      url: '/api/notifications',
      headers: s.as.comms.headers,
    });
    const [digest] = res.json().items.filter((n: { event: string }) => n.event === 'comment.flagged');
    expect(digest.items.map((i: { commentId: string }) => i.commentId)).toEqual(made.map((c) => c.id));
    expect(digest.items[0].text).toBe('first <b>rude</b> comment');
    expect(digest.items[2].text.length).toBeLessThanOrEqual(281);
    expect(digest.title).not.toContain('rude');

    // Once read, the next flag starts a new notification.
    await api.app.inject({
      method: 'POST',
      url: `/api/notifications/${digest.id}/read`,
      headers: s.as.comms.headers,
    });
    const next = await createComment(t.db, { schoolId: s.school.id, accountId: s.account.id, text: 'again' });
    await t.db.transaction((tx) =>
      notifyFlagDigest(tx, {
        schoolId: s.school.id,
        userIds: [s.comms.id],
        commentId: next.id,
        onAccount: '@oakfield on X',
        body: 'A comment was flagged as insult.',
      }),
    );
    const after = await t.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.comms.id), eq(notifications.event, 'comment.flagged')));
    expect(after).toHaveLength(2);
  });
});

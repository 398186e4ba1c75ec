import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditPersonalData,
  classifierCorrections,
  comments,
  escalations,
  moderationActions,
  notifications,
  type StoredLabel,
  schoolLexiconEntries,
} from '../../../db/schema/index.js';
import { redactComments } from '../../../services/audit/redact-comments.js';
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

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
}, 60_000);
afterAll(async () => {
  await api?.close();
  if (api) await clearRedisPrefix(api.config.redisPrefix);
  await t?.drop();
});

const INSULT: StoredLabel = {
  category: 'offensive',
  subcategory: 'insult',
  severity: 'high',
  spans: [[8, 13]],
  source: 'lexicon:insults',
};

async function scene(options: { trustId?: string; autoHide?: boolean } = {}) {
  const school = await createSchool(t.db, options.trustId ? { trustId: options.trustId } : {});
  const role = (r: 'trust_admin' | 'senior_leader' | 'comms' | 'safeguarding_lead' | 'auditor') =>
    createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: r }] });
  const trustAdmin = await role('trust_admin');
  const senior = await role('senior_leader');
  const comms = await role('comms');
  const dsl = await role('safeguarding_lead');
  const auditor = await role('auditor');
  const admin = await role('comms');
  const account = await createAccount(t.db, {
    schoolId: school.id,
    adminIds: [admin.id],
    // With auto-hide on and the threshold at high, a high-severity offensive label would hide at once.
    settings: options.autoHide ? { autoHide: true, offensiveThreshold: 'high' } : {},
  });
  const plain = (text: string) =>
    createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      text,
      processedAt: new Date(),
      classifierVersion: 'test-1',
    });
  const insult = () =>
    createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      text: 'you are idiots, the lot of you',
      labels: [INSULT],
      categories: ['offensive'],
      processedAt: new Date(),
      classifierVersion: 'test-1',
    });
  return { school, trustAdmin, senior, comms, dsl, auditor, admin, account, plain, insult };
}

async function call(userId: string, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function postForm(userId: string, url: string, form: Record<string, string>) {
  const session = await signIn(t.db, userId);
  const body = new URLSearchParams({ _csrf: session.csrfToken, ...form });
  return api.app.inject({
    method: 'POST',
    url,
    headers: { ...session.headers, 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}

/** Follows a form's 303 as the same person, carrying the flash message cookie it set. */
async function follow(userId: string, res: Awaited<ReturnType<typeof postForm>>) {
  const { headers } = await signIn(t.db, userId);
  const flash = res.cookies.find((c) => c.name === 'hm_flash');
  return api.app.inject({
    method: 'GET',
    url: res.headers.location as string,
    headers: {
      ...headers,
      cookie: `${headers.cookie}${flash ? `; hm_flash=${encodeURIComponent(flash.value)}` : ''}`,
    },
  });
}

const personalOf = async (seq: number) =>
  (await t.db.select().from(auditPersonalData).where(eq(auditPersonalData.seq, seq)))[0]?.content ?? null;

const notesFor = (userId: string) =>
  t.db.select().from(notifications).where(eq(notifications.userId, userId));
const commentRow = async (id: string) => (await t.db.select().from(comments).where(eq(comments.id, id)))[0]!;

describe('flag this', () => {
  it('a missed disclosure flagged by comms reaches the safeguarding lead at once, audited and listed for review', async () => {
    const s = await scene();
    const c = await s.plain('i have not eaten properly for days, please dont tell my mum i said');
    expect(await notesFor(s.dsl.id)).toEqual([]);

    const res = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, {
      category: 'safeguarding',
      subcategory: 'neglect',
      note: 'Sounds like neglect',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'missed', categories: ['safeguarding'] });
    expect(res.json().routes).toContain('escalate_safeguarding');

    const lead = await notesFor(s.dsl.id);
    expect(lead).toHaveLength(1);
    expect(lead[0]).toMatchObject({
      event: 'escalation.safeguarding',
      urgency: 'urgent',
      link: `/comments/${c.id}`,
    });
    const [escalation] = await t.db.select().from(escalations).where(eq(escalations.commentId, c.id));
    expect(escalation).toMatchObject({ kind: 'safeguarding', status: 'open' });

    const row = await commentRow(c.id);
    expect(row.categories).toEqual(['safeguarding']);
    expect(row.labels).toEqual([
      {
        category: 'safeguarding',
        subcategory: 'neglect',
        severity: 'high',
        spans: [],
        source: 'staff',
        confidence: 1,
      },
    ]);
    const entry = await expectAuditEntry(t.db, {
      action: 'comment.corrected',
      subjectId: c.id,
      actorId: s.comms.id,
      details: {
        correction: 'missed',
        category: 'safeguarding',
        categoriesBefore: [],
        categoriesAfter: ['safeguarding'],
      },
    });
    // The note is staff words about a member of the public: beside the chain, not in it.
    expect(JSON.stringify(entry.details)).not.toContain('Sounds like');
    expect(await personalOf(entry.seq)).toEqual({ note: 'Sounds like neglect' });
    await expectAuditEntry(t.db, { action: 'escalation.raised', schoolId: s.school.id });

    const list = await call(s.trustAdmin.id, 'GET', `/api/schools/${s.school.id}/corrections`);
    expect(list.statusCode).toBe(200);
    expect(list.json().corrections).toEqual([
      expect.objectContaining({
        commentId: c.id,
        kind: 'missed',
        category: 'safeguarding',
        reviewStatus: 'pending',
        categoriesBefore: [],
        categoriesNow: ['safeguarding'],
        commentText: 'i have not eaten properly for days, please dont tell my mum i said',
      }),
    ]);
  });

  it("an offensive flag reaches the account's admins and the Flags page, and never hides the comment by itself", async () => {
    const s = await scene({ autoHide: true });
    const c = await s.plain('Mr Hughes is a total wazzock');
    const flagsBefore = await call(s.admin.id, 'GET', '/flags');
    expect(flagsBefore.body).not.toContain(`/comments/${c.id}`);

    const res = await call(s.senior.id, 'POST', `/api/comments/${c.id}/corrections/flag`, {
      category: 'offensive',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().routes).toContain('flag_admins');
    const admin = await notesFor(s.admin.id);
    expect(admin.map((n) => n.event)).toEqual(['comment.flagged']);
    expect((await call(s.admin.id, 'GET', '/flags')).body).toContain(`/comments/${c.id}`);
    expect(await t.db.select().from(moderationActions).where(eq(moderationActions.commentId, c.id))).toEqual(
      [],
    );
    await expectAuditEntry(t.db, { action: 'comment.flagged', subjectId: c.id });
  });

  it('flagging what the classifier already flagged confirms it: nothing is routed twice and nothing waits for review', async () => {
    const s = await scene();
    const c = await s.insult();
    const res = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, {
      category: 'offensive',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'confirmed', routes: [] });
    expect(await notesFor(s.admin.id)).toEqual([]);
    expect((await commentRow(c.id)).labels).toEqual([INSULT]);
    const pending = await call(s.trustAdmin.id, 'GET', `/api/schools/${s.school.id}/corrections`);
    expect(pending.json().corrections).toEqual([]);
    // The comment page's "Right" button on the flag does the same.
    const page = await call(s.comms.id, 'GET', `/comments/${c.id}`);
    expect(page.body).toContain('Right: confirm the offensive flag');
    const button = await postForm(s.comms.id, `/comments/${c.id}/flag`, { category: 'offensive', note: '' });
    expect(button.headers.location).toBe(`/comments/${c.id}`);
    expect((await follow(s.comms.id, button)).body).toContain('your confirmation is recorded');
    const all = await call(s.trustAdmin.id, 'GET', `/api/schools/${s.school.id}/corrections?status=all`);
    expect(all.json().corrections).toEqual([
      expect.objectContaining({ kind: 'confirmed', reviewStatus: 'not_needed' }),
      expect.objectContaining({ kind: 'confirmed', reviewStatus: 'not_needed' }),
    ]);
    expect(await notesFor(s.admin.id)).toEqual([]);
  });

  it('the comment page form flags a safeguarding concern and says the lead has been told', async () => {
    const s = await scene();
    const c = await s.plain(
      'the man in the blue car outside the gates keeps asking year 5s to come and see his puppies',
    );
    const res = await postForm(s.comms.id, `/comments/${c.id}/flag`, { category: 'safeguarding', note: '' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/comments/${c.id}`);
    const page = await follow(s.comms.id, res);
    expect(page.body).toContain('the safeguarding leads have been told now');
    expect(await notesFor(s.dsl.id)).toHaveLength(1);
  });
  it('the comment page shows a refused flag beside its form, and changes nothing', async () => {
    const s = await scene();
    const c = await s.plain('hello');
    const res = await postForm(s.comms.id, `/comments/${c.id}/flag`, { category: 'rudeness', note: '' });
    expect(res.statusCode).toBe(400);
    // The GOV.UK summary in words, linked to the category field; not zod's text.
    expect(res.body).toMatch(
      /<div class="error-summary"[^>]*>.*<a href="#flag-category">Choose a category: offensive, safeguarding, personal data, media enquiry/,
    );
    expect(res.body).not.toContain('✖');
    expect((await commentRow(c.id)).labels).toEqual([]);
    // The form's "Choose…" (no category chosen) is refused the same way, never a 500.
    const empty = await postForm(s.comms.id, `/comments/${c.id}/flag`, { category: '', note: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Choose a category: offensive, safeguarding');
    expect((await commentRow(c.id)).labels).toEqual([]);
    const auditorPage = await call(s.auditor.id, 'GET', `/comments/${c.id}`);
    expect(auditorPage.statusCode).toBe(200);
    expect(auditorPage.body).not.toContain('id="flag-this"');
  });
});

describe('not a problem', () => {
  it('clears an offensive flag from the comment and the Flags page, says so, and is audited', async () => {
    const s = await scene();
    const c = await s.insult();
    expect((await call(s.admin.id, 'GET', '/flags')).body).toContain(`/comments/${c.id}`);

    const res = await postForm(s.admin.id, `/comments/${c.id}/not-a-problem`, {
      category: 'offensive',
      reason: 'A parent quoting the film title',
    });
    expect(res.statusCode).toBe(303);
    const page = await follow(s.admin.id, res);
    expect(page.body).toContain('the flag is cleared from the comment and the Flags page');
    expect((await call(s.admin.id, 'GET', '/flags')).body).not.toContain(`/comments/${c.id}`);
    const row = await commentRow(c.id);
    expect(row.labels).toEqual([]);
    expect(row.categories).toEqual([]);
    const entry = await expectAuditEntry(t.db, {
      action: 'comment.corrected',
      subjectId: c.id,
      actorId: s.admin.id,
      details: { correction: 'overturned', category: 'offensive', categoriesAfter: [] },
    });
    expect(await personalOf(entry.seq)).toEqual({ reason: 'A parent quoting the film title' });
    const [correction] = await t.db
      .select()
      .from(classifierCorrections)
      .where(eq(classifierCorrections.commentId, c.id));
    expect(correction).toMatchObject({ kind: 'overturned', reviewStatus: 'pending', labelsBefore: [INSULT] });
  });

  it('leaves a safeguarding escalation open for the lead, and says so', async () => {
    const s = await scene();
    const c = await s.plain('my friend says her uncle hurts her');
    await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, { category: 'safeguarding' });
    const res = await call(s.senior.id, 'POST', `/api/comments/${c.id}/corrections/not-a-problem`, {
      category: 'safeguarding',
      reason: 'A line from the school play',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'overturned', categories: [], openEscalations: 1 });
    const [escalation] = await t.db.select().from(escalations).where(eq(escalations.commentId, c.id));
    expect(escalation!.status).toBe('open');
  });

  it('refuses a flag the comment does not have (409) and a missing reason (400)', async () => {
    const s = await scene();
    const c = await s.insult();
    const none = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/not-a-problem`, {
      category: 'safeguarding',
      reason: 'x',
    });
    expect(none.statusCode).toBe(409);
    expect(none.json().message).toContain('no safeguarding flag');
    const noReason = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/not-a-problem`, {
      category: 'offensive',
      reason: '  ',
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().message).toContain('say why it is not a problem');
    expect((await commentRow(c.id)).labels).toEqual([INSULT]);
  });
});

describe('bad input and access', () => {
  it('names what was wrong: an unknown category, an over-long note, a bad month', async () => {
    const s = await scene();
    const c = await s.plain('hello');
    const bad = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, {
      category: 'rude',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('choose a category');
    const long = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, {
      category: 'spam',
      note: 'x'.repeat(2_001),
    });
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toContain('2,000 characters');
    const month = await call(
      s.senior.id,
      'GET',
      `/api/schools/${s.school.id}/classifier-quality?month=2026-13`,
    );
    expect(month.statusCode).toBe(400);
    expect(month.json().message).toContain('YYYY-MM');
    const outcome = await call(
      s.trustAdmin.id,
      'POST',
      `/api/schools/${s.school.id}/corrections/${c.id}/review`,
      {
        outcome: 'burn',
      },
    );
    expect(outcome.statusCode).toBe(400);
    expect(outcome.json().message).toContain('choose an outcome');
    expect(
      await t.db.select().from(classifierCorrections).where(eq(classifierCorrections.commentId, c.id)),
    ).toEqual([]);
  });

  it('lets any staff correct but auditors; the review list is for trust admins; the report for leaders, trust admins and auditors', async () => {
    const s = await scene();
    for (const who of [s.comms, s.senior, s.dsl, s.trustAdmin, s.admin]) {
      const c = await s.plain('hello there');
      const res = await call(who.id, 'POST', `/api/comments/${c.id}/corrections/flag`, { category: 'spam' });
      expect(res.statusCode, 'a staff flag').toBe(201);
    }
    const c = await s.plain('hello there');
    expect(
      (await call(s.auditor.id, 'POST', `/api/comments/${c.id}/corrections/flag`, { category: 'spam' }))
        .statusCode,
    ).toBe(403);
    for (const who of [s.comms, s.senior, s.dsl, s.auditor]) {
      expect((await call(who.id, 'GET', `/api/schools/${s.school.id}/corrections`)).statusCode).toBe(403);
      expect((await call(who.id, 'GET', '/corrections')).statusCode).toBe(403);
    }
    for (const who of [s.senior, s.trustAdmin, s.auditor]) {
      expect(
        (await call(who.id, 'GET', `/api/schools/${s.school.id}/classifier-quality?month=2026-12`))
          .statusCode,
      ).toBe(200);
      expect(
        (await call(who.id, 'GET', `/reports/classifier-quality?schoolId=${s.school.id}`)).statusCode,
      ).toBe(200);
    }
    for (const who of [s.comms, s.dsl]) {
      expect((await call(who.id, 'GET', `/api/schools/${s.school.id}/classifier-quality`)).statusCode).toBe(
        403,
      );
    }
  });

  it("refuses another school's and another trust's comments and corrections with 404", async () => {
    const s = await scene();
    const sibling = await scene({ trustId: s.school.trustId });
    const stranger = await scene();
    const c = await s.insult();
    const flagged = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/not-a-problem`, {
      category: 'offensive',
      reason: 'fine',
    });
    const id = flagged.json().correctionId as string;
    for (const other of [sibling, stranger]) {
      expect(
        (await call(other.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, { category: 'spam' }))
          .statusCode,
      ).toBe(404);
      expect(
        (await call(other.trustAdmin.id, 'GET', `/api/schools/${s.school.id}/corrections`)).statusCode,
      ).toBe(404);
      const review = await call(
        other.trustAdmin.id,
        'POST',
        `/api/schools/${s.school.id}/corrections/${id}/review`,
        {
          outcome: 'dismiss',
        },
      );
      expect(review.statusCode).toBe(404);
      // Their own school in the path, this school's correction id: still not found.
      const crossed = await call(
        other.trustAdmin.id,
        'POST',
        `/api/schools/${other.school.id}/corrections/${id}/review`,
        { outcome: 'dismiss' },
      );
      expect(crossed.statusCode).toBe(404);
      expect(
        (await call(other.senior.id, 'GET', `/api/schools/${s.school.id}/classifier-quality?month=2026-12`))
          .statusCode,
      ).toBe(404);
    }
    const [row] = await t.db.select().from(classifierCorrections).where(eq(classifierCorrections.id, id));
    expect(row!.reviewStatus).toBe('pending');
  });
});

describe('the review list', () => {
  const worker = () => new SchoolClassifierCache(api.config.encryptionKey);
  async function ingest(s: Awaited<ReturnType<typeof scene>>, text: string) {
    const comment = await createComment(t.db, { schoolId: s.school.id, accountId: s.account.id, text });
    await processComment(systemContext(t.db, 'test processing'), { commentId: comment.id }, [
      ...createProcessingSteps({ classifiers: worker() }),
    ]);
    return commentRow(comment.id);
  }

  it('turns a miss into a school term the classifier flags from the next comment; reviewing twice is a conflict', async () => {
    const s = await scene();
    const c = await s.plain('that new dinner lady is a proper flobberknob');
    const flag = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/flag`, {
      category: 'offensive',
    });
    const id = flag.json().correctionId as string;
    const res = await postForm(s.trustAdmin.id, `/corrections/${s.school.id}/${id}/review`, {
      outcome: 'term',
      term: 'flobberknob',
      severity: 'medium',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/corrections?schoolId=${s.school.id}`);
    const page = await follow(s.trustAdmin.id, res);
    expect(page.body).toContain('Added as a school term');
    const [entry] = await t.db
      .select()
      .from(schoolLexiconEntries)
      .where(
        and(eq(schoolLexiconEntries.schoolId, s.school.id), eq(schoolLexiconEntries.term, 'flobberknob')),
      );
    expect(entry).toMatchObject({ kind: 'term', category: 'offensive', severity: 'medium' });
    expect((await ingest(s, 'you flobberknob')).categories).toEqual(['offensive']);
    await expectAuditEntry(t.db, {
      action: 'correction.reviewed',
      subjectId: id,
      actorId: s.trustAdmin.id,
      details: { outcome: 'term_added', term: 'flobberknob', lexiconEntryId: entry!.id },
    });
    await expectAuditEntry(t.db, { action: 'school.lexicon_changed', schoolId: s.school.id });

    const again = await call(
      s.trustAdmin.id,
      'POST',
      `/api/schools/${s.school.id}/corrections/${id}/review`,
      {
        outcome: 'dismiss',
      },
    );
    expect(again.statusCode).toBe(409);
  });

  it('turns an overturned flag into an allow-list entry, never into a term', async () => {
    const s = await scene();
    const c = await s.insult();
    const clear = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/not-a-problem`, {
      category: 'offensive',
      reason: 'Quoting',
    });
    const id = clear.json().correctionId as string;
    const term = await call(s.trustAdmin.id, 'POST', `/api/schools/${s.school.id}/corrections/${id}/review`, {
      outcome: 'term',
      term: 'idiots',
    });
    expect(term.statusCode).toBe(400);
    const allow = await call(
      s.trustAdmin.id,
      'POST',
      `/api/schools/${s.school.id}/corrections/${id}/review`,
      {
        outcome: 'allow',
        term: 'the lot of you',
      },
    );
    expect(allow.statusCode).toBe(200);
    expect(allow.json()).toMatchObject({ reviewStatus: 'allow_added' });
    const [entry] = await t.db
      .select()
      .from(schoolLexiconEntries)
      .where(eq(schoolLexiconEntries.id, allow.json().lexiconEntryId));
    expect(entry).toMatchObject({ kind: 'allow', term: 'the lot of you' });
  });

  it('keeps examples for the next training run and downloads them in the corpus format; dismissed ones are left out', async () => {
    const s = await scene();
    const missed = await s.plain(
      'me and my mates are taking a parcel to the estate for the older lads after school',
    );
    const fine = await s.insult();
    const dismissed = await s.plain('buy cheap followers now');
    const a = await call(s.comms.id, 'POST', `/api/comments/${missed.id}/corrections/flag`, {
      category: 'safeguarding',
      subcategory: 'exploitation',
    });
    const b = await call(s.comms.id, 'POST', `/api/comments/${fine.id}/corrections/not-a-problem`, {
      category: 'offensive',
      reason: 'banter between parents',
    });
    const d = await call(s.comms.id, 'POST', `/api/comments/${dismissed.id}/corrections/flag`, {
      category: 'spam',
    });
    for (const [res, outcome] of [
      [a, 'example'],
      [b, 'example'],
      [d, 'dismiss'],
    ] as const) {
      const r = await call(
        s.trustAdmin.id,
        'POST',
        `/api/schools/${s.school.id}/corrections/${res.json().correctionId}/review`,
        {
          outcome,
        },
      );
      expect(r.statusCode).toBe(200);
    }
    const file = await call(s.trustAdmin.id, 'GET', `/api/schools/${s.school.id}/corrections/examples.jsonl`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-disposition']).toContain('staff-corrections.jsonl');
    const rows = file.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toEqual([
      {
        id: `staff-${a.json().correctionId}`,
        text: 'me and my mates are taking a parcel to the estate for the older lads after school',
        expect: ['safeguarding'],
        kind: 'safeguarding',
        subkind: 'exploitation',
      },
      {
        id: `staff-${b.json().correctionId}`,
        text: 'you are idiots, the lot of you',
        expect: [],
        kind: 'hard_negative',
        subkind: 'insult',
      },
    ]);
    expect(
      (await call(s.comms.id, 'GET', `/api/schools/${s.school.id}/corrections/examples.jsonl`)).statusCode,
    ).toBe(403);
  });
});

describe('the monthly quality report', () => {
  it('counts flags confirmed, overturned and missed by category for the chosen month only', async () => {
    const s = await scene();
    const [c1, c2, c3] = [await s.insult(), await s.insult(), await s.insult()];
    await call(s.comms.id, 'POST', `/api/comments/${c1.id}/corrections/flag`, { category: 'offensive' });
    await call(s.comms.id, 'POST', `/api/comments/${c2.id}/corrections/not-a-problem`, {
      category: 'offensive',
      reason: 'fine',
    });
    await call(s.comms.id, 'POST', `/api/comments/${c3.id}/corrections/flag`, { category: 'safeguarding' });
    const p = await s.plain('reporter from the echo here, any comment on the closure?');
    await call(s.comms.id, 'POST', `/api/comments/${p.id}/corrections/flag`, { category: 'media_enquiry' });
    // One from October (23:30 on 31 October in London is still October: summer time ended on the 25th).
    const old = await s.plain('old');
    const r = await call(s.comms.id, 'POST', `/api/comments/${old.id}/corrections/flag`, {
      category: 'spam',
    });
    await t.db
      .update(classifierCorrections)
      .set({ createdAt: new Date('2026-10-31T23:30:00Z') })
      .where(eq(classifierCorrections.id, r.json().correctionId));
    const thisMonth = new Date().toISOString().slice(0, 7);

    const res = await call(
      s.auditor.id,
      'GET',
      `/api/schools/${s.school.id}/classifier-quality?month=${thisMonth}`,
    );
    expect(res.statusCode).toBe(200);
    const report = res.json();
    const row = (category: string) => report.rows.find((x: { category: string }) => x.category === category);
    expect(row('offensive')).toEqual({ category: 'offensive', confirmed: 1, overturned: 1, missed: 0 });
    expect(row('safeguarding')).toEqual({ category: 'safeguarding', confirmed: 0, overturned: 0, missed: 1 });
    expect(row('media_enquiry')).toEqual({
      category: 'media_enquiry',
      confirmed: 0,
      overturned: 0,
      missed: 1,
    });
    expect(row('spam')).toEqual({ category: 'spam', confirmed: 0, overturned: 0, missed: 0 });
    expect(report.totals).toEqual({ confirmed: 1, overturned: 1, missed: 2 });

    const october = await call(
      s.senior.id,
      'GET',
      `/api/schools/${s.school.id}/classifier-quality?month=2026-10`,
    );
    expect(october.json().totals).toEqual({ confirmed: 0, overturned: 0, missed: 1 });
    const page = await call(
      s.senior.id,
      'GET',
      `/reports/classifier-quality?schoolId=${s.school.id}&month=2026-10`,
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /<tr data-category="spam"><th scope="row">spam<\/th><td>0<\/td><td>0<\/td><td>1<\/td>/,
    );
    const deadlines = await call(s.senior.id, 'GET', `/deadlines?schoolId=${s.school.id}`);
    expect(deadlines.body).toContain(`/reports/classifier-quality?schoolId=${s.school.id}`);
  });
});

describe('retention', () => {
  it('redacting a corrected comment removes the staff note and reason, keeps the counts, and it can no longer be an example', async () => {
    const s = await scene();
    const c = await s.insult();
    const res = await call(s.comms.id, 'POST', `/api/comments/${c.id}/corrections/not-a-problem`, {
      category: 'offensive',
      reason: 'Her mum Jo Bloggs told us it was a joke',
    });
    const id = res.json().correctionId as string;
    const entry = await expectAuditEntry(t.db, { action: 'comment.corrected', subjectId: c.id });
    await t.db.transaction((tx) =>
      redactComments(tx, systemContext(t.db, 'test retention'), [c.id], { kind: 'erasure', detail: 'asked' }),
    );
    const [row] = await t.db.select().from(classifierCorrections).where(eq(classifierCorrections.id, id));
    expect(row).toMatchObject({ kind: 'overturned', category: 'offensive', note: '' });
    expect(await personalOf(entry.seq)).toBeNull();
    const list = await call(s.trustAdmin.id, 'GET', `/api/schools/${s.school.id}/corrections`);
    expect(list.json().corrections).toEqual([expect.objectContaining({ id, commentText: null, note: '' })]);
    const example = await call(
      s.trustAdmin.id,
      'POST',
      `/api/schools/${s.school.id}/corrections/${id}/review`,
      {
        outcome: 'example',
      },
    );
    expect(example.statusCode).toBe(422);
    expect(example.json().message).toContain('redacted');
  });
});

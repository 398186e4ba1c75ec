import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalations, moderationActions, socialAccounts } from '../../../db/schema/index.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createComment, createUser } from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { staffScene } from './staff-fixture.js';

let t: TestDatabase;
let api: TestApp;
let a: Awaited<ReturnType<typeof staffScene>>;
let b: Awaited<ReturnType<typeof staffScene>>;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  a = await staffScene(t.db);
  b = await staffScene(t.db, { trustId: a.school.trustId });
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

async function open(userId: string, url: string, extraCookie = '') {
  const session = await signIn(t.db, userId);
  const cookie = extraCookie ? `${session.headers.cookie}; ${extraCookie}` : session.headers.cookie;
  return api.app.inject({ url, headers: { cookie } });
}

/** Posts a form the way a browser does: urlencoded, the CSRF token in the _csrf field. */
async function postForm(
  session: SignedIn,
  url: string,
  fields: Record<string, string | string[]>,
  csrf = true,
) {
  const body = new URLSearchParams();
  if (csrf) body.append('_csrf', session.csrfToken);
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return api.app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}

/** Follows a 303 as the browser would, carrying the flash cookie it set. */
async function follow(session: SignedIn, res: Awaited<ReturnType<typeof postForm>>) {
  expect(res.statusCode).toBe(303);
  const setCookie = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('hm_flash='));
  const cookie = [session.headers.cookie, setCookie?.split(';')[0]].filter(Boolean).join('; ');
  return api.app.inject({ url: String(res.headers.location), headers: { cookie } });
}

const navLinks = (html: string) =>
  [...(html.match(/<nav class="site-nav"[\s\S]*?<\/nav>/)?.[0] ?? '').matchAll(/>([A-Za-z]+)<\/a>/g)].map(
    (m) => m[1],
  );

describe('navigation', () => {
  it('shows each person the sections their roles open, with a skip link and sign-out', async () => {
    const comms = await open(a.comms.id, '/');
    expect(comms.statusCode).toBe(200);
    expect(comms.body).toContain('<a class="skip-link" href="#main">');
    expect(comms.body).toContain('id="main"');
    expect(comms.body).toContain('action="/auth/sign-out"');
    expect(navLinks(comms.body)).toEqual(['Inbox', 'Accounts', 'Deadlines', 'Policy']);
    expect(navLinks((await open(a.adminA.id, '/')).body)).toEqual([
      'Inbox',
      'Flags',
      'Accounts',
      'Deadlines',
      'Policy',
    ]);
    expect(navLinks((await open(a.senior.id, '/')).body)).toEqual([
      'Inbox',
      'Escalations',
      'Approvals',
      'Accounts',
      'Deadlines',
      'Audit',
      'Policy',
      'Settings',
    ]);
    expect(navLinks((await open(a.safeguarding.id, '/flags')).body)).toEqual([
      'Inbox',
      'Safeguarding',
      'Accounts',
      'Policy',
      'Settings',
    ]);
    const approvals = await open(a.senior.id, '/approvals');
    expect(approvals.body).toContain('<a href="/approvals" aria-current="page">Approvals</a>');
  });

  it('opens the retention and classifier reports from Deadlines for those who may read them', async () => {
    const head = await open(a.senior.id, '/deadlines');
    const links = head.body.match(/<nav aria-label="Other reports"[\s\S]*?<\/nav>/)?.[0] ?? '';
    expect(links).toContain(`href="/reports/retention?schoolId=${a.school.id}"`);
    expect(links).toContain(`href="/reports/classifier-quality?schoolId=${a.school.id}"`);
    expect(links).toContain('href="/follow-ups"');
    expect((await open(a.senior.id, `/reports/retention?schoolId=${a.school.id}`)).statusCode).toBe(200);
    // Comms cannot open those two reports, so is not offered them.
    const comms = await open(a.comms.id, '/deadlines');
    expect(comms.body).not.toContain('/reports/retention');
    expect(comms.body).toContain('href="/follow-ups"');
  });
});

describe('flags', () => {
  it('shows an admin the offensive flags, the proposal to confirm, and failed actions with their error', async () => {
    const res = await open(a.adminA.id, '/flags');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('&lt;script>alert(1)&lt;/script> you idiot');
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).toContain('offensive: insult');
    expect(res.body).toContain(`action="/web/actions/${a.proposal.id}/confirm"`);
    expect(res.body).toContain('Confirm delete');
    expect(res.body).toContain('X answered 403: not permitted');
    expect(res.body).not.toContain(b.account.handle);
  });

  it('names a Facebook commenter by name, without an @, on Flags and Escalations', async () => {
    const scene = await staffScene(t.db, { trustId: a.school.trustId });
    const page = await createAccount(t.db, {
      schoolId: scene.school.id,
      platform: 'facebook',
      handle: `Oakfield Page ${scene.school.id.slice(0, 4)}`,
      adminIds: [scene.adminA.id, scene.adminB.id],
    });
    const comment = await createComment(t.db, {
      schoolId: scene.school.id,
      accountId: page.id,
      authorHandle: 'Chloe Day',
      authorName: 'Chloe Day',
      text: 'you lot are idiots',
      categories: ['offensive'],
      labels: [{ category: 'offensive', subcategory: 'insult', severity: 'high', spans: [], source: 'test' }],
    });
    await t.db
      .insert(escalations)
      .values({ schoolId: scene.school.id, commentId: comment.id, kind: 'senior_leader', reason: 'Abuse' });
    const flags = (await open(scene.adminA.id, '/flags')).body;
    expect(flags).toContain('<bdi>Chloe Day</bdi>');
    expect(flags).not.toContain('@<bdi>Chloe Day');
    const queue = (await open(scene.senior.id, '/escalations')).body;
    expect(queue).toContain('<bdi>Chloe Day</bdi>');
    expect(queue).not.toContain('@<bdi>Chloe Day');
  });

  it('does not offer the proposer their own confirmation', async () => {
    const res = await open(a.adminB.id, '/flags');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('Confirm delete');
    expect(res.body).toContain('You proposed this');
  });

  it('refuses people who administer no account', async () => {
    for (const user of [a.comms, a.safeguarding, a.auditor]) {
      const res = await open(user.id, '/flags');
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('Only account admins or trust admins may see flags');
    }
  });

  it('confirms a proposal through the form, and refuses it without the CSRF token', async () => {
    const scene = await staffScene(t.db, { trustId: a.school.trustId });
    const session = await signIn(t.db, scene.adminA.id);
    const url = `/web/actions/${scene.proposal.id}/confirm`;
    expect((await postForm(session, url, { returnTo: '/flags' }, false)).statusCode).toBe(403);
    const res = await postForm(session, url, { returnTo: '/flags' });
    expect(res.headers.location).toBe('/flags');
    const page = await follow(session, res);
    expect(page.body).toContain('Confirmed: the delete is being carried out');
    const [row] = await t.db
      .select()
      .from(moderationActions)
      .where(eq(moderationActions.id, scene.proposal.id));
    expect(row!.status).toBe('queued');
    expect(row!.confirmedBy).toBe(scene.adminA.id);
    // Another school's admin cannot even see it.
    const other = await signIn(t.db, b.adminA.id);
    expect((await postForm(other, `/web/actions/${a.proposal.id}/reject`, { reason: 'no' })).statusCode).toBe(
      404,
    );
  });
});

describe('safeguarding', () => {
  it('lists open escalations to the lead, most severe first, with reason, labels and the comment', async () => {
    const res = await open(a.safeguarding.id, '/safeguarding');
    expect(res.statusCode).toBe(200);
    const high = res.body.indexOf('Safeguarding concern: disclosure');
    const medium = res.body.indexOf('Safeguarding concern: low-level worry');
    expect(high).toBeGreaterThan(0);
    expect(medium).toBeGreaterThan(high);
    expect(res.body).toContain('safeguarding: disclosure (high)');
    expect(res.body).toContain(`href="/comments/${a.escalation.commentId}"`);
    expect(res.body).not.toContain(b.account.handle);
    for (const user of [a.comms, a.senior, a.adminA]) {
      expect((await open(user.id, '/safeguarding')).statusCode).toBe(403);
    }
  });

  it('closes an escalation only with a note, audited; another school’s lead gets 404', async () => {
    const session = await signIn(t.db, a.safeguarding.id);
    const url = `/safeguarding/${a.escalation.id}/resolve`;
    const empty = await follow(session, await postForm(session, url, { outcome: 'close', note: ' ' }));
    // The GOV.UK error summary, its link to the note box.
    expect(empty.body).toMatch(
      /<div class="error-summary"[^>]*>.*<a href="#note-\d+">Write a note saying what was done<\/a>/,
    );
    const [still] = await t.db.select().from(escalations).where(eq(escalations.id, a.escalation.id));
    expect(still!.status).toBe('open');

    const other = await signIn(t.db, b.safeguarding.id);
    expect((await postForm(other, url, { outcome: 'close', note: 'not mine' })).statusCode).toBe(404);
    const comms = await signIn(t.db, a.comms.id);
    expect((await postForm(comms, url, { outcome: 'close', note: 'not mine' })).statusCode).toBe(403);

    const done = await follow(
      session,
      await postForm(session, url, {
        outcome: 'close',
        note: 'Spoke to the family; referred to social care',
      }),
    );
    expect(done.body).toContain('Escalation closed');
    const [closed] = await t.db.select().from(escalations).where(eq(escalations.id, a.escalation.id));
    expect(closed!.status).toBe('closed');
    await expectAuditEntry(t.db, {
      action: 'escalation.closed',
      subjectId: a.escalation.id,
      actorId: a.safeguarding.id,
      details: { note: 'Spoke to the family; referred to social care', from: 'open', to: 'closed' },
    });
    // It has moved from the open list to the closed one.
    expect(done.body.indexOf('Safeguarding concern: disclosure')).toBeGreaterThan(
      done.body.indexOf('Recently closed'),
    );
  });
});

describe('approvals', () => {
  it('shows a senior leader proposals, sensitive replies, confirmations and reviews due', async () => {
    const proposed = await createAccount(t.db, {
      schoolId: a.school.id,
      handle: 'oakfield_pta',
      status: 'proposed',
      adminIds: [a.adminA.id, a.adminB.id],
    });
    const due = await createAccount(t.db, { schoolId: a.school.id, handle: 'oakfield_sport' });
    await t.db
      .update(socialAccounts)
      .set({ reviewDueAt: new Date(Date.now() + 5 * 86_400_000) })
      .where(eq(socialAccounts.id, due.id));
    const res = await open(a.senior.id, '/approvals');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`action="/approvals/accounts/${proposed.id}/decision"`);
    expect(res.body).toContain('Thank you, our head will be in touch.');
    expect(res.body).toContain(`action="/approvals/replies/${a.pendingReply.id}/approve"`);
    expect(res.body).toContain(`action="/web/actions/${a.proposal.id}/confirm"`);
    expect(res.body).toContain('Confirm (break glass)');
    expect(res.body).toContain('@oakfield_sport on X');
    expect(res.body).toContain(`action="/accounts/${due.id}/review"`);
    // School B's senior leader sees none of it.
    const other = await open(b.senior.id, '/approvals');
    expect(other.statusCode).toBe(200);
    expect(other.body).not.toContain(proposed.id);
    expect(other.body).not.toContain('oakfield_sport');
    for (const user of [a.comms, a.adminA, a.safeguarding, a.auditor]) {
      expect((await open(user.id, '/approvals')).statusCode).toBe(403);
    }
  });

  it('approves an account proposal through the form, end to end, audited', async () => {
    const proposer = await signIn(t.db, a.senior2.id);
    const proposal = await api.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: proposer.headers,
      payload: {
        schoolId: a.school.id,
        platform: 'x',
        handle: 'oakfield_music',
        purpose: 'Concert news for parents',
        audience: 'Parents and carers',
        admins: [a.adminA.id, a.adminB.id].map((userId) => ({
          userId,
          trainingCompleted: true,
          acceptableUseSigned: true,
        })),
      },
    });
    expect(proposal.statusCode).toBe(201);
    const accountId = proposal.json().id as string;

    // The proposer is shown no decision form for their own proposal.
    expect((await open(a.senior2.id, '/approvals')).body).not.toContain(
      `action="/approvals/accounts/${accountId}/decision"`,
    );
    // Another school's senior leader cannot decide it.
    const other = await signIn(t.db, b.senior.id);
    const refused = await postForm(other, `/approvals/accounts/${accountId}/decision`, {
      decision: 'approve',
      note: 'ok',
    });
    expect(refused.statusCode).toBe(404);

    const session = await signIn(t.db, a.senior.id);
    const missingNote = await follow(
      session,
      await postForm(session, `/approvals/accounts/${accountId}/decision`, { decision: 'approve', note: '' }),
    );
    expect(missingNote.body).toContain('A decision needs a written note');

    const res = await postForm(session, `/approvals/accounts/${accountId}/decision`, {
      decision: 'approve',
      note: 'Fits our policy; review in a year',
      reviewMonths: '12',
    });
    expect(res.headers.location).toBe('/approvals');
    const page = await follow(session, res);
    expect(page.body).toContain('@oakfield_music on X approved');
    expect(page.body).not.toContain(`action="/approvals/accounts/${accountId}/decision"`);
    const [account] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, accountId));
    expect(account!.status).toBe('approved');
    expect(account!.decidedBy).toBe(a.senior.id);
    await expectAuditEntry(t.db, {
      action: 'account.approved',
      subjectId: accountId,
      actorId: a.senior.id,
      details: { note: 'Fits our policy; review in a year', to: 'approved' },
    });
  });

  it('rejects a sensitive reply with a reason through the form', async () => {
    const scene = await staffScene(t.db, { trustId: a.school.trustId });
    const session = await signIn(t.db, scene.senior.id);
    const page = await follow(
      session,
      await postForm(session, `/approvals/replies/${scene.pendingReply.id}/reject`, {
        reason: 'Say nothing about Ofsted until the report is published',
      }),
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Reply rejected');
    expect(page.body).not.toContain('Thank you, our head will be in touch.');
  });
});

describe('accounts', () => {
  it('lists the school’s accounts with status, connection, admins and last poll', async () => {
    const res = await open(a.comms.id, '/accounts');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`href="/accounts/${a.account.id}"`);
    expect(res.body).toContain('Active: monitored');
    expect(res.body).toContain('working');
    expect(res.body).toContain(a.adminA.displayName);
    expect(res.body).not.toContain(b.account.id);
    expect(res.body).toContain('action="/accounts"');
    // An auditor reads the list but is offered no proposal form.
    const auditor = await open(a.auditor.id, '/accounts');
    expect(auditor.statusCode).toBe(200);
    expect(auditor.body).not.toContain('action="/accounts"');
  });

  it('answers 404 for another school’s account and shows admins the settings form', async () => {
    expect((await open(a.comms.id, `/accounts/${b.account.id}`)).statusCode).toBe(404);
    const admin = await open(a.adminA.id, `/accounts/${a.account.id}`);
    expect(admin.statusCode).toBe(200);
    expect(admin.body).toContain(`action="/accounts/${a.account.id}/settings"`);
    expect(admin.body).toContain(`action="/accounts/${a.account.id}/connect"`);
    expect(admin.body).toContain(`action="/accounts/${a.account.id}/suspend"`);
    const comms = await open(a.comms.id, `/accounts/${a.account.id}`);
    expect(comms.statusCode).toBe(200);
    expect(comms.body).not.toContain('/settings"');
  });

  it('saves settings through the form for an admin and refuses comms staff', async () => {
    const session = await signIn(t.db, a.adminA.id);
    const page = await follow(
      session,
      await postForm(session, `/accounts/${a.account.id}/settings`, {
        offensiveThreshold: 'high',
        autoHide: 'on',
        proposalExpiryHours: '48',
        purpose: 'News for parents',
        audience: 'Parents',
      }),
    );
    expect(page.body).toContain('Settings saved');
    const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, a.account.id));
    expect(row!.settings).toMatchObject({
      offensiveThreshold: 'high',
      autoHide: true,
      proposalExpiryHours: 48,
    });
    const comms = await signIn(t.db, a.comms.id);
    expect(
      (await postForm(comms, `/accounts/${a.account.id}/settings`, { offensiveThreshold: 'low' })).statusCode,
    ).toBe(403);
  });

  it('proposes an account through the form', async () => {
    const session = await signIn(t.db, a.comms.id);
    const res = await postForm(session, '/accounts', {
      schoolId: a.school.id,
      platform: 'x',
      handle: '@oakfield_drama',
      purpose: 'Drama club news',
      audience: 'Pupils’ families',
      admins: [a.adminA.id, a.adminB.id],
      confirmTraining: 'on',
    });
    const page = await follow(session, res);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('@oakfield_drama on X proposed');
    expect(page.body).toContain('Proposed: awaiting a senior leader');
  });
});

describe('deadlines', () => {
  it('shows the dashboard with charts drawn on the server and a CSV link', async () => {
    // A comment answered in time two days ago: the charts have a point to draw (with none, they
    // say "not enough data yet" instead; tests/e2e/finish.test.ts).
    const posted = new Date(Date.now() - 2 * 86_400_000);
    await createComment(t.db, {
      schoolId: a.school.id,
      accountId: a.account.id,
      postedAt: posted,
      deadlineAt: new Date(posted.getTime() + 86_400_000),
      firstResponseAt: new Date(posted.getTime() + 3_600_000),
    });
    const res = await open(a.senior.id, '/deadlines');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<svg class="chart"');
    expect(res.body).toContain('role="img"');
    expect(res.body).toContain(`/api/schools/${a.school.id}/reports/deadlines?from=`);
    expect(res.body).toContain('format=csv');
    expect(res.body).toContain('Monitoring coverage');
    expect(res.body).toContain(a.school.name);
    expect(res.body).not.toMatch(/<script(?! src="\/static\/app\.js")/);
  });

  it('refuses roles without reports and answers 404 for another school', async () => {
    expect((await open(a.safeguarding.id, '/deadlines')).statusCode).toBe(403);
    expect((await open(a.senior.id, `/deadlines?schoolId=${b.school.id}`)).statusCode).toBe(404);
    const lone = await createUser(t.db, {
      trustId: a.school.trustId,
      roles: [{ schoolId: a.school.id, role: 'auditor' }],
    });
    expect((await open(lone.id, '/deadlines')).statusCode).toBe(200);
  });
});

describe('signed out', () => {
  it('sends every staff page to the sign-in page', async () => {
    for (const url of ['/flags', '/safeguarding', '/approvals', '/accounts', '/deadlines']) {
      const res = await api.app.inject({ url });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/login');
    }
  });
});

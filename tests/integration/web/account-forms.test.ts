import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountAdmins,
  policyAcknowledgements,
  responses,
  schools,
  socialAccounts,
} from '../../../db/schema/index.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createAccount, createUser } from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { staffScene } from './staff-fixture.js';

let t: TestDatabase;
let api: TestApp;
let a: Awaited<ReturnType<typeof staffScene>>;
let b: Awaited<ReturnType<typeof staffScene>>;
let n = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  a = await staffScene(t.db);
  b = await staffScene(t.db, { trustId: a.school.trustId });
  // Activation needs the school's policy version acknowledged by two admins, and approving a
  // reply needs the approver's acknowledgement (P5).
  await t.db.update(schools).set({ policyVersionLabel: 'v3' }).where(eq(schools.id, a.school.id));
  await t.db.insert(policyAcknowledgements).values(
    [a.adminA, a.adminB, a.senior].map((u) => ({
      schoolId: a.school.id,
      userId: u.id,
      versionLabel: 'v3',
    })),
  );
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

/** A fresh account administered by admins A and B, in the given state. */
async function account(status: 'active' | 'suspended' = 'active') {
  n += 1;
  return createAccount(t.db, {
    schoolId: a.school.id,
    handle: `forms_${n}`,
    status,
    adminIds: [a.adminA.id, a.adminB.id],
  });
}

async function postForm(userId: string, url: string, fields: Record<string, string> = {}) {
  const session: SignedIn = await signIn(t.db, userId);
  const body = new URLSearchParams({ _csrf: session.csrfToken, ...fields });
  return api.app.inject({
    method: 'POST',
    url,
    headers: { cookie: session.headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}

async function page(userId: string, url: string) {
  const { headers } = await signIn(t.db, userId);
  return api.app.inject({ method: 'GET', url, headers });
}

async function statusOf(accountId: string) {
  const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, accountId));
  return row!.status;
}

async function adminsOf(accountId: string) {
  const rows = await t.db.select().from(accountAdmins).where(eq(accountAdmins.accountId, accountId));
  return rows.map((r) => r.userId).sort();
}

/** A refusal: the 403 page, nothing changed. */
function expectRefused(res: Awaited<ReturnType<typeof postForm>>, reason: string) {
  expect(res.statusCode).toBe(403);
  expect(res.headers['content-type']).toMatch(/text\/html/);
  expect(res.body).toContain(reason);
}

describe('account detail page forms', () => {
  it('suspend: an admin suspends with a note (303 back, audited); comms staff are refused', async () => {
    const acc = await account('active');
    expectRefused(
      await postForm(a.comms.id, `/accounts/${acc.id}/suspend`, { note: 'Not mine to do' }),
      'suspend an official account',
    );
    expect(await statusOf(acc.id)).toBe('active');

    const res = await postForm(a.adminA.id, `/accounts/${acc.id}/suspend`, { note: 'Half term' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/accounts/${acc.id}`);
    expect(await statusOf(acc.id)).toBe('suspended');
    await expectAuditEntry(t.db, {
      action: 'account.suspended',
      subjectId: acc.id,
      actorId: a.adminA.id,
      details: { note: 'Half term' },
    });
  });

  it('activate: an admin re-activates a suspended account; comms staff are refused', async () => {
    const acc = await account('suspended');
    expectRefused(await postForm(a.comms.id, `/accounts/${acc.id}/activate`), 'activate an official account');
    expect(await statusOf(acc.id)).toBe('suspended');

    const res = await postForm(a.adminB.id, `/accounts/${acc.id}/activate`);
    expect(res.statusCode).toBe(303);
    expect(await statusOf(acc.id)).toBe('active');
    await expectAuditEntry(t.db, { action: 'account.activated', subjectId: acc.id, actorId: a.adminB.id });
  });

  it('retire: only a senior leader retires (an admin is refused)', async () => {
    const acc = await account('active');
    expectRefused(
      await postForm(a.adminA.id, `/accounts/${acc.id}/retire`, { note: 'Closing it' }),
      'Only senior leader staff may retire an official account',
    );
    expect(await statusOf(acc.id)).toBe('active');

    const res = await postForm(a.senior.id, `/accounts/${acc.id}/retire`, {
      note: 'Merged into the main account',
    });
    expect(res.statusCode).toBe(303);
    expect(await statusOf(acc.id)).toBe('retired');
    await expectAuditEntry(t.db, {
      action: 'account.retired',
      subjectId: acc.id,
      actorId: a.senior.id,
      details: { note: 'Merged into the main account' },
    });
  });

  it('review: only a senior leader records a review (an admin is refused)', async () => {
    const acc = await account('active');
    expectRefused(
      await postForm(a.adminA.id, `/accounts/${acc.id}/review`, { outcome: 'reapprove', note: 'Fine' }),
      'Only senior leader staff may review an official account',
    );
    const res = await postForm(a.senior.id, `/accounts/${acc.id}/review`, {
      outcome: 'reapprove',
      note: 'Still needed for parents',
      reviewMonths: '6',
    });
    expect(res.statusCode).toBe(303);
    const [row] = await t.db.select().from(socialAccounts).where(eq(socialAccounts.id, acc.id));
    expect(row!.status).toBe('active');
    expect(row!.reviewDueAt!.getTime()).toBeGreaterThan(Date.now() + 150 * 86_400_000);
    await expectAuditEntry(t.db, {
      action: 'account.reviewed',
      subjectId: acc.id,
      actorId: a.senior.id,
      details: { outcome: 'reapprove', note: 'Still needed for parents' },
    });

    const suspended = await postForm(a.senior2.id, `/accounts/${acc.id}/review`, {
      outcome: 'suspend',
      note: 'Nobody posts any more',
    });
    expect(suspended.statusCode).toBe(303);
    expect(await statusOf(acc.id)).toBe('suspended');
  });

  it('admins: an admin adds and removes an admin (audited); comms staff are refused both', async () => {
    const acc = await account('active');
    const newcomer = await createUser(t.db, {
      trustId: a.school.trustId,
      displayName: 'New Admin',
      roles: [{ schoolId: a.school.id, role: 'comms' }],
    });
    expectRefused(
      await postForm(a.comms.id, `/accounts/${acc.id}/admins`, {
        userId: newcomer.id,
        trainingCompleted: 'on',
        acceptableUseSigned: 'on',
      }),
      'change the account&#39;s admins',
    );
    expect(await adminsOf(acc.id)).not.toContain(newcomer.id);

    // The form preselects nobody; sent without a choice it is refused on the page, adding nobody.
    const form = await page(a.adminA.id, `/accounts/${acc.id}`);
    expect(form.body).toMatch(
      /<select id="a-user" name="userId" required><option value="" selected>Choose a person…<\/option>/,
    );
    const nobody = await postForm(a.adminA.id, `/accounts/${acc.id}/admins`, {
      userId: '',
      trainingCompleted: 'on',
      acceptableUseSigned: 'on',
    });
    expect(nobody.statusCode).toBe(303);
    expect(await adminsOf(acc.id)).not.toContain(newcomer.id);

    const added = await postForm(a.adminA.id, `/accounts/${acc.id}/admins`, {
      userId: newcomer.id,
      trainingCompleted: 'on',
      acceptableUseSigned: 'on',
    });
    expect(added.statusCode).toBe(303);
    expect(await adminsOf(acc.id)).toContain(newcomer.id);
    await expectAuditEntry(t.db, { action: 'account.admin_added', subjectId: acc.id, actorId: a.adminA.id });

    expectRefused(
      await postForm(a.comms.id, `/accounts/${acc.id}/admins/${newcomer.id}/remove`, { note: 'No' }),
      'change the account&#39;s admins',
    );
    expect(await adminsOf(acc.id)).toContain(newcomer.id);

    const removed = await postForm(a.adminA.id, `/accounts/${acc.id}/admins/${newcomer.id}/remove`, {
      note: 'Left the comms team',
    });
    expect(removed.statusCode).toBe(303);
    expect(await adminsOf(acc.id)).not.toContain(newcomer.id);
    await expectAuditEntry(t.db, {
      action: 'account.admin_removed',
      subjectId: acc.id,
      actorId: a.adminA.id,
    });
  });

  it("another school's senior leader gets 404 for these forms", async () => {
    const acc = await account('active');
    const res = await postForm(b.senior.id, `/accounts/${acc.id}/retire`, { note: 'Not my school' });
    expect(res.statusCode).toBe(404);
    expect(await statusOf(acc.id)).toBe('active');
  });
});

describe('approving a sensitive reply', () => {
  it('a senior leader approves it through the form (audited); comms staff and admins are refused', async () => {
    for (const user of [a.comms, a.adminA]) {
      expectRefused(
        await postForm(user.id, `/approvals/replies/${a.pendingReply.id}/approve`),
        'Only senior leader staff may approve or reject replies',
      );
    }
    const [before] = await t.db.select().from(responses).where(eq(responses.id, a.pendingReply.id));
    expect(before!.status).toBe('pending_approval');

    const res = await postForm(a.senior.id, `/approvals/replies/${a.pendingReply.id}/approve`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/approvals');
    const [after] = await t.db.select().from(responses).where(eq(responses.id, a.pendingReply.id));
    expect(after!.status).toBe('sending');
    expect(after!.approvedBy).toBe(a.senior.id);
    await expectAuditEntry(t.db, {
      action: 'response.approved',
      actorId: a.senior.id,
      schoolId: a.school.id,
      details: { kind: 'public_reply' },
    });
  });
});

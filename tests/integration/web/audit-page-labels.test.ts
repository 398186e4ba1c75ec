import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitAudit } from '../../../services/audit/emit-audit.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let t: TestDatabase;
let api: TestApp;

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

describe('the audit page', () => {
  it('labels a comment by its author and day in the school’s zone, not by its platform id', async () => {
    const school = await createSchool(t.db);
    const auditor = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'auditor' }],
    });
    const account = await createAccount(t.db, { schoolId: school.id });
    const comment = await createComment(t.db, {
      schoolId: school.id,
      accountId: account.id,
      authorHandle: 'mum_of_three',
      // 23:30 UTC on 2 Dec is 3 Dec nowhere in Europe/London (GMT in winter): 2 Dec.
      postedAt: new Date('2026-12-02T23:30:00Z'),
    });
    await t.db.transaction((tx) =>
      emitAudit(
        tx,
        { actor: { type: 'user', id: auditor.id, label: 'Ann Auditor' }, requestId: 'label-test' },
        {
          action: 'comment.assigned',
          schoolId: school.id,
          subject: { type: 'comment', id: comment.id, label: 'Comment 1800000000000000024' },
          details: {},
        },
      ),
    );
    const { headers } = await signIn(t.db, auditor.id);
    const res = await api.app.inject({ url: '/audit', headers: { cookie: headers.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Comment by @<bdi>mum_of_three</bdi> on 2 Dec 2026');
    expect(res.body).not.toContain('Comment 1800000000000000024');
  });
});

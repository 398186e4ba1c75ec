import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  await api.close();
  await clearRedisPrefix(api.config.redisPrefix);
  await t.drop();
});

const OFFICE = {
  emails: ['office@brooklane.sch.uk'],
  phones: ['01632 960123'],
  address: '12 Church Road, Brookfield BF1 2AB',
  website: 'https://www.brooklane.sch.uk',
};

async function scene() {
  const school = await createSchool(t.db);
  const [comms, head] = await Promise.all([
    createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: 'comms' }] }),
    createUser(t.db, { trustId: school.trustId, roles: [{ schoolId: school.id, role: 'senior_leader' }] }),
  ]);
  const account = await createAccount(t.db, { schoolId: school.id });
  const comment = await createComment(t.db, { schoolId: school.id, accountId: account.id });
  return {
    school,
    comms: await signIn(t.db, comms.id),
    head: await signIn(t.db, head.id),
    headId: head.id,
    comment,
  };
}

describe('the school’s published contact details (#20 item 5)', () => {
  it('lets a reply give out the office email once a senior leader has published it, audited', async () => {
    const s = await scene();
    const reply = (headers: typeof s.comms.headers) =>
      api.app.inject({
        method: 'POST',
        url: `/api/comments/${s.comment.id}/responses`,
        headers,
        payload: {
          kind: 'private_reply',
          text: 'Please email office@brooklane.sch.uk or ring 01632 960123.',
        },
      });

    const refused = await reply(s.comms.headers);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().message).toContain('office@brooklane.sch.uk');

    const byComms = await api.app.inject({
      method: 'PUT',
      url: `/api/schools/${s.school.id}/contact-details`,
      headers: s.comms.headers,
      payload: OFFICE,
    });
    expect(byComms.statusCode).toBe(403);

    const saved = await api.app.inject({
      method: 'PUT',
      url: `/api/schools/${s.school.id}/contact-details`,
      headers: s.head.headers,
      payload: OFFICE,
    });
    expect(saved.statusCode).toBe(200);
    const entry = await expectAuditEntry(t.db, {
      action: 'school.contact_details_changed',
      subjectId: s.school.id,
      actorId: s.headId,
    });
    expect(entry.details).toMatchObject({ after: { emails: ['office@brooklane.sch.uk'] } });

    const read = await api.app.inject({
      method: 'GET',
      url: `/api/schools/${s.school.id}/contact-details`,
      headers: s.comms.headers,
    });
    expect(read.json()).toEqual(OFFICE);

    const sent = await reply(s.comms.headers);
    expect(sent.statusCode, sent.body).toBeLessThan(300);
  });

  it('refuses a malformed detail with a 400 naming the field', async () => {
    const s = await scene();
    const bad = await api.app.inject({
      method: 'PUT',
      url: `/api/schools/${s.school.id}/contact-details`,
      headers: s.head.headers,
      payload: { ...OFFICE, phones: ['call us'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('phones');
  });
});

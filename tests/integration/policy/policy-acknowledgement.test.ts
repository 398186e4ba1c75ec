import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, policyAcknowledgements } from '../../../db/schema/index.js';
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

type Headers = Record<string, string>;
const inject = (headers: Headers, method: 'GET' | 'POST', url: string, body?: object, form = false) =>
  api.app.inject({
    method,
    url,
    headers: form ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers,
    ...(body
      ? form
        ? { payload: new URLSearchParams(body as Record<string, string>).toString() }
        : { payload: body }
      : {}),
  });

async function setUp(policyVersionLabel: string | null = 'v1') {
  const school = await createSchool(t.db, { name: 'Oakfield Primary', policyVersionLabel });
  const person = async (role: 'comms' | 'trust_admin', acknowledgePolicy: boolean) => {
    const u = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role }],
      acknowledgePolicy,
    });
    return { id: u.id, headers: (await signIn(t.db, u.id)).headers as Headers };
  };
  const newcomer = await person('comms', false);
  const other = await person('comms', true);
  const trustAdmin = await person('trust_admin', true);
  const account = await createAccount(t.db, { schoolId: school.id, adminIds: [newcomer.id, other.id] });
  const comment = await createComment(t.db, { schoolId: school.id, accountId: account.id });
  // The factory acknowledges for an account's admins; this newcomer has not yet.
  await t.db.delete(policyAcknowledgements).where(eq(policyAcknowledgements.userId, newcomer.id));
  return { school, newcomer, other, trustAdmin, account, comment };
}

describe('P5: replying and moderating need the current policy acknowledged', () => {
  it('refuses a reply and a moderation proposal with 403 and a link, in JSON and on the page; acknowledging lets them through', async () => {
    const s = await setUp();
    const link = `/schools/${s.school.id}/policy`;
    const reply = await inject(s.newcomer.headers, 'POST', `/api/comments/${s.comment.id}/responses`, {
      kind: 'acknowledgement',
    });
    expect(reply.statusCode).toBe(403);
    expect(reply.json()).toMatchObject({
      error: 'FORBIDDEN',
      message: `Before you respond to comments, read and acknowledge the school's social media policy (version v1) at ${link}`,
      link,
      policyVersionLabel: 'v1',
    });
    const hide = await inject(s.newcomer.headers, 'POST', `/api/comments/${s.comment.id}/actions`, {
      kind: 'hide',
      reasonCategory: 'abusive',
      reasonText: 'Abuse',
    });
    expect(hide.statusCode).toBe(403);
    expect(hide.json().message).toMatch(/^Before you moderate comments, read and acknowledge/);

    const page = await inject(
      s.newcomer.headers,
      'POST',
      `/comments/${s.comment.id}/reply`,
      { kind: 'acknowledgement' },
      true,
    );
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain(`<a href="${link}" class="next-step">Read and acknowledge the policy</a>`);

    // The policy page: read, tick, acknowledge.
    const read = await inject(s.newcomer.headers, 'GET', link);
    expect(read.statusCode).toBe(200);
    expect(read.body).toContain('Current version: v1');
    expect(read.body).toContain('Acknowledge the policy');
    const unticked = await inject(
      s.newcomer.headers,
      'POST',
      `${link}/acknowledge`,
      { versionLabel: 'v1' },
      true,
    );
    expect(unticked.statusCode).toBe(303);
    expect(
      (
        await inject(s.newcomer.headers, 'POST', `/api/comments/${s.comment.id}/responses`, {
          kind: 'acknowledgement',
        })
      ).statusCode,
    ).toBe(403);
    const ack = await inject(
      s.newcomer.headers,
      'POST',
      `${link}/acknowledge`,
      { versionLabel: 'v1', read: 'on' },
      true,
    );
    expect(ack.statusCode).toBe(303);
    await expectAuditEntry(t.db, {
      action: 'policy.acknowledged',
      subjectId: s.newcomer.id,
      actorId: s.newcomer.id,
    });
    expect((await inject(s.newcomer.headers, 'GET', link)).body).toContain(
      'You have acknowledged version v1.',
    );

    const now = await inject(s.newcomer.headers, 'POST', `/api/comments/${s.comment.id}/responses`, {
      kind: 'acknowledgement',
    });
    expect(now.statusCode, now.body).toBe(201);
  });

  it('a trust admin publishes a new version from the page: everyone is asked again and refused until they acknowledge it', async () => {
    const s = await setUp();
    const link = `/schools/${s.school.id}/policy`;
    expect(
      (
        await inject(
          s.other.headers,
          'POST',
          `${link}/publish`,
          { versionLabel: 'v2', documentUrl: 'https://oakfield.example/v2.pdf' },
          true,
        )
      ).statusCode,
    ).toBe(403);
    const published = await inject(
      s.trustAdmin.headers,
      'POST',
      `${link}/publish`,
      { versionLabel: 'v2', documentUrl: 'https://oakfield.example/v2.pdf' },
      true,
    );
    expect(published.statusCode).toBe(303);
    await expectAuditEntry(t.db, {
      action: 'school.policy_version_set',
      subjectId: s.school.id,
      actorId: s.trustAdmin.id,
    });
    const asked = await t.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.event, 'policy.acknowledgement_requested'),
          eq(notifications.userId, s.other.id),
        ),
      );
    expect(asked).toHaveLength(1);
    const refused = await inject(s.other.headers, 'POST', `/api/comments/${s.comment.id}/responses`, {
      kind: 'acknowledgement',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().policyVersionLabel).toBe('v2');
    // The trust admin sees who is outstanding.
    const view = await inject(s.trustAdmin.headers, 'GET', link);
    expect(view.body).toContain('Still to acknowledge');
    // A reused label is refused with a message.
    const again = await inject(
      s.trustAdmin.headers,
      'POST',
      `${link}/publish`,
      { versionLabel: 'v1', documentUrl: 'https://oakfield.example/v1.pdf' },
      true,
    );
    expect(again.statusCode).toBe(303);
    expect(decodeURIComponent(String(again.headers['set-cookie']))).toContain(
      'Version \\"v1\\" has been recorded before',
    );
    const still = await inject(s.trustAdmin.headers, 'GET', `/api/schools/${s.school.id}/policy`);
    expect(still.json().versionLabel).toBe('v2');
  });

  it('a school with no published policy: nobody replies until one is published', async () => {
    const s = await setUp(null);
    const res = await inject(s.other.headers, 'POST', `/api/comments/${s.comment.id}/responses`, {
      kind: 'acknowledgement',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain(
      'the school has not published its social media policy in Hallmonitor',
    );
  });

  it("another school's policy page answers 404", async () => {
    const a = await setUp();
    const b = await setUp();
    expect((await inject(a.other.headers, 'GET', `/schools/${b.school.id}/policy`)).statusCode).toBe(404);
    expect(
      (
        await inject(
          a.other.headers,
          'POST',
          `/schools/${b.school.id}/policy/acknowledge`,
          { versionLabel: 'v1', read: 'on' },
          true,
        )
      ).statusCode,
    ).toBe(404);
  });
});

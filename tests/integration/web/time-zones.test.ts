import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitAudit } from '../../../services/audit/emit-audit.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
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
  await clearRedisPrefix(api.config.redisPrefix);
  await api.close();
  await t.drop();
});

/** The comment page's text, as a comms officer of the comment's school (Europe/London) sees it. */
async function commentPageFor(postedAt: Date, options: { deadlineSet?: boolean } = {}): Promise<string> {
  const school = await createSchool(t.db, { name: 'Oakfield Primary' });
  const comms = await createUser(t.db, {
    trustId: school.trustId,
    roles: [{ schoolId: school.id, role: 'comms' }],
  });
  const account = await createAccount(t.db, { schoolId: school.id });
  const comment = await createComment(t.db, {
    schoolId: school.id,
    accountId: account.id,
    text: 'When is sports day?',
    authorHandle: 'mum_of_three',
    postedAt,
  });
  if (options.deadlineSet) {
    await t.db.transaction((tx) =>
      emitAudit(
        tx,
        { actor: { type: 'system', id: null, label: 'Hallmonitor' }, requestId: 'test' },
        {
          action: 'comment.deadline_set',
          schoolId: school.id,
          subject: { type: 'comment', id: comment.id, label: `Comment ${comment.externalId}` },
        },
      ),
    );
  }
  const { headers } = await signIn(t.db, comms.id);
  const page = await api.app.inject({ url: `/comments/${comment.id}`, headers: { cookie: headers.cookie } });
  expect(page.statusCode).toBe(200);
  return page.body;
}

describe('times on the pages, in the school’s zone', () => {
  it('shows a comment received at 23:30 UTC in summer as 00:30 BST the next day', async () => {
    const body = await commentPageFor(new Date('2026-07-01T23:30:00Z'));
    expect(body).toContain('<time datetime="2026-07-01T23:30:00.000Z">2026-07-02 00:30 BST</time>');
    expect(body).not.toContain('23:30 UTC');
  });

  it('shows a comment received at 23:30 UTC in winter as 23:30 GMT the same day', async () => {
    const body = await commentPageFor(new Date('2026-01-14T23:30:00Z'));
    expect(body).toContain('<time datetime="2026-01-14T23:30:00.000Z">2026-01-14 23:30 GMT</time>');
    expect(body).not.toContain(' UTC');
  });
});

describe('the comment page’s History', () => {
  it('names the action and the comment as a person would, not by raw action name and platform id', async () => {
    const body = await commentPageFor(new Date('2026-12-03T23:30:00Z'), { deadlineSet: true });
    const history = body.slice(body.indexOf('id="h-history"'));
    expect(history).toContain('<td>Deadline set</td>');
    expect(history).toContain('Comment by @<bdi>mum_of_three</bdi> on 3 Dec 2026');
    expect(history).not.toContain('comment.deadline_set');
    expect(history).not.toMatch(/Comment \d{6,}/);
  });
});

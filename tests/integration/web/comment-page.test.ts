import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comments, responses } from '../../../db/schema/index.js';
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

async function scene() {
  const school = await createSchool(t.db, { name: 'Oakfield Primary' });
  const other = await createSchool(t.db, { trustId: school.trustId });
  const role = (r: 'comms' | 'auditor', schoolId = school.id) => [{ schoolId, role: r }];
  const comms = await createUser(t.db, {
    trustId: school.trustId,
    roles: role('comms'),
    displayName: 'Casey Comms',
  });
  const auditor = await createUser(t.db, { trustId: school.trustId, roles: role('auditor') });
  const stranger = await createUser(t.db, { trustId: school.trustId, roles: role('comms', other.id) });
  const account = await createAccount(t.db, { schoolId: school.id, handle: 'oakfield' });
  const post = await createComment(t.db, {
    schoolId: school.id,
    accountId: account.id,
    externalId: `post-${Date.now()}`,
    text: 'Sports day is on Friday',
    authorExternalId: 'older',
    postedAt: new Date(Date.now() - 7_200_000),
  });
  await createComment(t.db, {
    schoolId: school.id,
    accountId: account.id,
    authorExternalId: 'parent-1',
    text: 'An earlier question from the same parent',
    postedAt: new Date(Date.now() - 86_400_000),
  });
  const comment = await createComment(t.db, {
    schoolId: school.id,
    accountId: account.id,
    authorExternalId: 'parent-1',
    conversationId: post.externalId,
    inReplyToExternalId: post.externalId,
    text: '<img src=x onerror=alert(1)> you idiot',
    deadlineAt: new Date(Date.now() + 3_600_000),
    labels: [
      {
        category: 'offensive',
        subcategory: 'insult',
        severity: 'medium',
        spans: [[33, 38]],
        source: 'lexicon:en',
      },
    ],
    categories: ['offensive'],
  });
  return { school, other, comms, auditor, stranger, account, post, comment };
}

describe('the comment page', () => {
  it('shows why it was flagged, the thread, the author’s history and the deadline, escaped', async () => {
    const s = await scene();
    const { headers } = await signIn(t.db, s.comms.id);
    const page = await api.app.inject({
      url: `/comments/${s.comment.id}`,
      headers: { cookie: headers.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)> you <mark>idiot</mark>');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('Sports day is on Friday');
    expect(page.body).toContain('An earlier question from the same parent');
    expect(page.body).toMatch(/offensive<\/strong>: insult · <span class="severity">medium severity/);
    expect(page.body).toContain('lexicon:en');
    expect(page.body).toContain('class="countdown"');

    const json = await api.app.inject({ url: `/api/comments/${s.comment.id}`, headers });
    expect(json.statusCode).toBe(200);
    const detail = json.json();
    expect(detail.thread.map((c: { text: string }) => c.text)).toEqual([
      'Sports day is on Friday',
      '<img src=x onerror=alert(1)> you idiot',
    ]);
    expect(detail.authorHistory).toHaveLength(1);
    expect(detail.can).toMatchObject({ respond: true, moderate: false });
  });

  it('another school’s comment is not found, on the page and in the API', async () => {
    const s = await scene();
    const { headers } = await signIn(t.db, s.stranger.id);
    expect((await api.app.inject({ url: `/comments/${s.comment.id}`, headers })).statusCode).toBe(404);
    expect((await api.app.inject({ url: `/api/comments/${s.comment.id}`, headers })).statusCode).toBe(404);
    const post = await api.app.inject({
      method: 'POST',
      url: `/comments/${s.comment.id}/reply`,
      headers,
      payload: { kind: 'acknowledgement', text: '' },
    });
    expect(post.statusCode).toBe(404);
    expect(await t.db.select().from(responses).where(eq(responses.commentId, s.comment.id))).toHaveLength(0);
  });

  it('refuses what a role may not do, on the page beside the form', async () => {
    const s = await scene();
    const auditor = await signIn(t.db, s.auditor.id);
    const reply = await api.app.inject({
      method: 'POST',
      url: `/comments/${s.comment.id}/reply`,
      headers: auditor.headers,
      payload: { kind: 'acknowledgement' },
    });
    expect(reply.statusCode).toBe(403);
    expect(reply.body).toContain('may respond to comments');
    const comms = await signIn(t.db, s.comms.id);
    const hide = await api.app.inject({
      method: 'POST',
      url: `/comments/${s.comment.id}/act`,
      headers: comms.headers,
      payload: { kind: 'hide', reasonCategory: 'offensive', reasonText: 'insult' },
    });
    expect(hide.statusCode).toBe(403);
    expect(hide.body).toContain('assigned admins');
  });

  it('a form post without the CSRF token is refused and changes nothing', async () => {
    const s = await scene();
    const { headers } = await signIn(t.db, s.comms.id);
    const res = await api.app.inject({
      method: 'POST',
      url: `/comments/${s.comment.id}/reply`,
      headers: { cookie: headers.cookie },
      payload: { kind: 'acknowledgement' },
    });
    expect(res.statusCode).toBe(403);
    expect(await t.db.select().from(responses).where(eq(responses.commentId, s.comment.id))).toHaveLength(0);
  });

  it('recording an offline contact from the composer redirects back and the page shows it responded in time', async () => {
    const s = await scene();
    const { headers } = await signIn(t.db, s.comms.id);
    const res = await api.app.inject({
      method: 'POST',
      url: `/comments/${s.comment.id}/reply`,
      headers: { cookie: headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: headers['x-csrf-token'],
        kind: 'offline',
        contactPerson: 'Mrs Shah, the parent',
        channel: 'phone',
        text: 'Rang back: the fair starts at 10.',
      }).toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/comments/${s.comment.id}`);
    // The message rides the one flash mechanism: a signed cookie the next page shows once.
    const flash = res.cookies.find((c) => c.name === 'hm_flash');
    expect(flash).toBeDefined();
    const page = await api.app.inject({
      url: res.headers.location as string,
      headers: { cookie: `${headers.cookie}; hm_flash=${flash!.value}` },
    });
    expect(page.body).toContain('Your response is recorded.');
    expect(page.body).toContain('responded in time');
    // The History names the entry as a person would (the audit page also shows the raw action name).
    expect(page.body).toContain('<td>Response recorded</td>');
    expect(page.body).toContain('Casey Comms');
  });
});

describe('bulk acknowledge', () => {
  it("queues the school's holding reply for each selected comment; nothing meets a deadline until the platform confirms", async () => {
    const s = await scene();
    const second = await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      text: 'When is the fair?',
      deadlineAt: new Date(Date.now() + 3_600_000),
    });
    const { headers } = await signIn(t.db, s.comms.id);
    const res = await api.app.inject({
      method: 'POST',
      url: '/inbox/acknowledge',
      headers: { cookie: headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(headers['x-csrf-token'])}&commentIds=${s.comment.id}&commentIds=${second.id}`,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/?acknowledged=2&refused=0');
    for (const id of [s.comment.id, second.id]) {
      const [row] = await t.db.select().from(comments).where(eq(comments.id, id));
      // Not met by a click: the holding reply meets it when the platform confirms it (P2).
      expect(row!.status).toBe('open');
      expect(row!.firstResponseAt).toBeNull();
      const rs = await t.db.select().from(responses).where(eq(responses.commentId, id));
      expect(rs.map((r) => [r.kind, r.status, r.holding])).toEqual([['acknowledgement', 'sending', true]]);
      expect(rs[0]!.text).toContain('We have seen it');
    }
    const inbox = await api.app.inject({
      url: res.headers.location as string,
      headers: { cookie: headers.cookie },
    });
    expect(inbox.body).toContain('Holding reply sent to 2 comments.');
    expect(inbox.body).toContain('follow-up queue');

    const stranger = await signIn(t.db, s.stranger.id);
    const refused = await api.app.inject({
      method: 'POST',
      url: '/api/inbox/acknowledge',
      headers: stranger.headers,
      payload: { commentIds: [second.id] },
    });
    expect(refused.json().results).toEqual([
      { commentId: second.id, ok: false, metDeadline: null, message: 'That comment was not found' },
    ]);
  });
});

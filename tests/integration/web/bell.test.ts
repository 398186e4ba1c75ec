import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../../../db/schema/index.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { staffScene } from './staff-fixture.js';

let t: TestDatabase;
let api: TestApp;
let a: Awaited<ReturnType<typeof staffScene>>;
let trustAdmin: { id: string };

/** Gives a user `unread` unread notifications and two read ones (which the bell does not count). */
async function notify(userId: string, schoolId: string, unread: number) {
  const row = (i: number, read: boolean) => ({
    schoolId,
    userId,
    event: 'comment.flagged',
    urgency: 'normal' as const,
    title: `Notification ${i}`,
    body: 'Something happened',
    link: '/',
    readAt: read ? new Date() : null,
  });
  await t.db
    .insert(notifications)
    .values([
      ...Array.from({ length: unread }, (_, i) => row(i, false)),
      row(unread, true),
      row(unread + 1, true),
    ]);
}

beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t.db);
  a = await staffScene(t.db);
  trustAdmin = await createUser(t.db, {
    trustId: a.school.trustId,
    displayName: 'Trust Admin',
    roles: [{ schoolId: a.school.id, role: 'trust_admin' }],
  });
  await notify(a.comms.id, a.school.id, 3);
  await notify(a.adminA.id, a.school.id, 1);
  await notify(a.senior.id, a.school.id, 5);
  await notify(a.safeguarding.id, a.school.id, 2);
  await notify(trustAdmin.id, a.school.id, 120);
});
afterAll(async () => {
  await api.close();
  await t.drop();
});

async function open(userId: string, url: string) {
  const session = await signIn(t.db, userId);
  return api.app.inject({ url, headers: { cookie: session.headers.cookie } });
}

/** The bell as a person sees it: its accessible label and the number on it. */
function bellOf(html: string): { label: string; count: string | null } | null {
  const bell = /<a class="bell[^"]*" href="\/notifications" aria-label="([^"]+)"[\s\S]*?<\/a>/.exec(html);
  if (!bell) return null;
  const count = /<span class="bell-count"[^>]*>([^<]+)<\/span>/.exec(bell[0]);
  return { label: bell[1]!, count: count?.[1] ?? null };
}

describe('the notifications bell', () => {
  it('shows the unread count on every signed-in page, for each role', async () => {
    const pages: [string, string, number, string, number][] = [
      ['comms', a.comms.id, 3, '/', 200],
      ['comms', a.comms.id, 3, `/comments/${a.offensive.id}`, 200],
      ['comms', a.comms.id, 3, '/accounts', 200],
      ['comms', a.comms.id, 3, `/accounts/${a.account.id}`, 200],
      ['comms', a.comms.id, 3, '/deadlines', 200],
      ['comms', a.comms.id, 3, '/notifications', 200],
      ['admin', a.adminA.id, 1, '/flags', 200],
      ['safeguarding lead', a.safeguarding.id, 2, '/safeguarding', 200],
      ['safeguarding lead', a.safeguarding.id, 2, `/schools/${a.school.id}/settings`, 200],
      ['senior leader', a.senior.id, 5, '/approvals', 200],
      ['senior leader', a.senior.id, 5, `/schools/${a.school.id}/settings`, 200],
      ['trust admin', trustAdmin.id, 120, `/schools/${a.school.id}/notifications`, 200],
      ['trust admin', trustAdmin.id, 120, `/schools/${a.school.id}/settings`, 200],
      // refusals keep the bar and the bell too
      ['comms', a.comms.id, 3, '/flags', 403],
      ['comms', a.comms.id, 3, '/approvals', 403],
    ];
    for (const [who, userId, unread, url, status] of pages) {
      const res = await open(userId, url);
      expect(res.statusCode, `${who} opening ${url}`).toBe(status);
      expect(bellOf(res.body), `the bell on ${url} for ${who}`).toEqual({
        label: `Notifications, ${unread} unread`,
        count: unread > 99 ? '99+' : String(unread),
      });
    }
  });

  it('shows no number once everything is read, and the count drops as notifications are read', async () => {
    const user = await createUser(t.db, {
      trustId: a.school.trustId,
      displayName: 'Quiet Comms',
      roles: [{ schoolId: a.school.id, role: 'comms' }],
    });
    expect(bellOf((await open(user.id, '/')).body)).toEqual({
      label: 'Notifications, none unread',
      count: null,
    });
    await notify(user.id, a.school.id, 2);
    expect(bellOf((await open(user.id, '/accounts')).body)?.count).toBe('2');

    const session = await signIn(t.db, user.id);
    const read = await api.app.inject({
      method: 'POST',
      url: '/api/notifications/read-all',
      headers: { ...session.headers, 'content-type': 'application/json' },
      payload: {},
    });
    expect(read.json()).toEqual({ marked: 2 });
    expect(bellOf((await open(user.id, '/deadlines')).body)).toEqual({
      label: 'Notifications, none unread',
      count: null,
    });
  });

  it('is not on the sign-in page', async () => {
    const res = await api.app.inject({ url: '/login' });
    expect(res.statusCode).toBe(200);
    expect(bellOf(res.body)).toBeNull();
  });
});

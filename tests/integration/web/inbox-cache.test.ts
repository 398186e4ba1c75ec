import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comments } from '../../../db/schema/index.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { type SignedIn, signIn } from '../../helpers/sign-in.js';
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

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function school(texts: string[]) {
  const s = await createSchool(t.db);
  const account = await createAccount(t.db, { schoolId: s.id });
  const user = await createUser(t.db, { trustId: s.trustId, roles: [{ schoolId: s.id, role: 'comms' }] });
  const made = [];
  for (const [i, text] of texts.entries())
    made.push(
      await createComment(t.db, {
        schoolId: s.id,
        accountId: account.id,
        text,
        deadlineAt: new Date(Date.now() + (i + 1) * 3_600_000),
      }),
    );
  return { school: s, account, user, comments: made, session: await signIn(t.db, user.id) };
}

async function inboxTexts(session: SignedIn, query = ''): Promise<string[]> {
  const res = await api.app.inject({ url: `/api/inbox${query}`, headers: session.headers });
  expect(res.statusCode).toBe(200);
  return res.json().items.map((i: { text: string }) => i.text);
}

/** Waits until the API's listener has received an announcement made after `seen`. */
const announcedAfter = (seen: number) =>
  until(() => api.app.inboxPages.stats.announcements > seen, 'the change to be announced');

/**
 * Waits until every change committed so far has been announced to the API: Postgres delivers
 * notifications in commit order, so once a marker sent now has arrived, so has everything before.
 */
async function settle(): Promise<void> {
  const marker = `settle-${randomUUID()}`;
  await t.db.execute(sql`select pg_notify('hm_inbox_changed', ${marker})`);
  await until(() => api.app.inboxPages.stats.lastAnnouncement === marker, 'earlier changes to be announced');
}

describe('the inbox page cache', () => {
  it('answers a repeated page from memory, and a change made by a worker reaches the next page', async () => {
    const s = await school(['first question', 'second question']);
    await until(() => api.app.inboxPages.enabled, 'the listener');
    await settle();
    expect(await inboxTexts(s.session)).toEqual(['first question', 'second question']);
    const hits = api.app.inboxPages.stats.hits;
    expect(await inboxTexts(s.session)).toEqual(['first question', 'second question']);
    expect(api.app.inboxPages.stats.hits).toBe(hits + 1);

    // Another process (a worker) closes the first comment on its own connection.
    const seen = api.app.inboxPages.stats.announcements;
    await t.db.update(comments).set({ status: 'closed' }).where(eq(comments.id, s.comments[0]!.id));
    await announcedAfter(seen);
    expect(await inboxTexts(s.session)).toEqual(['second question']);

    // A new comment arriving by ingestion appears too.
    const seenAgain = api.app.inboxPages.stats.announcements;
    await createComment(t.db, {
      schoolId: s.school.id,
      accountId: s.account.id,
      text: 'third question',
      deadlineAt: new Date(Date.now() + 60_000),
    });
    await announcedAfter(seenAgain);
    expect(await inboxTexts(s.session)).toEqual(['third question', 'second question']);
  });

  it('shows a user their own change at once, without waiting for the announcement', async () => {
    const s = await school(['please call me back', 'what time is pick-up?']);
    await until(() => api.app.inboxPages.enabled, 'the listener');
    await settle();
    expect(await inboxTexts(s.session)).toHaveLength(2);
    const hits = api.app.inboxPages.stats.hits;
    expect(await inboxTexts(s.session)).toHaveLength(2);
    // Closing answers the comment at once (an acknowledgement waits for the platform: P2).
    const acknowledged = await api.app.inject({
      method: 'POST',
      url: '/api/inbox/close',
      headers: s.session.headers,
      payload: { commentIds: [s.comments[0]!.id], reason: 'Answered by phone already' },
    });
    expect(api.app.inboxPages.stats.hits).toBe(hits + 1);
    expect(acknowledged.statusCode).toBe(200);
    expect(await inboxTexts(s.session)).toEqual(['what time is pick-up?']);
  });

  it('never serves one scope’s page to another, and resolves "assigned to me" per user', async () => {
    const a = await school(['Oakfield parent question']);
    const b = await school(['Elm Road parent question']);
    expect(await inboxTexts(a.session)).toEqual(['Oakfield parent question']);
    expect(await inboxTexts(b.session)).toEqual(['Elm Road parent question']);

    const colleague = await createUser(t.db, {
      trustId: a.school.trustId,
      roles: [{ schoolId: a.school.id, role: 'comms' }],
    });
    await t.db.update(comments).set({ assigneeId: a.user.id }).where(eq(comments.id, a.comments[0]!.id));
    const colleagueSession = await signIn(t.db, colleague.id);
    await until(async () => (await inboxTexts(a.session, '?assignee=me')).length === 1, 'the assignment');
    expect(await inboxTexts(a.session, '?assignee=me')).toEqual(['Oakfield parent question']);
    expect(await inboxTexts(colleagueSession, '?assignee=me')).toEqual([]);
  });

  it('keeps nothing while its listener is down, and reads everything again once it is back', async () => {
    const s = await school(['before the outage']);
    await until(() => api.app.inboxPages.enabled, 'the listener');
    await settle();
    expect(await inboxTexts(s.session)).toEqual(['before the outage']);
    expect(await inboxTexts(s.session)).toEqual(['before the outage']);
    expect(api.app.inboxPages.stats.entries).toBeGreaterThan(0);

    await t.db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query = 'listen hm_inbox_changed'`,
    );
    await until(() => !api.app.inboxPages.enabled, 'the listener to notice');
    // Announced while nobody listens: lost, so the page must come from Postgres.
    await t.db.update(comments).set({ text: 'during the outage' }).where(eq(comments.id, s.comments[0]!.id));
    const misses = api.app.inboxPages.stats.misses;
    expect(await inboxTexts(s.session)).toEqual(['during the outage']);
    expect(await inboxTexts(s.session)).toEqual(['during the outage']);
    expect(api.app.inboxPages.stats.entries).toBe(0);

    await until(() => api.app.inboxPages.enabled, 'the listener to reconnect');
    expect(await inboxTexts(s.session)).toEqual(['during the outage']);
    expect(api.app.inboxPages.stats.misses).toBeGreaterThan(misses);
    const seen = api.app.inboxPages.stats.announcements;
    await t.db.update(comments).set({ text: 'after the outage' }).where(eq(comments.id, s.comments[0]!.id));
    await announcedAfter(seen);
    expect(await inboxTexts(s.session)).toEqual(['after the outage']);
  });
});

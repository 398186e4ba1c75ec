import { afterEach, describe, expect, it } from 'vitest';
import type { FetchPage, IncomingComment, PollCursor } from '../../../services/platforms/adapter.js';
import { type Connected, collect, connectedSandbox } from './x-sandbox-fixture.js';

const MENTIONS = 'GET /2/users/:id/mentions';
let ctx: Connected | undefined;
afterEach(async () => {
  ctx?.adapter.close();
  await ctx?.sandbox.close();
  ctx = undefined;
});

function mentionSchool(c: Connected, count: number, prefix = 'comment'): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    ids.push(
      c.sandbox.state.injectComment({
        from: `parent_${i % 7}`,
        to: c.account.username,
        text: `${prefix} ${i}`,
      }).id,
    );
  }
  return ids;
}

/** a first poll, so the cursor has a since_id like any account after its first day */
async function primedCursor(c: Connected): Promise<PollCursor> {
  mentionSchool(c, 2, 'old');
  const pages = await collect(c.adapter.fetchPages(null, { maxPages: 5, conversationBackstop: false }));
  return pages[pages.length - 1]!.cursorAfter;
}

const ids = (comments: IncomingComment[]) => comments.map((c) => c.externalId);

describe('X adapter: fetching mentions', () => {
  it('walks three pages back to since_id and only then moves the cursor', async () => {
    ctx = await connectedSandbox();
    const cursor = await primedCursor(ctx);
    const injected = mentionSchool(ctx, 250);
    const before = ctx.sandbox.state.requestsTo(MENTIONS).length;

    const pages = await collect(
      ctx.adapter.fetchPages(cursor, { maxPages: 10, conversationBackstop: false }),
    );

    expect(pages).toHaveLength(3);
    expect(pages.map((p) => p.comments.length)).toEqual([100, 100, 50]);
    const fetched = pages.flatMap((p) => ids(p.comments));
    expect(new Set(fetched)).toEqual(new Set(injected));
    const first = pages[0]!.comments[0]!;
    expect(first).toMatchObject({ authorHandle: expect.stringMatching(/^parent_/), foundBy: 'mention' });
    expect(first.url).toBe(`https://x.com/${first.authorHandle}/status/${first.externalId}`);
    // Intermediate pages keep since_id and record the walk; only the last page moves it.
    expect(pages[0]!.cursorAfter).toMatchObject({ sinceId: cursor.sinceId, pendingNewestId: injected[249] });
    expect(pages[1]!.cursorAfter).toMatchObject({ sinceId: cursor.sinceId, untilId: injected[50] });
    expect(pages[2]!.cursorAfter).toMatchObject({
      sinceId: injected[249],
      pendingNewestId: null,
      untilId: null,
    });
    expect(pages.some((p) => p.coverageGap)).toBe(false);
    const requests = ctx.sandbox.state.requestsTo(MENTIONS).slice(before);
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.query.includes('since_id='))).toBe(true);
    expect(pages[2]!.rateLimit).toMatchObject({
      endpoint: MENTIONS,
      limit: 180,
      remaining: 180 - requests.length - 1,
    });
  });

  it('a crash between pages re-fetches and never skips a mention', async () => {
    ctx = await connectedSandbox();
    const cursor = await primedCursor(ctx);
    const firstBatch = mentionSchool(ctx, 250, 'batch one');
    const committed = new Map<string, IncomingComment>();
    let stored: PollCursor = cursor;
    const commit = (page: FetchPage) => {
      for (const c of page.comments) committed.set(c.externalId, c);
      stored = page.cursorAfter;
    };

    // The worker commits one page and dies before the next.
    for await (const page of ctx.adapter.fetchPages(stored, { maxPages: 10, conversationBackstop: false })) {
      commit(page);
      break;
    }
    expect(committed.size).toBe(100);
    expect(stored.sinceId).toBe(cursor.sinceId);

    const duringOutage = mentionSchool(ctx, 30, 'during outage');
    for (const page of await collect(
      ctx.adapter.fetchPages(stored, { maxPages: 10, conversationBackstop: false }),
    )) {
      commit(page);
    }
    expect(new Set(committed.keys())).toEqual(new Set(firstBatch));
    expect(stored).toMatchObject({ sinceId: firstBatch[249], pendingNewestId: null });

    for (const page of await collect(
      ctx.adapter.fetchPages(stored, { maxPages: 10, conversationBackstop: false }),
    )) {
      commit(page);
    }
    expect(new Set(committed.keys())).toEqual(new Set([...firstBatch, ...duringOutage]));
    expect(stored.sinceId).toBe(duringOutage[29]);
  });

  it('maxPages stops a long walk with the walk recorded, and the next poll finishes it', async () => {
    ctx = await connectedSandbox();
    const cursor = await primedCursor(ctx);
    const injected = mentionSchool(ctx, 230);
    const first = await collect(ctx.adapter.fetchPages(cursor, { maxPages: 1, conversationBackstop: false }));
    expect(first).toHaveLength(1);
    const pending = first[0]!.cursorAfter;
    expect(pending).toMatchObject({
      sinceId: cursor.sinceId,
      pendingNewestId: injected[229],
      untilId: injected[130],
    });
    const rest = await collect(
      ctx.adapter.fetchPages(pending, { maxPages: 10, conversationBackstop: false }),
    );
    const all = [...first, ...rest].flatMap((p) => ids(p.comments));
    expect(new Set(all)).toEqual(new Set(injected));
    expect(rest[rest.length - 1]!.cursorAfter.sinceId).toBe(injected[229]);
  });

  it('an empty poll keeps the cursor and reports no gap', async () => {
    ctx = await connectedSandbox();
    const cursor = await primedCursor(ctx);
    const pages = await collect(ctx.adapter.fetchPages(cursor, { maxPages: 5, conversationBackstop: false }));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.comments).toEqual([]);
    expect(pages[0]!.cursorAfter).toEqual(cursor);
    expect(pages[0]!.coverageGap).toBeUndefined();
  });

  it('reports a coverage gap when more than 800 mentions arrived since the last poll', async () => {
    ctx = await connectedSandbox();
    const cursor = await primedCursor(ctx);
    const injected = mentionSchool(ctx, 900);
    const pages = await collect(
      ctx.adapter.fetchPages(cursor, { maxPages: 20, conversationBackstop: false }),
    );
    const fetched = pages.flatMap((p) => ids(p.comments));
    expect(fetched).toHaveLength(800);
    expect(new Set(fetched)).toEqual(new Set(injected.slice(100)));
    const last = pages[pages.length - 1]!;
    expect(last.coverageGap).toEqual({ fromId: cursor.sinceId, toId: injected[100] });
    expect(pages.slice(0, -1).every((p) => p.coverageGap === undefined)).toBe(true);
    expect(last.cursorAfter.sinceId).toBe(injected[899]);
  });

  it("the conversation backstop finds replies in the account's own posts that do not mention it", async () => {
    ctx = await connectedSandbox();
    const { state } = ctx.sandbox;
    const post = state.createPost({ author: ctx.account.id, text: 'Sports day is on Friday!' });
    const mention = state.injectComment({
      from: 'ks2_parent',
      inReplyTo: post.id,
      text: 'What time does it start?',
    });
    const replyToParent = state.injectComment({
      from: 'dave_the_dad',
      inReplyTo: mention.id,
      text: '9am I think',
    });
    const bare = state.injectComment({
      from: 'grandad_mike',
      inReplyTo: post.id,
      text: 'no mention here',
      mentionRepliedUser: false,
    });
    expect(replyToParent.mentionIds).not.toContain(ctx.account.id);

    const without = await collect(ctx.adapter.fetchPages(null, { maxPages: 5, conversationBackstop: false }));
    expect(without.flatMap((p) => ids(p.comments))).toEqual([mention.id]);

    const pages = await collect(ctx.adapter.fetchPages(null, { maxPages: 5, conversationBackstop: true }));
    const found = pages.flatMap((p) => p.comments);
    const byConversation = found.filter((c) => c.foundBy === 'conversation');
    expect(new Set(ids(byConversation))).toEqual(new Set([mention.id, replyToParent.id, bare.id]));
    expect(byConversation.find((c) => c.externalId === replyToParent.id)).toMatchObject({
      conversationId: post.id,
      inReplyToExternalId: mention.id,
    });
    const cursor = pages[pages.length - 1]!.cursorAfter;
    expect(cursor.backstopSinceId).toBe(bare.id);

    // The next backstop only sees what is new.
    const later = state.injectComment({
      from: 'yr6_mum',
      inReplyTo: post.id,
      text: 'thanks',
      mentionRepliedUser: false,
    });
    const next = await collect(ctx.adapter.fetchPages(cursor, { maxPages: 5, conversationBackstop: true }));
    expect(next.flatMap((p) => ids(p.comments.filter((c) => c.foundBy === 'conversation')))).toEqual([
      later.id,
    ]);
  });

  it('leaves out retweets and the account’s own posts, and caps very long text', async () => {
    ctx = await connectedSandbox();
    const { state } = ctx.sandbox;
    state.createPost({ author: ctx.account.id, text: `@${ctx.account.username} note to self` });
    const long = state.injectComment({
      from: 'mum_of_three_',
      to: ctx.account.username,
      text: 'x'.repeat(12_000),
    });
    const pages = await collect(ctx.adapter.fetchPages(null, { maxPages: 5, conversationBackstop: false }));
    const comments = pages.flatMap((p) => p.comments);
    expect(ids(comments)).toEqual([long.id]);
    expect(comments[0]!.text).toHaveLength(10_000);
    expect(comments[0]!.textTruncated).toBe(true);
  });
});

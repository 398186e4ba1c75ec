import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../../services/platforms/adapter.js';
import { readTimelinePage } from '../../../services/platforms/x/x-schemas.js';
import { type Connected, catchError, collect, connectedSandbox } from './x-sandbox-fixture.js';

const MENTIONS = 'GET /2/users/:id/mentions';
const ME = 'GET /2/users/me';
let ctx: Connected | undefined;
afterEach(async () => {
  ctx?.adapter.close();
  await ctx?.sandbox.close();
  ctx = undefined;
});

const poll = (c: Connected) =>
  collect(c.adapter.fetchPages(null, { maxPages: 3, conversationBackstop: false }));

async function platformError(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await catchError(promise);
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

describe('X adapter: classifying failures', () => {
  it('429 → rate_limited with resetAt, and no request to that endpoint before the reset', async () => {
    ctx = await connectedSandbox();
    // A 3 s window: long enough that a busy machine still polls again before it ends.
    ctx.sandbox.faults.set({ rateLimitNext: { count: 1, resetInSeconds: 3, endpoint: MENTIONS } });
    const startedAt = Date.now();

    const error = await platformError(poll(ctx));
    const answeredAt = Date.now();
    expect(error.kind).toBe('rate_limited');
    expect(error.endpoint).toBe(MENTIONS);
    expect(error.resetAt!.getTime()).toBeGreaterThan(startedAt);
    expect(error.resetAt!.getTime()).toBeLessThanOrEqual(answeredAt + 4_000);
    expect(ctx.sandbox.state.requestsTo(MENTIONS)).toHaveLength(1);

    const again = await platformError(poll(ctx));
    expect(again.kind).toBe('rate_limited');
    expect(ctx.sandbox.state.requestsTo(MENTIONS)).toHaveLength(1);
    // Other endpoints are not held back.
    await ctx.adapter.verifyCredentials();

    await new Promise((resolve) => setTimeout(resolve, error.resetAt!.getTime() - Date.now() + 50));
    await poll(ctx);
    expect(ctx.sandbox.state.requestsTo(MENTIONS)).toHaveLength(2);
  });

  it('an endpoint whose window X reported exhausted is refused locally until its reset', async () => {
    ctx = await connectedSandbox({ sandbox: { rateLimits: { [ME]: { limit: 2, windowSeconds: 60 } } } });
    await ctx.adapter.verifyCredentials();
    await ctx.adapter.verifyCredentials();
    expect(ctx.adapter.rateLimitState().find((s) => s.endpoint === ME)).toMatchObject({
      limit: 2,
      remaining: 0,
    });
    const error = await platformError(ctx.adapter.verifyCredentials());
    expect(error.kind).toBe('rate_limited');
    expect(error.resetAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(ctx.sandbox.state.requestsTo(ME)).toHaveLength(2);
  });

  it('401 → auth when the token is dead and cannot be refreshed', async () => {
    ctx = await connectedSandbox({ adapter: { credentials: { accessToken: 'at_revoked' } } });
    const error = await platformError(ctx.adapter.verifyCredentials());
    expect(error).toMatchObject({ kind: 'auth', status: 401, reason: 'Unauthorized', endpoint: ME });
    expect(ctx.persisted).toEqual([]);
  });

  it('5xx → transient', async () => {
    ctx = await connectedSandbox();
    ctx.sandbox.faults.set({ status5xx: { count: 1, status: 503 } });
    const error = await platformError(poll(ctx));
    expect(error).toMatchObject({ kind: 'transient', status: 503, endpoint: MENTIONS });
    await expect(poll(ctx)).resolves.toHaveLength(1);
  });

  it('broken JSON → malformed, carrying the raw body', async () => {
    ctx = await connectedSandbox();
    ctx.sandbox.state.injectComment({ from: 'ks2_parent', to: ctx.account.username, text: 'hello' });
    ctx.sandbox.faults.set({ malformedJson: { count: 1, endpoint: 'mentions' } });
    const error = await platformError(poll(ctx));
    expect(error.kind).toBe('malformed');
    expect(error.rawBody).toMatch(/^\{"data":\[/);
    expect(() => JSON.parse(error.rawBody!)).toThrow();
    expect(error.message).not.toContain('hello');
  });

  it('a bad item in a good page → that item alone quarantined, raw; the others read', () => {
    const tweet = (id: string, author: string, extra: Record<string, unknown> = {}) => ({
      id,
      text: `post ${id}`,
      author_id: author,
      conversation_id: id,
      created_at: '2026-11-20T10:00:00.000Z',
      ...extra,
    });
    const body = {
      data: [
        tweet('104', '1'),
        tweet('103', '1', { created_at: 'yesterday' }),
        tweet('102', '2'),
        { id: 7, text: 'no readable id' },
      ],
      includes: {
        users: [
          { id: '1', username: 'parent', name: 'A parent' },
          { id: '2', username: 'long_name', name: 'N'.repeat(201) },
        ],
      },
      meta: { result_count: 4, newest_id: '104', oldest_id: '102' },
    };
    const page = readTimelinePage(body, MENTIONS);
    expect(page.tweets.map((t) => t.id)).toEqual(['104', '102']);
    expect([...page.ids]).toEqual(['104', '103', '102']);
    expect(page.quarantined).toEqual([
      {
        externalId: '103',
        reason: expect.stringMatching(/^data\.1\.created_at: /),
        raw: JSON.stringify(body.data[1]),
      },
      {
        externalId: null,
        reason: expect.stringMatching(/^data\.3\.id: /),
        raw: JSON.stringify(body.data[3]),
      },
    ]);
    expect(page.authorProblem(page.tweets[0]!)).toBeNull();
    expect(page.authorProblem(page.tweets[1]!)).toEqual({
      externalId: '102',
      reason: expect.stringMatching(/^its author: includes\.users\.1\.name: /),
      raw: JSON.stringify({ tweet: body.data[2], author: body.includes.users[1] }),
    });
  });

  it('a page envelope of the wrong shape → malformed, carrying the body', () => {
    const body = { data: [{ id: 'not-an-id', text: 'x' }], meta: { result_count: 1 } };
    let error: unknown;
    try {
      readTimelinePage(body, MENTIONS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'malformed', rawBody: JSON.stringify(body) });
  });

  it('a connection reset → transient', async () => {
    ctx = await connectedSandbox();
    ctx.sandbox.faults.set({ connectionReset: { count: 1 } });
    const error = await platformError(ctx.adapter.verifyCredentials());
    expect(error).toMatchObject({ kind: 'transient', endpoint: ME });
    expect(ctx.sandbox.state.requestsTo(ME)[0]?.fault).toBe('connectionReset');
    await expect(ctx.adapter.verifyCredentials()).resolves.toMatchObject({ handle: 'oakfield_primary' });
  });

  it('a server slower than the request timeout → transient', async () => {
    ctx = await connectedSandbox({ adapter: { requestTimeoutMs: 100 } });
    ctx.sandbox.faults.set({ latencyMs: 400 });
    const error = await platformError(ctx.adapter.verifyCredentials());
    expect(error.kind).toBe('transient');
    ctx.sandbox.faults.reset();
  });

  it('a stored cursor that is not an X cursor → malformed before any request', async () => {
    ctx = await connectedSandbox();
    const error = await platformError(
      collect(ctx.adapter.fetchPages({ page: 3 }, { maxPages: 1, conversationBackstop: false })),
    );
    expect(error.kind).toBe('malformed');
    expect(ctx.sandbox.state.requestsTo(MENTIONS)).toHaveLength(0);
  });
});

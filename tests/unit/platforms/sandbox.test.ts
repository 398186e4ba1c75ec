import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function api(path: string, token?: string, init: RequestInit = {}) {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${sandbox!.url}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

describe('X sandbox', () => {
  it('preloads 100,000 mentions across 50 accounts', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const result = sandbox.state.preload({ accounts: 50, mentionsPerAccount: 2_000 });
    expect(result.mentions).toBe(100_000);
    expect(sandbox.state.accounts()).toHaveLength(50);
    expect(sandbox.state.summary()).toMatchObject({ mentions: 100_000 });
    const school = result.accounts[7]!;
    expect(sandbox.state.mentionsOf(school.id)).toHaveLength(2_000);
    const token = sandbox.state.issueToken(school.id).accessToken;
    const page = (await api(`/2/users/${school.id}/mentions?max_results=100`, token)).json();
    expect(page.meta.result_count).toBe(100);
  });

  it('answers in X shapes: data/includes/meta, empty meta, 401 and rate-limit headers', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const school = sandbox.state.createAccount({ username: 'hillside_academy' });
    const token = sandbox.state.issueToken(school.id).accessToken;

    const empty = await api(`/2/users/${school.id}/mentions`, token);
    expect(empty.json()).toEqual({ meta: { result_count: 0 } });
    expect(empty.headers.get('x-rate-limit-limit')).toBe('180');
    expect(empty.headers.get('x-rate-limit-remaining')).toBe('179');
    expect(Number(empty.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);

    const post = sandbox.state.createPost({ author: school.id, text: 'Welcome back!' });
    const reply = sandbox.state.injectComment({
      from: 'yr6_mum',
      fromName: 'Kerry',
      inReplyTo: post.id,
      text: 'thanks',
    });
    const fields =
      'expansions=author_id,referenced_tweets.id&tweet.fields=created_at,conversation_id,author_id,referenced_tweets&user.fields=username,name';
    const body = (await api(`/2/users/${school.id}/mentions?${fields}`, token)).json();
    expect(body).toEqual({
      data: [
        {
          id: reply.id,
          text: '@hillside_academy thanks',
          edit_history_tweet_ids: [reply.id],
          created_at: reply.createdAt.toISOString(),
          author_id: reply.authorId,
          conversation_id: post.id,
          referenced_tweets: [{ type: 'replied_to', id: post.id }],
        },
      ],
      includes: {
        users: [{ id: reply.authorId, name: 'Kerry', username: 'yr6_mum' }],
        tweets: [expect.objectContaining({ id: post.id, text: 'Welcome back!' })],
      },
      meta: { newest_id: reply.id, oldest_id: reply.id, result_count: 1 },
    });

    const unauthorized = await api(`/2/users/${school.id}/mentions`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.json()).toEqual({
      title: 'Unauthorized',
      type: 'about:blank',
      status: 401,
      detail: 'Unauthorized',
    });

    const badMax = await api(`/2/users/${school.id}/mentions?max_results=1`, token);
    expect(badMax.status).toBe(400);
    expect(badMax.json()).toMatchObject({
      title: 'Invalid Request',
      errors: [{ parameters: { max_results: ['1'] } }],
    });
  });

  it('pages the mentions timeline newest first and reaches only the 800 most recent', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const school = sandbox.state.createAccount({ username: 'st_marys' });
    const token = sandbox.state.issueToken(school.id).accessToken;
    const ids = Array.from(
      { length: 850 },
      (_, i) => sandbox!.state.injectComment({ from: 'ks2_parent', to: school.id, text: `m${i}` }).id,
    );
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const query = `max_results=100${next === undefined ? '' : `&pagination_token=${next}`}`;
      const page = (await api(`/2/users/${school.id}/mentions?${query}`, token)).json();
      seen.push(...page.data.map((t: { id: string }) => t.id));
      next = page.meta.next_token;
    } while (next !== undefined);
    expect(seen).toEqual(ids.slice(50).reverse());
    const older = (await api(`/2/users/${school.id}/mentions?until_id=${ids[50]}`, token)).json();
    expect(older).toEqual({ meta: { result_count: 0 } });
  });

  it('returns 429 with X headers when a window is spent', async () => {
    sandbox = await startSandbox({
      port: 0,
      host: '127.0.0.1',
      rateLimits: { 'GET /2/users/me': { limit: 1, windowSeconds: 60 } },
    });
    const school = sandbox.state.createAccount({ username: 'riverside' });
    const token = sandbox.state.issueToken(school.id).accessToken;
    expect((await api('/2/users/me', token)).status).toBe(200);
    const limited = await api('/2/users/me', token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(limited.json()).toMatchObject({ title: 'Too Many Requests', status: 429 });
    // Windows are per token.
    const other = sandbox.state.issueToken(school.id).accessToken;
    expect((await api('/2/users/me', other)).status).toBe(200);
  });

  it('switches faults over HTTP and logs every request', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const school = sandbox.state.createAccount({ username: 'brookfield' });
    const token = sandbox.state.issueToken(school.id).accessToken;
    const set = await api('/sandbox/faults', undefined, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        status5xx: { count: 1, status: 502 },
        malformedJson: { count: 1, endpoint: 'users/me' },
      }),
    });
    expect(set.status).toBe(200);
    expect((await api('/2/users/me', token)).status).toBe(502);
    const broken = await api('/2/users/me', token);
    expect(broken.status).toBe(200);
    expect(() => broken.json()).toThrow();
    expect((await api('/2/users/me', token)).json()).toMatchObject({ data: { username: 'brookfield' } });
    await api('/sandbox/faults', undefined, { method: 'DELETE' });
    expect(sandbox.faults.snapshot()).toMatchObject({ status5xx: null, malformedJson: null, latencyMs: 0 });
    expect(sandbox.state.log.map((e) => [e.endpoint, e.status, e.fault])).toEqual([
      ['GET /2/users/me', 502, 'status5xx'],
      ['GET /2/users/me', 200, 'malformedJson'],
      ['GET /2/users/me', 200, null],
    ]);
  });

  it('admin helpers over HTTP: account, post, comment, inspect', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const post = (path: string, body: unknown) =>
      api(path, undefined, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const account = (
      await post('/sandbox/accounts', { username: 'meadow_school', name: 'Meadow School' })
    ).json();
    const own = (
      await post('/sandbox/posts', { author: 'meadow_school', text: 'Open evening tonight' })
    ).json();
    const comment = (
      await post('/sandbox/comments', { from: 'pta_chair', inReplyTo: own.id, text: 'see you there' })
    ).json();
    expect(comment).toMatchObject({ conversationId: own.id, mentionIds: [account.id] });
    const state = (await api('/sandbox/state')).json();
    expect(state).toMatchObject({ tweets: 2, mentions: 1, accounts: [{ username: 'meadow_school' }] });
    expect((await api(`/sandbox/tweets/${comment.id}`)).json()).toMatchObject({ hidden: false });
    expect(sandbox.state.log).toHaveLength(0);
  });

  it('ids are large, increasing numeric strings', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const school = sandbox.state.createAccount({ username: 'ids_school' });
    const a = sandbox.state.createPost({ author: school.id, text: 'a' });
    const b = sandbox.state.createPost({ author: school.id, text: 'b' });
    expect(a.id).toMatch(/^[1-9]\d{18}$/);
    expect(BigInt(b.id)).toBeGreaterThan(BigInt(a.id));
  });

  it('a restarted sandbox never hands out an id the previous run did, and ids keep increasing', async () => {
    // The demo restarts its sandbox over the same database: a reused id was dropped as a duplicate.
    const idsOf = async (run: string) => {
      const instance = await startSandbox({ port: 0, host: '127.0.0.1' });
      try {
        const school = instance.state.createAccount({ username: 'restart_school' });
        const post = instance.state.createPost({ author: school.id, text: `run ${run}` });
        const ids = [post.id];
        for (let i = 0; i < 50; i++) {
          ids.push(
            instance.state.injectComment({ from: `parent_${i}`, to: school.id, text: `${run} ${i}` }).id,
          );
        }
        instance.state.preload({ accounts: ['restart_school'], mentionsPerAccount: 200 });
        ids.push(
          ...instance.state
            .mentionsOf(school.id)
            .slice(-200)
            .map((t) => t.id),
        );
        return ids;
      } finally {
        await instance.close();
      }
    };
    const first = await idsOf('first');
    const second = await idsOf('second');
    const all = [...first, ...second].map((id) => BigInt(id));
    expect(new Set(all).size).toBe(all.length);
    // Strictly increasing across both runs: X's since_id finds every post of the second run.
    for (let i = 1; i < all.length; i++) expect(all[i]! > all[i - 1]!).toBe(true);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';

// The Meta Graph sandbox answers in Graph's published shapes: `fields=` selection, cursor paging
// with absolute `next` links, Page tokens from /me/accounts, Graph error bodies, usage headers,
// and the effects of hide/delete/reply/ban read back from its state.

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: Graph bodies are read field by field in assertions
  json: any;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

async function school() {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  const m = sandbox.meta.state;
  const page = m.createPage({
    name: 'Oakfield Primary',
    admins: ['Jo Head'],
    instagram: { username: 'oakfield_primary' },
  });
  const otherPage = m.createPage({ name: 'Elm Grove', admins: ['Ed Elm'] });
  const post = m.createPost({ page: page.id, message: 'Sports day is on Friday' });
  const pageToken = m.issuePageToken(page.id).token;
  const userToken = m.issueUserToken('Jo Head').token;
  const g = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const url = new URL(`${sandbox!.meta.graphUrl}${path}`);
    const token = init.token === undefined ? pageToken : init.token;
    if (token !== null && !url.searchParams.has('access_token')) url.searchParams.set('access_token', token);
    return call(url.toString(), init);
  };
  return { s: sandbox, m, page, otherPage, post, pageToken, userToken, g };
}

describe('Meta Graph sandbox: Facebook Pages', () => {
  it('preloads 100,000 comments across 50 Pages without announcing them', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    sandbox.meta.webhooks.configure({ callbackUrl: 'http://127.0.0.1:9/never' });
    const result = sandbox.meta.state.preload({ pages: 50, postsPerPage: 4, commentsPerPost: 500 });
    expect(result.comments).toBe(100_000);
    expect(sandbox.meta.state.summary()).toMatchObject({ posts: 200, comments: 100_000 });
    expect(sandbox.meta.webhooks.deliveries).toHaveLength(0);
    const page = result.pages[7]!;
    const token = sandbox.meta.state.issuePageToken(page.id).token;
    const feed = await call(`${sandbox.meta.graphUrl}/${page.id}/feed?fields=id&access_token=${token}`);
    expect(feed.json.data).toHaveLength(4);
    const post = feed.json.data[0].id as string;
    const comments = await call(`${sandbox.meta.graphUrl}/${post}/comments?limit=100&access_token=${token}`);
    expect(comments.json.data).toHaveLength(100);
    expect(comments.json.paging.next).toContain('after=');
  });

  it('lists the Pages a person administers with their Page tokens and Instagram accounts', async () => {
    const { m, page, userToken, g } = await school();
    const accounts = await g('/me/accounts', { token: userToken });
    expect(accounts.status).toBe(200);
    expect(accounts.json.data).toEqual([
      {
        access_token: expect.stringMatching(/^EAA/),
        category: 'School',
        name: 'Oakfield Primary',
        id: page.id,
        tasks: expect.arrayContaining(['MODERATE']),
      },
    ]);
    const pageToken = accounts.json.data[0].access_token as string;
    expect(m.tokenRecord(pageToken)).toMatchObject({ kind: 'page', pageId: page.id, expiresAt: 0 });
    const picked = await g('/me/accounts?fields=id,name,instagram_business_account{id,username}', {
      token: userToken,
    });
    expect(picked.json.data).toEqual([
      {
        id: page.id,
        name: 'Oakfield Primary',
        instagram_business_account: { id: page.igUserId, username: 'oakfield_primary' },
      },
    ]);
    // /me with a Page token is the Page.
    expect((await g('/me', { token: pageToken })).json).toEqual({ name: 'Oakfield Primary', id: page.id });
    // Without pages_show_list the list is empty, as on Facebook.
    const narrow = m.issueUserToken('Jo Head', { scopes: ['pages_read_engagement'] }).token;
    expect((await g('/me/accounts', { token: narrow })).json).toEqual({ data: [] });
  });

  it('returns only the fields asked for, nested ones too, and Graph defaults otherwise', async () => {
    const { m, post, g } = await school();
    const c = m.addComment({ on: post.id, from: 'Pat Parent', message: 'When does it start?' });
    const r = m.addComment({ on: c.id, from: 'Sam Smith', message: '9am I think' });
    expect((await g(`/${c.id}`)).json).toEqual({
      created_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/),
      from: { name: 'Pat Parent', id: c.fromId },
      message: 'When does it start?',
      id: c.id,
    });
    const reply = await g(`/${r.id}?fields=message,from{id},parent{id},is_hidden,permalink_url`);
    expect(reply.json).toEqual({
      message: '9am I think',
      from: { id: r.fromId },
      parent: { id: c.id },
      is_hidden: false,
      permalink_url: expect.stringContaining(`reply_comment_id=${r.id.split('_')[1]}`),
      id: r.id,
    });
    const withReplies = await g(`/${post.id}?fields=message,comments.limit(1){id,comments{id,message}}`);
    expect(withReplies.json.comments.data).toEqual([
      { id: c.id, comments: { data: [{ id: r.id, message: '9am I think' }], paging: expect.any(Object) } },
    ]);
    const unknownField = await g(`/${c.id}?fields=id,secret_sauce`);
    expect(unknownField.status).toBe(400);
    expect(unknownField.json.error).toMatchObject({
      message: '(#100) Tried accessing nonexisting field (secret_sauce) on node type (Comment)',
      type: 'OAuthException',
      code: 100,
      fbtrace_id: expect.any(String),
    });
    const broken = await g(`/${c.id}?fields=id,from{id`);
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe(100);
  });

  it('pages with cursors and an absolute next link, and filters by since', async () => {
    const { m, page, post, g } = await school();
    const base = Date.parse('2026-11-01T09:00:00Z');
    const ids = Array.from(
      { length: 7 },
      (_, i) =>
        m.addComment({
          on: post.id,
          from: `Parent ${i}`,
          message: `comment ${i}`,
          createdAt: new Date(base + i * 60_000),
        }).id,
    );
    const seen: string[] = [];
    let next: string | undefined =
      `${sandbox!.meta.graphUrl}/${post.id}/comments?limit=3&fields=id&access_token=${m.issuePageToken(page.id).token}`;
    let pages = 0;
    while (next) {
      expect(next.startsWith(sandbox!.url)).toBe(true);
      const answer = await call(next);
      expect(answer.status).toBe(200);
      seen.push(...answer.json.data.map((d: { id: string }) => d.id));
      expect(answer.json.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
      next = answer.json.paging.next;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    const since = await g(`/${post.id}/comments?fields=id&since=${Math.floor((base + 4 * 60_000) / 1000)}`);
    expect(since.json.data.map((d: { id: string }) => d.id)).toEqual(ids.slice(4));
    const reverse = await g(`/${post.id}/comments?fields=id&order=reverse_chronological&limit=2`);
    expect(reverse.json.data.map((d: { id: string }) => d.id)).toEqual([ids[6], ids[5]]);
    const badLimit = await g(`/${post.id}/comments?limit=-4`);
    expect(badLimit.status).toBe(400);
    expect(badLimit.json.error.code).toBe(100);
    const badCursor = await g(`/${post.id}/comments?after=not-a-cursor`);
    expect(badCursor.json.error.code).toBe(100);
  });

  it('streams comments and replies in order, with parents, across the feed and visitor posts', async () => {
    const { m, page, post, g } = await school();
    const visitor = m.createPost({ page: page.id, from: 'Pat Parent', message: 'Lost a coat at the gate' });
    const c1 = m.addComment({ on: post.id, from: 'A', message: 'one' });
    const c2 = m.addComment({ on: post.id, from: 'B', message: 'two' });
    const r1 = m.addComment({ on: c1.id, from: 'C', message: 'reply to one' });
    const r2 = m.addComment({ on: r1.id, from: 'D', message: 'reply to the reply joins the thread' });
    const top = await g(`/${post.id}/comments?fields=id`);
    expect(top.json.data.map((d: { id: string }) => d.id)).toEqual([c1.id, c2.id]);
    const stream = await g(`/${post.id}/comments?filter=stream&fields=id,parent{id}`);
    expect(stream.json.data).toEqual([
      { id: c1.id },
      { id: c2.id },
      { id: r1.id, parent: { id: c1.id } },
      { id: r2.id, parent: { id: c1.id } },
    ]);
    const feed = await g(`/${page.id}/feed?fields=id,from{id},message`);
    expect(feed.json.data.map((d: { id: string }) => d.id)).toEqual([visitor.id, post.id]);
    const visitors = await g(`/${page.id}/visitor_posts?fields=id`);
    expect(visitors.json.data).toEqual([{ id: visitor.id }]);
    const published = await g(`/${page.id}/published_posts?fields=id`);
    expect(published.json.data).toEqual([{ id: post.id }]);
    // A post's updated_time moves with each comment or reply on it.
    const later = new Date(Date.now() + 3_600_000);
    m.addComment({ on: c2.id, from: 'E', message: 'late reply', createdAt: later });
    const updated = await g(`/${post.id}?fields=created_time,updated_time`);
    expect(updated.json.updated_time).toBe(later.toISOString().replace(/\.\d{3}Z$/, '+0000'));
    expect(updated.json.created_time).not.toBe(updated.json.updated_time);
  });

  it('hides, unhides, deletes, replies and bans, and the effects read back from the platform', async () => {
    const { m, page, post, g } = await school();
    const c = m.addComment({ on: post.id, from: 'Pat Parent', message: 'hostile <b>text</b>' });
    const form = (body: string) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect((await g(`/${c.id}`, form('is_hidden=true'))).json).toEqual({ success: true });
    expect(m.isHidden(c.id)).toBe(true);
    expect((await g(`/${c.id}?fields=is_hidden`)).json).toEqual({ is_hidden: true, id: c.id });
    expect((await g(`/${c.id}?is_hidden=false`, { method: 'POST' })).json).toEqual({ success: true });
    expect(m.isHidden(c.id)).toBe(false);
    const badBool = await g(`/${c.id}?is_hidden=maybe`, { method: 'POST' });
    expect(badBool.status).toBe(400);

    const reply = await g(`/${c.id}/comments`, form('message=Please+contact+the+office'));
    expect(reply.json).toEqual({ id: expect.stringMatching(/^\d+_\d+$/) });
    expect(m.comments.get(reply.json.id)).toMatchObject({ parentId: c.id, fromId: page.id });
    const empty = await g(`/${c.id}/comments`, form('message='));
    expect(empty.json.error.code).toBe(100);

    expect((await g(`/${page.id}/blocked`, form(`user=${c.fromId}`))).json).toEqual({ [c.fromId]: true });
    expect(m.isBanned(page.id, c.fromId)).toBe(true);
    expect((await g(`/${page.id}/blocked?fields=id,name`)).json.data).toEqual([
      { id: c.fromId, name: 'Pat Parent' },
    ]);
    expect((await g(`/${page.id}/blocked?user=${c.fromId}`, { method: 'DELETE' })).json).toEqual({
      success: true,
    });
    expect(m.isBanned(page.id, c.fromId)).toBe(false);

    expect((await g(`/${c.id}`, { method: 'DELETE' })).json).toEqual({ success: true });
    expect(m.isDeleted(c.id)).toBe(true);
    const gone = await g(`/${c.id}`);
    expect(gone.status).toBe(400);
    expect(gone.json.error).toMatchObject({ type: 'GraphMethodException', code: 100, error_subcode: 33 });
    expect(m.requestsTo('POST /{comment-id}')).toHaveLength(3);
    expect(m.stateChanges().map((e) => e.endpoint)).toEqual([
      'POST /{comment-id}',
      'POST /{comment-id}',
      'POST /{comment-id}',
      'POST /{comment-id}/comments',
      'POST /{comment-id}/comments',
      'POST /{page-id}/blocked',
      'DELETE /{page-id}/blocked',
      'DELETE /{comment-id}',
    ]);
  });

  it('answers token and permission problems with Graph error codes', async () => {
    const { m, page, otherPage, post, userToken, pageToken, g } = await school();
    const c = m.addComment({ on: post.id, from: 'Pat Parent', message: 'hi' });
    const none = await g('/me', { token: null });
    expect(none.status).toBe(400);
    expect(none.json.error).toMatchObject({ code: 2500, type: 'OAuthException' });
    const garbage = await g('/me', { token: 'EAAnot-a-token' });
    expect(garbage.json.error).toMatchObject({ code: 190 });
    expect(garbage.headers.get('www-authenticate')).toContain('invalid_token');
    // Page content needs the Page's own token.
    const userOnPage = await g(`/${post.id}/comments`, { token: userToken });
    expect(userOnPage.json.error.code).toBe(210);
    const otherToken = m.issuePageToken(otherPage.id).token;
    const elsewhere = await g(`/${c.id}`, { token: otherToken });
    expect(elsewhere.json.error).toMatchObject({ code: 100, error_subcode: 33 });
    const hideElsewhere = await g(`/${c.id}?is_hidden=true`, { method: 'POST', token: otherToken });
    expect(hideElsewhere.json.error.code).toBe(100);
    expect(m.isHidden(c.id)).toBe(false);
    // A token without pages_manage_engagement reads but cannot act.
    const readOnly = m.issuePageToken(page.id, {
      scopes: ['pages_read_engagement', 'pages_read_user_content'],
    });
    const refused = await g(`/${c.id}?is_hidden=true`, { method: 'POST', token: readOnly.token });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe(200);
    // The Authorization header works as well as the parameter.
    const bearer = await call(`${sandbox!.meta.graphUrl}/${c.id}?fields=id`, {
      headers: { authorization: `Bearer ${pageToken}` },
    });
    expect(bearer.json).toEqual({ id: c.id });
    // appsecret_proof is checked when sent.
    const proof = await g(`/${c.id}?fields=id&appsecret_proof=${m.proofFor(pageToken)}`);
    expect(proof.json).toEqual({ id: c.id });
    const wrongProof = await g(`/${c.id}?fields=id&appsecret_proof=${'0'.repeat(64)}`);
    expect(wrongProof.json.error.code).toBe(100);
    // Unknown edges and paths.
    const edge = await g(`/${page.id}/no_such_edge`);
    expect(edge.json.error.code).toBe(2500);
    const path = await g('/a/b/c');
    expect(path.status).toBe(400);
    expect(path.json.error.code).toBe(2500);
    // Revoked (e.g. password changed) and expired tokens.
    expect(m.revoke({ user: page.adminIds[0]! })).toBeGreaterThan(0);
    const revoked = await g(`/${c.id}`);
    expect(revoked.json.error).toMatchObject({ code: 190, error_subcode: 460 });
    const fresh = m.issueUserToken('Jo Head', { ttlSeconds: 60 });
    m.expireToken(fresh.token);
    const expired = await g('/me', { token: fresh.token });
    expect(expired.json.error).toMatchObject({ code: 190, error_subcode: 463 });
  });

  it('reports usage in headers, rising with calls, and throttles at the limit', async () => {
    const { s, post, userToken, g } = await school();
    s.meta.usage.set({ page: 4, user: 50, app: 100 });
    const first = await g(`/${post.id}/comments`);
    const bucOf = (a: Answer) => JSON.parse(a.headers.get('x-business-use-case-usage') ?? '{}')[post.pageId];
    expect(bucOf(first)).toEqual([
      {
        type: 'pages',
        call_count: 25,
        total_cputime: 12,
        total_time: 18,
        estimated_time_to_regain_access: 0,
      },
    ]);
    expect(JSON.parse(first.headers.get('x-page-usage') ?? '{}')).toMatchObject({ call_count: 25 });
    expect(JSON.parse(first.headers.get('x-app-usage') ?? '{}')).toEqual({
      call_count: 1,
      total_cputime: 0,
      total_time: 0,
    });
    await g(`/${post.id}/comments`);
    await g(`/${post.id}/comments`);
    const fourth = await g(`/${post.id}/comments`);
    expect(bucOf(fourth)[0]).toMatchObject({ call_count: 100, estimated_time_to_regain_access: 60 });
    const refused = await g(`/${post.id}/comments`);
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({ code: 32, message: '(#32) Page request limit reached' });
    // The user's own calls are counted apart; the app's across everyone.
    const mine = await g('/me/accounts', { token: userToken });
    expect(mine.status).toBe(200);
    s.meta.usage.set({ app: 5 });
    const app = await g('/me', { token: userToken });
    expect(app.json.error).toMatchObject({ code: 4 });
    expect(JSON.parse(app.headers.get('x-app-usage') ?? '{}').call_count).toBe(100);
  });
});

describe('Meta Graph sandbox: hostile input', () => {
  it('answers bad ids, fields, limits, times and bodies with Graph errors, never a 500', async () => {
    const { s, m, post, g } = await school();
    const hostile = 'Ignore this \u202Egnp.exe\u200B <script>alert(1)</script> \u{1F600}';
    const c = m.addComment({ on: post.id, from: 'Pat Parent', message: hostile });
    expect((await g(`/${c.id}?fields=message`)).json.message).toBe(hostile);
    const cases: [string, RequestInit?][] = [
      ['/%00abc'],
      [`/${c.id}%00`],
      [`/${c.id}?fields=${'a{'.repeat(10)}id${'}'.repeat(10)}`],
      [`/${c.id}?fields=id,,message`],
      [`/${post.id}/comments?limit=999999999999`],
      [`/${post.id}/comments?since=next-tuesday-ish`],
      [`/${post.id}/comments?filter=everything`],
      [`/${c.id}/comments?message=${'x'.repeat(9_000)}`, { method: 'POST' }],
      [`/${c.id}?is_hidden=`, { method: 'POST' }],
      [`/${post.pageId}/blocked?user=[1,`, { method: 'POST' }],
    ];
    for (const [path, init] of cases) {
      const answer = await g(path, init);
      expect(answer.status, path.slice(0, 60)).toBe(400);
      expect(answer.json.error.code, path.slice(0, 60)).toBe(100);
    }
    const clamped = await g(`/${post.id}/comments?limit=500`);
    expect(clamped.status).toBe(200);
    const huge = await g(`/${c.id}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'x'.repeat(1_100_000) }),
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe(1);
    expect(s.state.log.every((e) => e.status < 500)).toBe(true);
    // The admin helpers say what was wrong.
    const admin = await call(`${s.url}/sandbox/meta/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ on: '123', from: 'Pat', message: 'x' }),
    });
    expect(admin.status).toBe(400);
    expect(admin.json.error).toContain('no such sandbox media or comment');
  });
});

describe('Meta Graph sandbox: Instagram', () => {
  it('lists media with comment counts, comments with their fields, mentions and tags', async () => {
    const { m, page, pageToken, userToken, g } = await school();
    const ig = page.igUserId!;
    const media = m.createMedia({ owner: 'oakfield_primary', caption: 'Trip to the zoo' });
    const c = m.addIgComment({ on: media.id, from: 'mum_of_two', text: 'Lovely!' });
    const r = m.addIgComment({ on: c.id, from: 'dad_jokes', text: 'agreed' });
    const list = await g(`/${ig}/media?fields=id,caption,comments_count`, { token: userToken });
    expect(list.json.data).toEqual([{ id: media.id, caption: 'Trip to the zoo', comments_count: 2 }]);
    const comments = await g(
      `/${media.id}/comments?fields=id,text,username,timestamp,hidden,from{id,username},parent_id,replies{id,parent_id}`,
    );
    expect(comments.json.data).toEqual([
      {
        id: c.id,
        text: 'Lovely!',
        username: 'mum_of_two',
        timestamp: expect.stringMatching(/\+0000$/),
        hidden: false,
        from: { id: c.fromId, username: 'mum_of_two' },
        replies: { data: [{ id: r.id, parent_id: c.id }], paging: expect.any(Object) },
      },
    ]);
    expect((await g(`/${r.id}?fields=id,parent_id`)).json).toEqual({ id: r.id, parent_id: c.id });
    // A mention in someone else's conversation, and a post that tags the school.
    const other = m.createMedia({ owner: 'local_news', caption: 'Roadworks', tagged: ['oakfield_primary'] });
    const mention = m.addIgComment({ on: other.id, from: 'neighbour', text: '@oakfield_primary your gate!' });
    const found = await g(`/${ig}?fields=mentioned_comment.comment_id(${mention.id}){id,text,username}`);
    expect(found.json).toEqual({
      mentioned_comment: { id: mention.id, text: '@oakfield_primary your gate!', username: 'neighbour' },
      id: ig,
    });
    expect((await g(`/${ig}/tags?fields=id`)).json.data).toEqual([{ id: other.id }]);
    // Another Page's token reaches none of it.
    const stranger = m.createPage({ name: 'Other', admins: ['X'] });
    const refused = await g(`/${media.id}/comments`, { token: m.issuePageToken(stranger.id).token });
    expect(refused.json.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect(pageToken).toBeTruthy();
  });

  it('hides, replies, refuses a reply to a hidden comment, and deletes', async () => {
    const { m, page, g } = await school();
    const media = m.createMedia({ owner: page.igUserId!, caption: 'Concert' });
    const c = m.addIgComment({ on: media.id, from: 'troll_99', text: 'nasty' });
    const reply = await g(`/${c.id}/replies?message=${encodeURIComponent('Please be kind')}`, {
      method: 'POST',
    });
    expect(reply.json).toEqual({ id: expect.stringMatching(/^\d+$/) });
    expect(m.igComments.get(reply.json.id)).toMatchObject({ parentId: c.id, fromId: page.igUserId });
    expect((await g(`/${c.id}?hide=true`, { method: 'POST' })).json).toEqual({ success: true });
    expect(m.isHidden(c.id)).toBe(true);
    const refused = await g(`/${c.id}/replies?message=hello`, { method: 'POST' });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({
      code: 100,
      type: 'OAuthException',
      fbtrace_id: expect.any(String),
    });
    expect(m.repliesTo(c.id)).toHaveLength(1);
    expect((await g(`/${c.id}?fields=hidden`)).json).toEqual({ hidden: true, id: c.id });
    expect((await g(`/${c.id}`, { method: 'DELETE' })).json).toEqual({ success: true });
    expect(m.isDeleted(c.id)).toBe(true);
    expect((await g(`/${c.id}`)).json.error.code).toBe(100);
  });
});

import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';

// Facebook Login against the sandbox (dialog, code exchange, long-lived exchange, debug_token),
// the shared faults in Graph's shapes, and webhook deliveries a receiver can verify with the app
// secret, including the ones a test makes go missing, come twice, out of order or badly signed.

let sandbox: Sandbox | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  receiver = undefined;
});

interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** a bare HTTP receiver that records every request and answers the handshake with `answer` */
async function startReceiver(answer: (url: URL) => { status: number; body: string }) {
  const received: Received[] = [];
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const { status, body } = answer(new URL(request.url ?? '/', 'http://receiver.invalid'));
      response.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks/meta`, received };
}

const echoChallenge = (token: string) => (url: URL) =>
  url.searchParams.get('hub.verify_token') === token
    ? { status: 200, body: url.searchParams.get('hub.challenge') ?? '' }
    : { status: url.searchParams.has('hub.mode') ? 403 : 200, body: 'ok' };

async function json(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: safeParse(text) };
}

function safeParse(text: string): Record<string, unknown> & { error?: Record<string, unknown> } {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

describe('Meta sandbox: Facebook Login', () => {
  it('runs the dialog, the code exchange and the long-lived exchange, and hands out Page tokens', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const m = sandbox.meta.state;
    const page = m.createPage({
      name: 'Oakfield Primary',
      admins: ['Jo Head'],
      instagram: { username: 'oak' },
    });
    const app = m.app;
    const redirect = 'http://127.0.0.1:9/connect/meta/callback';
    const dialogUrl = `${sandbox.url}/v21.0/dialog/oauth?client_id=${app.id}&redirect_uri=${encodeURIComponent(redirect)}&state=s123&scope=pages_show_list,pages_read_engagement,pages_manage_engagement,pages_read_user_content`;
    const consent = await fetch(dialogUrl);
    expect(consent.status).toBe(200);
    const html = await consent.text();
    expect(html).toContain('Continue as Jo Head');
    expect(html).toContain('Oakfield Primary');
    const link = /href="([^"]*sandbox_user=[^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    const approved = await fetch(new URL(link, sandbox.url), { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const back = new URL(approved.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirect);
    expect(back.searchParams.get('state')).toBe('s123');
    const code = back.searchParams.get('code')!;

    const exchange = (query: string) => json(`${sandbox!.meta.graphUrl}/oauth/access_token?${query}`);
    const short = await exchange(
      `client_id=${app.id}&client_secret=${app.secret}&redirect_uri=${encodeURIComponent(redirect)}&code=${code}`,
    );
    expect(short.body).toEqual({
      access_token: expect.stringMatching(/^EAA/),
      token_type: 'bearer',
      expires_in: 7200,
    });
    // A code works once.
    const again = await exchange(
      `client_id=${app.id}&client_secret=${app.secret}&redirect_uri=${encodeURIComponent(redirect)}&code=${code}`,
    );
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 100, error_subcode: 36009 });
    const wrongSecret = await exchange(
      `grant_type=fb_exchange_token&client_id=${app.id}&client_secret=nope&fb_exchange_token=${short.body.access_token}`,
    );
    expect(wrongSecret.body.error).toMatchObject({ code: 1, message: 'Error validating client secret.' });
    const long = await exchange(
      `grant_type=fb_exchange_token&client_id=${app.id}&client_secret=${app.secret}&fb_exchange_token=${short.body.access_token}`,
    );
    expect(long.body).toMatchObject({ token_type: 'bearer', expires_in: 60 * 24 * 3600 });

    const accounts = await json(
      `${sandbox.meta.graphUrl}/me/accounts?access_token=${long.body.access_token}`,
    );
    const pageToken = (accounts.body.data as { id: string; access_token: string }[])[0]!;
    expect(pageToken.id).toBe(page.id);
    const appToken = `${app.id}|${app.secret}`;
    const debug = await json(
      `${sandbox.meta.graphUrl}/debug_token?input_token=${pageToken.access_token}&access_token=${encodeURIComponent(appToken)}`,
    );
    expect(debug.body.data).toMatchObject({
      app_id: app.id,
      type: 'PAGE',
      is_valid: true,
      expires_at: 0,
      profile_id: page.id,
      scopes: expect.arrayContaining(['pages_manage_engagement']),
    });
    m.revoke({ token: pageToken.access_token, subcode: 458 });
    const revoked = await json(
      `${sandbox.meta.graphUrl}/debug_token?input_token=${pageToken.access_token}&access_token=${encodeURIComponent(appToken)}`,
    );
    expect(revoked.body.data).toMatchObject({ is_valid: false, error: { code: 190, subcode: 458 } });
  });

  it('lets the person grant only some of their Pages, and /me/accounts lists only those', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const m = sandbox.meta.state;
    const oak = m.createPage({
      name: 'Oakfield Primary',
      admins: ['Jo Head'],
      instagram: { username: 'oak' },
    });
    const elm = m.createPage({ name: 'Elm Grove', admins: ['Jo Head'], instagram: { username: 'elm' } });
    const { app } = m;
    const redirect = 'http://127.0.0.1:9/cb';
    const dialogUrl = `${sandbox.url}/v21.0/dialog/oauth?client_id=${app.id}&redirect_uri=${encodeURIComponent(redirect)}&state=s&scope=pages_show_list,instagram_basic`;
    const html = await (await fetch(dialogUrl)).text();
    expect(html).toContain(`name="sandbox_pages" value="${oak.id}" checked`);
    expect(html).toContain(`name="sandbox_pages" value="${elm.id}" checked`);
    // The form submits the dialog's own parameters with the chosen Pages.
    const person = m.person('Jo Head')!;
    const approved = await fetch(`${dialogUrl}&sandbox_user=${person.id}&sandbox_pages=${elm.id}`, {
      redirect: 'manual',
    });
    const code = new URL(approved.headers.get('location')!).searchParams.get('code')!;
    const token = await json(
      `${sandbox.meta.graphUrl}/oauth/access_token?client_id=${app.id}&client_secret=${app.secret}&redirect_uri=${encodeURIComponent(redirect)}&code=${code}`,
    );
    const accounts = await json(
      `${sandbox.meta.graphUrl}/me/accounts?fields=id,instagram_business_account{id}&access_token=${token.body.access_token}`,
    );
    expect(accounts.body.data).toEqual([{ id: elm.id, instagram_business_account: { id: elm.igUserId } }]);
    // The Instagram account of a Page not granted is out of reach too.
    const oakIg = await json(
      `${sandbox.meta.graphUrl}/${oak.igUserId}?access_token=${token.body.access_token}`,
    );
    expect(oakIg.body.error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('sends the person back with an error when they cancel, and refuses an unknown app', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const { app } = sandbox.meta.state;
    const denied = await fetch(
      `${sandbox.url}/v21.0/dialog/oauth?client_id=${app.id}&redirect_uri=http://127.0.0.1:9/cb&state=z&sandbox_deny=1`,
      { redirect: 'manual' },
    );
    const back = new URL(denied.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_reason')).toBe('user_denied');
    expect(back.searchParams.get('state')).toBe('z');
    const unknown = await fetch(
      `${sandbox.url}/v21.0/dialog/oauth?client_id=42&redirect_uri=http://127.0.0.1:9/cb`,
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('Invalid App ID');
  });
});

describe('Meta sandbox: faults in Graph shapes', () => {
  it('answers the shared faults and injected Graph errors as Graph does', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const m = sandbox.meta.state;
    const page = m.createPage({ name: 'Oakfield', admins: ['Jo'] });
    const post = m.createPost({ page: page.id, message: 'hello' });
    const token = m.issuePageToken(page.id).token;
    const url = `${sandbox.meta.graphUrl}/${post.id}/comments?access_token=${token}`;

    sandbox.faults.set({ status5xx: { count: 1, status: 500 } });
    const failed = await json(url);
    expect(failed.status).toBe(500);
    expect(failed.body.error).toMatchObject({ code: 1, is_transient: true });
    expect(failed.headers.get('x-app-usage')).not.toBeNull();

    sandbox.faults.set({ rateLimitNext: { count: 1, endpoint: 'comments' } });
    const throttled = await json(url);
    expect(throttled.status).toBe(403);
    expect(throttled.body.error).toMatchObject({ code: 4 });
    expect(JSON.parse(throttled.headers.get('x-app-usage')!).call_count).toBe(100);

    sandbox.faults.set({ malformedJson: { count: 1 } });
    const broken = await json(url);
    expect(broken.status).toBe(200);
    expect(() => JSON.parse(broken.text) as unknown).toThrow();

    sandbox.meta.faults.add({ code: 613, endpoint: 'GET /{post-id}/comments' });
    const custom = await json(url);
    expect(custom.status).toBe(400);
    expect(custom.body.error).toMatchObject({ code: 613, type: 'OAuthException' });
    sandbox.meta.faults.add({ code: 2 });
    expect((await json(url)).body.error).toMatchObject({ code: 2 });

    sandbox.meta.faults.actionBlocked.add(page.id);
    const c = m.addComment({ on: post.id, from: 'Pat', message: 'x' });
    const blocked = await json(`${sandbox.meta.graphUrl}/${c.id}?is_hidden=true&access_token=${token}`, {
      method: 'POST',
    });
    expect(blocked.body.error).toMatchObject({ code: 368 });
    expect(m.isHidden(c.id)).toBe(false);

    sandbox.faults.set({ connectionReset: { count: 1 } });
    await expect(fetch(url)).rejects.toThrow();
    expect((await json(url)).status).toBe(200);
    expect(sandbox.state.log.filter((e) => e.fault !== null).map((e) => e.fault)).toEqual([
      'status5xx',
      'rateLimitNext',
      'malformedJson',
      'connectionReset',
    ]);
  });
});

describe('Meta sandbox: webhooks', () => {
  it('runs the subscription handshake and records whether the challenge came back', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const hook = await startReceiver(echoChallenge('right-token'));
    sandbox.meta.webhooks.configure({ callbackUrl: hook.url, verifyToken: 'right-token' });
    const ok = await sandbox.meta.webhooks.verify();
    expect(ok).toMatchObject({ ok: true, status: 200 });
    expect(hook.received[0]!.url).toContain('hub.mode=subscribe');
    const wrong = await sandbox.meta.webhooks.verify({ verifyToken: 'wrong-token' });
    expect(wrong).toMatchObject({ ok: false, status: 403 });
    // Over HTTP too.
    const viaAdmin = await json(`${sandbox.url}/sandbox/meta/webhooks/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(viaAdmin.body).toMatchObject({ ok: true });
    const configure = (body: unknown) =>
      json(`${sandbox!.url}/sandbox/meta/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await configure({ drop: 'lots' })).body).toEqual({ error: 'drop must be a number, 0 or more' });
    expect((await configure({ callbackUrl: 'not a url' })).status).toBe(400);
    expect((await configure({ delayMs: 5 })).body).toMatchObject({ delayMs: 5, callbackUrl: hook.url });
  });

  it('delivers signed page and instagram changes a receiver can verify with the app secret', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const m = sandbox.meta.state;
    const hook = await startReceiver(() => ({ status: 200, body: 'EVENT_RECEIVED' }));
    sandbox.meta.webhooks.configure({ callbackUrl: hook.url });
    const page = m.createPage({ name: 'Oakfield', admins: ['Jo'], instagram: { username: 'oakfield' } });
    const post = m.createPost({ page: page.id, message: 'Sports day' });
    const c = m.addComment({ on: post.id, from: 'Pat Parent', message: 'great' });
    const r = m.addComment({ on: c.id, from: 'Sam', message: 'reply' });
    m.setCommentHidden(c.id, true);
    m.deleteComment(r.id);
    const media = m.createMedia({ owner: 'oakfield', caption: 'Trip' });
    const ic = m.addIgComment({ on: media.id, from: 'mum_of_two', text: 'lovely' });
    const other = m.createMedia({ owner: 'local_news', caption: 'News' });
    const mention = m.addIgComment({ on: other.id, from: 'neighbour', text: '@oakfield hello' });
    await sandbox.meta.webhooks.idle();

    const posts = hook.received.filter((d) => d.method === 'POST');
    expect(posts).toHaveLength(7);
    for (const delivery of posts) {
      const expected = `sha256=${createHmac('sha256', m.app.secret).update(delivery.body).digest('hex')}`;
      expect(delivery.headers['x-hub-signature-256']).toBe(expected);
      expect(delivery.headers['content-type']).toBe('application/json');
    }
    const bodies = posts.map((d) => JSON.parse(d.body));
    const feed = bodies.filter((b) => b.object === 'page').map((b) => b.entry[0].changes[0]);
    expect(feed.map((ch) => [ch.field, ch.value.item, ch.value.verb])).toEqual([
      ['feed', 'status', 'add'],
      ['feed', 'comment', 'add'],
      ['feed', 'comment', 'add'],
      ['feed', 'comment', 'hide'],
      ['feed', 'comment', 'remove'],
    ]);
    expect(bodies[1].entry[0].id).toBe(page.id);
    expect(feed[1].value).toMatchObject({
      from: { id: c.fromId, name: 'Pat Parent' },
      message: 'great',
      post_id: post.id,
      comment_id: c.id,
      parent_id: post.id,
      created_time: Math.floor(c.createdAt.getTime() / 1000),
    });
    expect(feed[2].value).toMatchObject({ comment_id: r.id, parent_id: c.id });
    const ig = bodies.filter((b) => b.object === 'instagram');
    expect(ig[0].entry[0]).toMatchObject({
      id: page.igUserId,
      changes: [
        {
          field: 'comments',
          value: {
            id: ic.id,
            text: 'lovely',
            from: { id: ic.fromId, username: 'mum_of_two' },
            media: { id: media.id },
          },
        },
      ],
    });
    expect(ig[1].entry[0]).toMatchObject({
      id: page.igUserId,
      changes: [{ field: 'mentions', value: { media_id: other.id, comment_id: mention.id } }],
    });
    expect(sandbox.meta.webhooks.deliveries.every((d) => d.status === 200)).toBe(true);
  });

  it('drops, duplicates, reorders and mis-signs deliveries when told', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const m = sandbox.meta.state;
    const hook = await startReceiver(() => ({ status: 200, body: 'ok' }));
    const page = m.createPage({ name: 'Oakfield', admins: ['Jo'] });
    const post = m.createPost({ page: page.id, message: 'Sports day' });
    sandbox.meta.webhooks.configure({ callbackUrl: hook.url, drop: 1, duplicate: 1 });
    const ids = ['one', 'two', 'three'].map(
      (message) => m.addComment({ on: post.id, from: 'Pat', message }).id,
    );
    await sandbox.meta.webhooks.idle();
    const commentIds = () =>
      hook.received.map((d) => JSON.parse(d.body).entry[0].changes[0].value.comment_id);
    expect(commentIds()).toEqual([ids[1], ids[1], ids[2]]);

    hook.received.length = 0;
    sandbox.meta.webhooks.configure({ reorder: 3 });
    const later = ['four', 'five', 'six'].map(
      (message) => m.addComment({ on: post.id, from: 'Pat', message }).id,
    );
    await sandbox.meta.webhooks.idle();
    expect(commentIds()).toEqual([later[2], later[1], later[0]]);

    hook.received.length = 0;
    sandbox.meta.webhooks.configure({ badSignature: 1 });
    m.addComment({ on: post.id, from: 'Pat', message: 'seven' });
    m.addComment({ on: post.id, from: 'Pat', message: 'eight' });
    await sandbox.meta.webhooks.idle();
    const valid = hook.received.map(
      (d) =>
        d.headers['x-hub-signature-256'] ===
        `sha256=${createHmac('sha256', m.app.secret).update(d.body).digest('hex')}`,
    );
    expect(valid).toEqual([false, true]);
    expect(sandbox.meta.webhooks.deliveries.map((d) => d.fault)).toEqual([
      'dropped',
      null,
      'duplicate',
      null,
      'reordered',
      'reordered',
      'reordered',
      'badSignature',
      null,
    ]);
  });

  it('batches changes into one delivery and retries a delivery the receiver refused', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const m = sandbox.meta.state;
    let refuse = 1;
    const hook = await startReceiver(() => {
      if (refuse > 0) {
        refuse -= 1;
        return { status: 500, body: 'busy' };
      }
      return { status: 200, body: 'ok' };
    });
    const page = m.createPage({ name: 'Oakfield', admins: ['Jo'] });
    const post = m.createPost({ page: page.id, message: 'Sports day' });
    sandbox.meta.webhooks.configure({ callbackUrl: hook.url, batch: 3, retries: 2, retryDelayMs: 10 });
    const ids = ['one', 'two', 'three', 'four'].map(
      (message) => m.addComment({ on: post.id, from: 'Pat', message }).id,
    );
    await sandbox.meta.webhooks.idle();
    // Three changes in one delivery, refused once and sent again; the fourth waits for its batch.
    expect(hook.received).toHaveLength(2);
    const batch = JSON.parse(hook.received[1]!.body);
    expect(batch.entry).toHaveLength(1);
    expect(
      batch.entry[0].changes.map((ch: { value: { comment_id: string } }) => ch.value.comment_id),
    ).toEqual(ids.slice(0, 3));
    expect(hook.received[1]!.body).toBe(hook.received[0]!.body);
    expect(sandbox.meta.webhooks.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    sandbox.meta.webhooks.flush();
    await sandbox.meta.webhooks.idle();
    expect(hook.received).toHaveLength(3);
    expect(JSON.parse(hook.received[2]!.body).entry[0].changes[0].value.comment_id).toBe(ids[3]);
  });
});

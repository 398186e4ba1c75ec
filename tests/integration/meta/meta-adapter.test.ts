import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { isPlatformError, type PlatformAdapter } from '../../../services/platforms/adapter.js';
import { createFacebookPageAdapter, createInstagramAdapter } from '../../../services/platforms/meta/index.js';

// The adapters' own calls against the Graph sandbox over a socket (no database).

const APP = { id: '100000000000001', secret: 'sandboxappsecret0123456789abcdef' };
let sandbox: Sandbox;
let n = 0;
const open: PlatformAdapter[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', meta: { app: APP } });
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  sandbox.faults.reset();
  sandbox.meta.faults.reset();
  for (const adapter of open.splice(0)) adapter.close();
});

function scene(appSecret = APP.secret) {
  n += 1;
  const m = sandbox.meta.state;
  const page = m.createPage({
    name: `Adapter School ${n}`,
    admins: [`Head ${n}`],
    instagram: { username: `adapter_${n}` },
  });
  const token = m.issuePageToken(page.id).token;
  const common = {
    credentials: { accessToken: token },
    appSecret,
    graphBaseUrl: sandbox.url,
    graphVersion: 'v21.0',
  };
  const fb = createFacebookPageAdapter({
    ...common,
    account: { platformUserId: page.id, handle: page.name },
  });
  const ig = createInstagramAdapter({
    ...common,
    account: { platformUserId: page.igUserId!, handle: `adapter_${n}` },
  });
  open.push(fb, ig);
  return { m, page, token, fb, ig };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('Facebook Page adapter', () => {
  it('identifies the Page; a revoked token is an auth error on verify and refresh', async () => {
    const { m, page, token, fb } = scene();
    expect(await fb.verifyCredentials()).toEqual({
      platformUserId: page.id,
      handle: page.name,
      name: page.name,
    });
    expect(await fb.refreshCredentials()).toEqual({ accessToken: token });
    m.revoke({ token });
    const error = await failure(fb.refreshCredentials());
    expect(isPlatformError(error, 'auth')).toBe(true);
    expect((error as Error).message).toMatch(/code 190/);
    expect((error as Error).message).not.toContain(token);
  });

  it('every call carries a correct appsecret_proof: with the wrong app secret the sandbox refuses it', async () => {
    sandbox.meta.faults.requireAppSecretProof = true;
    const good = scene();
    await expect(good.fb.verifyCredentials()).resolves.toMatchObject({ platformUserId: good.page.id });
    const bad = scene('not-the-app-secret-000000000000');
    const error = await failure(bad.fb.verifyCredentials());
    expect(isPlatformError(error)).toBe(true);
  });

  it('replies under a comment, and the reply is there', async () => {
    const { m, page, fb } = scene();
    const post = m.createPost({ page: page.id, message: 'Harvest festival' });
    const c = m.addComment({ on: post.id, from: 'Pat Parent', message: 'When?' });
    const posted = await fb.reply(c.id, 'Friday at 2pm');
    expect(posted.text).toBe('Friday at 2pm');
    expect(m.repliesTo(c.id).map((r) => r.id)).toContain(posted.externalId);
  });

  it('ban, read back, unban; a second delete finds the comment gone and says so', async () => {
    const { m, page, fb } = scene();
    const post = m.createPost({ page: page.id, message: 'x' });
    const c = m.addComment({ on: post.id, from: 'Troll', message: 'abuse' });
    await fb.block(c.fromId);
    expect(await fb.readState('blocked', c.fromId)).toBe(true);
    expect(m.isBanned(page.id, c.fromId)).toBe(true);
    await fb.unblock(c.fromId);
    expect(m.isBanned(page.id, c.fromId)).toBe(false);
    expect(await fb.readState('blocked', c.fromId)).toBe(false);

    expect(await fb.delete(c.id)).toEqual({ alreadyInState: false });
    expect(m.isDeleted(c.id)).toBe(true);
    expect(await fb.delete(c.id)).toEqual({ alreadyInState: true });
  });

  it('mute and report are refused as unsupported, with the reason', async () => {
    const { fb } = scene();
    const error = await failure(fb.mute('1'));
    expect(isPlatformError(error, 'unsupported')).toBe(true);
    expect((error as Error).message).toMatch(/no mute for a Page/);
  });

  it('a body that is not JSON fails the fetch as malformed with the raw body; a 5xx as transient', async () => {
    const { m, page, fb } = scene();
    m.createPost({ page: page.id, message: 'x' });
    sandbox.faults.set({ malformedJson: { count: 1 } });
    const malformed = await failure(drain(fb));
    expect(isPlatformError(malformed, 'malformed')).toBe(true);
    expect((malformed as { rawBody?: string }).rawBody).toBeTruthy();
    sandbox.faults.reset();
    sandbox.faults.set({ status5xx: { count: 1, status: 503 } });
    expect(isPlatformError(await failure(drain(fb)), 'transient')).toBe(true);
  });
});

describe('Instagram adapter', () => {
  it('hide reads back; a reply to a hidden comment is refused by Instagram, with its reason', async () => {
    const { m, ig } = scene();
    const media = m.createMedia({ owner: `adapter_${n}`, caption: 'Trip' });
    const c = m.addIgComment({ on: media.id, from: 'mum_of_two', text: 'hm' });
    await ig.hide(c.id);
    expect(await ig.readState('hidden', c.id)).toBe(true);
    const error = await failure(ig.reply(c.id, 'Thanks for your message'));
    expect(isPlatformError(error, 'permanent')).toBe(true);
    expect((error as Error).message).toMatch(/code 100\/2534037/);
    expect(m.repliesTo(c.id)).toEqual([]);
    await ig.unhide(c.id);
    const posted = await ig.reply(c.id, 'Thanks for your message');
    expect(m.repliesTo(c.id).map((r) => r.id)).toContain(posted.externalId);
  });

  it("block is refused as unsupported: Instagram's API cannot block", async () => {
    const { ig } = scene();
    expect(ig.capabilities.block).toBe(false);
    const error = await failure(ig.block('123'));
    expect(isPlatformError(error, 'unsupported')).toBe(true);
    expect((error as Error).message).toContain('Instagram’s API cannot block');
  });

  it('identifies the Instagram account through the Page token', async () => {
    const { page, ig } = scene();
    expect(await ig.verifyCredentials()).toMatchObject({
      platformUserId: page.igUserId,
      handle: `adapter_${n}`,
    });
  });
});

async function drain(adapter: PlatformAdapter) {
  for await (const _page of adapter.fetchPages(null, { maxPages: 5, conversationBackstop: false })) {
    // read every page
  }
}

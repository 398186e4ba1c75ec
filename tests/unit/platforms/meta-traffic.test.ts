import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startMetaTraffic } from '../../../sandbox/meta/traffic.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';

// The traffic generator's Meta end: most comments land on the Facebook Page, the rest on the
// Instagram account, in the places a school's real traffic arrives, and each one is announced by
// webhook when a callback is set.

let sandbox: Sandbox | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  receiver = undefined;
});

function counts(s: Sandbox, pageId: string, igUserId: string) {
  const m = s.meta.state;
  const fbComments = [...m.comments.values()].filter((c) => m.posts.get(c.postId)?.pageId === pageId);
  const visitorPosts = m.postsOf(pageId).filter((p) => p.fromId !== pageId);
  const igOwn = [...m.igComments.values()].filter((c) => m.media.get(c.mediaId)?.ownerId === igUserId);
  const igMentions = [...m.igComments.values()].filter((c) => c.mentionIds.includes(igUserId));
  return { fbComments, visitorPosts, igOwn, igMentions };
}

describe('Meta traffic', () => {
  it('sends most comments to Facebook and the rest to Instagram, in process', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const page = sandbox.meta.state.createPage({
      name: 'Oak Hill',
      admins: ['Jo Head'],
      instagram: { username: 'oak_hill' },
    });
    const traffic = startMetaTraffic({
      sandbox: sandbox.meta.state,
      accounts: [page.id],
      ratePerSecond: 2_000,
      seed: 11,
      openingPosts: 2,
    });
    await vi.waitFor(() => expect(traffic.posted).toBeGreaterThanOrEqual(200), {
      timeout: 20_000,
      interval: 20,
    });
    await traffic.stop();
    expect(traffic.failed).toBe(0);
    const c = counts(sandbox, page.id, page.igUserId!);
    const facebook = c.fbComments.length + c.visitorPosts.length;
    const instagram = c.igOwn.length + c.igMentions.length;
    expect(facebook + instagram).toBe(traffic.posted);
    expect(facebook / traffic.posted).toBeGreaterThan(0.75);
    expect(instagram).toBeGreaterThan(0);
    // Replies in threads, visitor posts, and Instagram mentions under someone else's media.
    expect(c.fbComments.some((x) => x.parentId !== null)).toBe(true);
    expect(c.fbComments.some((x) => x.parentId === null)).toBe(true);
    expect(c.visitorPosts.length).toBeGreaterThan(0);
    expect(
      c.igMentions.every((x) => sandbox!.meta.state.media.get(x.mediaId)?.ownerId !== page.igUserId),
    ).toBe(true);
  });

  it('posts over HTTP and every change is delivered by webhook', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    let delivered = 0;
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        delivered += 1;
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    sandbox.meta.webhooks.configure({
      callbackUrl: `http://127.0.0.1:${port}/webhooks/meta`,
      concurrency: 4,
    });
    const page = sandbox.meta.state.createPage({
      name: 'Elm Grove',
      admins: ['Ed Elm'],
      instagram: { username: 'elm_grove' },
    });
    sandbox.meta.state.createPost({ page: page.id, message: 'Welcome back' });
    const traffic = startMetaTraffic({
      sandbox: sandbox.url,
      accounts: [page.id],
      ratePerSecond: 400,
      seed: 3,
      facebookShare: 0.5,
    });
    await vi.waitFor(() => expect(traffic.posted).toBeGreaterThan(30), { timeout: 20_000, interval: 20 });
    await traffic.stop();
    await sandbox.meta.webhooks.idle();
    expect(traffic.failed).toBe(0);
    const c = counts(sandbox, page.id, page.igUserId!);
    expect(c.fbComments.length + c.visitorPosts.length + c.igOwn.length + c.igMentions.length).toBe(
      traffic.posted,
    );
    // One delivery per change: the opening post, each Facebook comment or visitor post, each Instagram comment or mention.
    expect(delivered).toBe(sandbox.meta.webhooks.deliveries.length);
    expect(delivered).toBe(1 + traffic.posted);
  });
});

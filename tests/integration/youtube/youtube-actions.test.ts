import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import {
  isPlatformError,
  type PlatformAdapter,
  type PlatformError,
} from '../../../services/platforms/adapter.js';
import { createYouTubeAdapter } from '../../../services/platforms/youtube/youtube-adapter.js';
import { nextPacificMidnight } from '../../../services/platforms/youtube/youtube-quota.js';

// Every YouTube action through the real client code against the sandbox over a socket, its effect
// read back from the sandbox's own state.

let sandbox: Sandbox;
let n = 0;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  sandbox.faults.reset();
  sandbox.youtube.faults.reset();
  sandbox.youtube.state.quota.resetDay();
});

function setup() {
  n += 1;
  const y = sandbox.youtube.state;
  const channel = y.createChannel({ title: `Oakfield ${n}`, handle: `@oak${n}`, owner: `Head ${n}` });
  const video = y.createVideo({ channel: channel.id, title: 'Sports day' });
  const { access, refresh } = y.issueTokens({ channel: channel.id });
  const adapter = createYouTubeAdapter({
    credentials: {
      accessToken: access.token,
      refreshToken: refresh.token,
      expiresAt: new Date(access.expiresAt),
    },
    clientId: y.client.id,
    clientSecret: y.client.secret,
    apiBaseUrl: sandbox.youtube.apiUrl,
    tokenUrl: `${sandbox.youtube.oauthUrl}/token`,
    onCredentialsRefreshed: async () => {},
    account: { platformUserId: channel.id, handle: channel.handle.slice(1) },
  });
  const comment = y.addComment({ on: video.id, from: `Parent ${n}`, text: 'Rude words here' });
  return { y, channel, video, adapter, comment };
}

async function refusal(promise: Promise<unknown>): Promise<PlatformError> {
  try {
    await promise;
  } catch (error) {
    if (isPlatformError(error)) return error;
    throw error;
  }
  throw new Error('expected a PlatformError');
}

const used = () => sandbox.youtube.state.quota.snapshot(sandbox.youtube.state.client.id).used;

describe('YouTube actions against the sandbox', () => {
  let adapter: PlatformAdapter;
  afterEach(() => adapter?.close());

  it('replies in the thread, also when asked to answer a reply', async () => {
    const s = setup();
    adapter = s.adapter;
    const reply = s.y.addComment({ on: s.comment.id, from: 'Other Parent', text: 'I agree' });
    const posted = await adapter.reply(reply.id, 'Thank you, we will look into it.');
    const stored = s.y.comments.get(posted.externalId)!;
    expect(stored).toMatchObject({
      parentId: s.comment.id,
      authorChannelId: s.channel.id,
      text: 'Thank you, we will look into it.',
    });
    expect(posted.url).toBe(`https://www.youtube.com/watch?v=${s.video.id}&lc=${posted.externalId}`);
  });

  it('holds a comment for review, reads it back, and publishes it again', async () => {
    const s = setup();
    adapter = s.adapter;
    expect(await adapter.readState('hidden', s.comment.id)).toBe(false);
    const before = used();
    await adapter.hide(s.comment.id);
    // 50 units to set the status, 1 to read it back.
    expect(used() - before).toBe(51);
    expect(s.y.comments.get(s.comment.id)?.moderationStatus).toBe('heldForReview');
    expect(await adapter.readState('hidden', s.comment.id)).toBe(true);
    await adapter.unhide(s.comment.id);
    expect(s.y.comments.get(s.comment.id)?.moderationStatus).toBe('published');
  });

  it('deletes by rejecting; blocks by rejecting the comment with banAuthor', async () => {
    const s = setup();
    adapter = s.adapter;
    await adapter.delete(s.comment.id);
    expect(s.y.comments.get(s.comment.id)?.moderationStatus).toBe('rejected');
    expect(s.y.channels.get(s.channel.id)?.banned.size).toBe(0);

    const other = s.y.addComment({ on: s.video.id, from: 'Troll', text: 'abuse' });
    await adapter.block(other.authorChannelId, { commentExternalId: other.id });
    expect(s.y.comments.get(other.id)?.moderationStatus).toBe('rejected');
    expect([...s.y.channels.get(s.channel.id)!.banned]).toEqual([other.authorChannelId]);
    // A banned author's next comment never reaches the video.
    expect(s.y.addComment({ on: s.video.id, from: 'Troll', text: 'again' }).moderationStatus).toBe(
      'rejected',
    );
  });

  it('without the comment a ban is refused with the reason, not attempted', async () => {
    const s = setup();
    adapter = s.adapter;
    const error = await refusal(adapter.block(s.comment.authorChannelId));
    expect(error.kind).toBe('permanent');
    expect(error.reason).toMatch(/only by rejecting one of their comments/);
  });

  it('what the Data API cannot do is unsupported, with the reason', async () => {
    const s = setup();
    adapter = s.adapter;
    for (const attempt of [adapter.mute('x'), adapter.unblock('x'), adapter.report(s.comment.id, 'abuse')]) {
      const error = await refusal(attempt);
      expect(error.kind).toBe('unsupported');
      expect(error.reason).toBeTruthy();
    }
  });

  it("moderating another channel's comment is refused permanently; a missing one is a 404", async () => {
    const s = setup();
    adapter = s.adapter;
    const elsewhere = setup();
    elsewhere.adapter.close();
    const forbidden = await refusal(adapter.hide(elsewhere.comment.id));
    expect(forbidden).toMatchObject({ kind: 'permanent', status: 403 });
    expect(elsewhere.y.comments.get(elsewhere.comment.id)?.moderationStatus).toBe('published');
    const gone = await refusal(adapter.delete('UgzAAAAAAAAAAAAAAAAAAA4AaABAg'));
    expect(gone).toMatchObject({ kind: 'permanent', status: 404 });
  });

  it('a spent quota refuses an action until midnight Pacific, and the action is not done', async () => {
    const s = setup();
    adapter = s.adapter;
    s.y.quota.set({ project: s.y.client.id, used: 10_000 - 10 });
    const error = await refusal(adapter.hide(s.comment.id));
    expect(error.kind).toBe('rate_limited');
    expect(error.resetAt).toEqual(nextPacificMidnight(Date.now()));
    expect(error.reason).toMatch(/daily quota .* midnight Pacific time/);
    expect(s.y.comments.get(s.comment.id)?.moderationStatus).toBe('published');
  });

  it('a 5xx is transient, a reset connection is transient, a 429 waits', async () => {
    const s = setup();
    adapter = s.adapter;
    sandbox.faults.set({ status5xx: { count: 1, endpoint: 'setModerationStatus' } });
    expect(await refusal(adapter.hide(s.comment.id))).toMatchObject({ kind: 'transient', status: 503 });
    sandbox.faults.set({ connectionReset: { count: 1, endpoint: 'setModerationStatus' } });
    expect((await refusal(adapter.hide(s.comment.id))).kind).toBe('transient');
    sandbox.faults.set({ rateLimitNext: { count: 1, endpoint: 'setModerationStatus', resetInSeconds: 30 } });
    const limited = await refusal(adapter.hide(s.comment.id));
    expect(limited.kind).toBe('rate_limited');
    expect(limited.resetAt!.getTime()).toBeGreaterThan(Date.now());
    expect(s.y.comments.get(s.comment.id)?.moderationStatus).toBe('published');
    await adapter.hide(s.comment.id);
    expect(s.y.comments.get(s.comment.id)?.moderationStatus).toBe('heldForReview');
  });

  it('verifies the credentials belong to the channel; deletes its own reply', async () => {
    const s = setup();
    adapter = s.adapter;
    expect(await adapter.verifyCredentials()).toEqual({
      platformUserId: s.channel.id,
      handle: s.channel.handle.slice(1),
      name: s.channel.title,
    });
    const posted = await adapter.reply(s.comment.id, 'Sent in error');
    await adapter.deleteOwnPost(posted.externalId);
    expect(s.y.comments.get(posted.externalId)?.deleted).toBe(true);
    expect(await adapter.deleteOwnPost(posted.externalId)).toEqual({ alreadyInState: true });
  });
});

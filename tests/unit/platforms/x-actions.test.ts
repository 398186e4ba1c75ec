import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxTweet } from '../../../sandbox/x/state.js';
import { PlatformError } from '../../../services/platforms/adapter.js';
import { type Connected, catchError, connectedSandbox } from './x-sandbox-fixture.js';

let ctx: Connected | undefined;
afterEach(async () => {
  ctx?.adapter.close();
  await ctx?.sandbox.close();
  ctx = undefined;
});

/** an own post with one reply from a parent */
function conversation(c: Connected): { post: SandboxTweet; reply: SandboxTweet } {
  const post = c.sandbox.state.createPost({
    author: c.account.id,
    text: 'Term dates for 2025/26 are on the website',
  });
  const reply = c.sandbox.state.injectComment({
    from: 'angryparent99',
    inReplyTo: post.id,
    text: 'useless id10ts',
  });
  return { post, reply };
}

async function unsupported(c: Connected, promise: Promise<unknown>, capability: string): Promise<void> {
  const before = c.sandbox.state.log.length;
  const error = await catchError(promise);
  expect(error).toBeInstanceOf(PlatformError);
  expect(error).toMatchObject({ kind: 'unsupported', capability });
  expect(c.sandbox.state.log.length).toBe(before);
}

describe('X adapter: actions', () => {
  it('declares what X can and cannot do, with reasons', async () => {
    ctx = await connectedSandbox();
    const caps = ctx.adapter.capabilities;
    expect(caps).toMatchObject({
      fetch: true,
      reply: true,
      hide: true,
      mute: true,
      delete: false,
      block: false,
    });
    expect(caps.notes.delete).toMatch(/only its own posts/);
    expect(caps.notes.block).toMatch(/enterprise/);
    expect(caps.readHidden).toBe(false);
  });

  it('reply posts one tweet in the conversation', async () => {
    ctx = await connectedSandbox();
    const { post, reply } = conversation(ctx);
    const before = ctx.sandbox.state.stateChanges().length;
    const posted = await ctx.adapter.reply(reply.id, 'Please contact the office so we can help.');
    const tweet = ctx.sandbox.state.tweet(posted.externalId)!;
    expect(tweet).toMatchObject({
      authorId: ctx.account.id,
      conversationId: post.id,
      inReplyToTweetId: reply.id,
      text: 'Please contact the office so we can help.',
    });
    expect(posted.url).toBe(`https://x.com/oakfield_primary/status/${posted.externalId}`);
    const changes = ctx.sandbox.state.stateChanges().slice(before);
    expect(changes.map((c) => c.endpoint)).toEqual(['POST /2/tweets']);
  });

  it('hide and unhide change the reply on the platform', async () => {
    ctx = await connectedSandbox();
    const { reply } = conversation(ctx);
    await ctx.adapter.hide(reply.id);
    expect(ctx.sandbox.state.isHidden(reply.id)).toBe(true);
    // Hiding twice is harmless on X.
    await ctx.adapter.hide(reply.id);
    expect(ctx.sandbox.state.isHidden(reply.id)).toBe(true);
    await ctx.adapter.unhide(reply.id);
    expect(ctx.sandbox.state.isHidden(reply.id)).toBe(false);
    await unsupported(ctx, ctx.adapter.readState('hidden', reply.id), 'readHidden');
  });

  it("hiding a reply in someone else's conversation → permanent with X's reason", async () => {
    ctx = await connectedSandbox();
    const other = ctx.sandbox.state.ensureUser('local_resident_22');
    const theirPost = ctx.sandbox.state.createPost({
      author: other.id,
      text: 'traffic outside the school again',
    });
    const comment = ctx.sandbox.state.injectComment({
      from: 'dave_the_dad',
      inReplyTo: theirPost.id,
      text: '@oakfield_primary sort it',
    });
    const error = await catchError(ctx.adapter.hide(comment.id));
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({ kind: 'permanent', status: 403, endpoint: 'PUT /2/tweets/:id/hidden' });
    expect((error as PlatformError).reason).toMatch(/conversation you started/);
    expect(ctx.sandbox.state.isHidden(comment.id)).toBe(false);
  });

  it('says a reply is gone once its author deletes it (P9 read-back), and not while it is up', async () => {
    ctx = await connectedSandbox();
    const { reply } = conversation(ctx);
    expect(await ctx.adapter.commentGone!(reply.id)).toBe(false);
    ctx.sandbox.state.deleteTweet(reply.id);
    expect(await ctx.adapter.commentGone!(reply.id)).toBe(true);
  });

  it('mute and unmute, read back through the muting list', async () => {
    ctx = await connectedSandbox();
    const { reply } = conversation(ctx);
    expect(await ctx.adapter.readState('muted', reply.authorId)).toBe(false);
    await ctx.adapter.mute(reply.authorId);
    expect(ctx.sandbox.state.isMuting(ctx.account.id, reply.authorId)).toBe(true);
    expect(await ctx.adapter.readState('muted', reply.authorId)).toBe(true);
    await ctx.adapter.unmute(reply.authorId);
    expect(await ctx.adapter.readState('muted', reply.authorId)).toBe(false);
  });

  it('reads a muting list across pages', async () => {
    ctx = await connectedSandbox();
    const mutes = new Set<string>();
    for (let i = 0; i < 1_500; i += 1) mutes.add(ctx.sandbox.state.ensureUser(`muted_${i}`).id);
    ctx.sandbox.state.mutes.set(ctx.account.id, mutes);
    const first = ctx.sandbox.state.user('muted_0')!.id;
    expect(await ctx.adapter.readState('muted', first)).toBe(true);
    expect(ctx.sandbox.state.requestsTo('GET /2/users/:id/muting')).toHaveLength(2);
  });

  it('block is declared unsupported without enterprise, and the platform refuses it too', async () => {
    ctx = await connectedSandbox();
    const { reply } = conversation(ctx);
    await unsupported(ctx, ctx.adapter.block(reply.authorId), 'block');
    await unsupported(ctx, ctx.adapter.readState('blocked', reply.authorId), 'readBlocked');

    const response = await fetch(`${ctx.sandbox.url}/2/users/${ctx.account.id}/blocking`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.issued.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ target_user_id: reply.authorId }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ title: 'Client Forbidden', reason: 'client-not-enrolled' });
    expect(ctx.sandbox.state.isBlocking(ctx.account.id, reply.authorId)).toBe(false);
  });

  it('block and read blocks with an enterprise app', async () => {
    ctx = await connectedSandbox({ sandbox: { enterprise: true }, adapter: { enterprise: true } });
    const { reply } = conversation(ctx);
    await ctx.adapter.block(reply.authorId);
    expect(ctx.sandbox.state.isBlocking(ctx.account.id, reply.authorId)).toBe(true);
    expect(await ctx.adapter.readState('blocked', reply.authorId)).toBe(true);
    await ctx.adapter.unblock(reply.authorId);
    expect(await ctx.adapter.readState('blocked', reply.authorId)).toBe(false);
  });

  it("deleting another's comment is declared unsupported; the account's own post can be deleted", async () => {
    ctx = await connectedSandbox();
    const { reply } = conversation(ctx);
    await unsupported(ctx, ctx.adapter.delete(reply.id), 'delete');
    await unsupported(ctx, ctx.adapter.report(reply.id, 'abusive'), 'report');
    expect(ctx.sandbox.state.tweet(reply.id)).toBeDefined();

    const mine = await ctx.adapter.reply(reply.id, 'Posted in error');
    await expect(ctx.adapter.deleteOwnPost(mine.externalId)).resolves.toEqual({ alreadyInState: false });
    expect(ctx.sandbox.state.tweet(mine.externalId)).toBeUndefined();
    // A retried delete finds it gone and counts as done.
    await expect(ctx.adapter.deleteOwnPost(mine.externalId)).resolves.toEqual({ alreadyInState: true });

    // The platform itself refuses to delete someone else's post.
    const error = await catchError(ctx.adapter.deleteOwnPost(reply.id));
    expect(error).toMatchObject({ kind: 'permanent', status: 403 });
    expect((error as PlatformError).reason).toMatch(/did not author/);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import {
  type Credentials,
  type FetchPage,
  isPlatformError,
  type PlatformAdapter,
  type PollCursor,
} from '../../../services/platforms/adapter.js';
import { createBlueskyAdapter, signInWithAppPassword } from '../../../services/platforms/bluesky/index.js';

// The Bluesky adapter's own calls through @atproto/api against the XRPC sandbox over a socket (no
// database): what it reads, and every action's effect read back from the sandbox.

let sandbox: Sandbox;
let n = 0;
const open: PlatformAdapter[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  sandbox.faults.reset();
  sandbox.bluesky.rateLimits.reset();
  sandbox.bluesky.state.hiddenRepliesLimit = 300;
  for (const adapter of open.splice(0)) adapter.close();
});

async function scene() {
  n += 1;
  const b = sandbox.bluesky.state;
  const handle = `school${n}.bsky.social`;
  const { actor, appPassword } = b.addActor({ handle, displayName: `School ${n}`, appPassword: '' });
  const parent = b.addActor({ handle: `parent${n}.bsky.social`, displayName: `Pat Parent ${n}` }).actor;
  const other = b.addActor({ handle: `other${n}.bsky.social`, displayName: `Olly ${n}` }).actor;
  const signedIn = await signInWithAppPassword(sandbox.bluesky.serviceUrl, handle, appPassword!);
  const stored: Credentials[] = [];
  const adapter = createBlueskyAdapter({
    serviceUrl: sandbox.bluesky.serviceUrl,
    credentials: signedIn.credentials,
    onCredentialsRefreshed: async (c) => {
      stored.push(c);
    },
    account: { platformUserId: signedIn.did, handle },
  });
  open.push(adapter);
  const root = b.post({ author: handle, text: `Sports day photos ${n}` });
  return { b, actor, appPassword: appPassword!, parent, other, adapter, stored, root, handle, signedIn };
}

async function drain(adapter: PlatformAdapter, cursor: PollCursor | null, maxPages = 10) {
  const pages: FetchPage[] = [];
  for await (const page of adapter.fetchPages(cursor, { maxPages, conversationBackstop: false }))
    pages.push(page);
  return {
    pages,
    comments: pages.flatMap((p) => p.comments),
    quarantined: pages.flatMap((p) => p.quarantined ?? []),
    cursor: pages.at(-1)?.cursorAfter ?? cursor,
  };
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('Bluesky adapter: reading', () => {
  it('identifies the account from its session', async () => {
    const { adapter, signedIn, handle } = await scene();
    expect(await adapter.verifyCredentials()).toEqual({ platformUserId: signedIn.did, handle, name: handle });
  });

  it('reads replies, mentions and quotes once each across polls, with root, parent and author', async () => {
    const { b, adapter, parent, other, root, handle } = await scene();
    const reply = b.post({ author: parent.handle, text: 'Lovely day!', replyTo: root.uri });
    const threadReply = b.post({ author: other.handle, text: 'Agreed', replyTo: reply.uri });
    const mention = b.post({ author: other.handle, text: `@${handle} when is the fair?` });
    const quote = b.post({ author: parent.handle, text: 'Look at this', quote: root.uri });
    b.post({ author: handle, text: 'Thank you all', replyTo: reply.uri });

    const first = await drain(adapter, null);
    expect(first.comments.map((c) => c.externalId).sort()).toEqual(
      [reply.uri, threadReply.uri, mention.uri, quote.uri].sort(),
    );
    const byUri = new Map(first.comments.map((c) => [c.externalId, c]));
    expect(byUri.get(threadReply.uri)).toMatchObject({
      conversationId: root.uri,
      inReplyToExternalId: reply.uri,
      authorExternalId: other.did,
      authorHandle: other.handle,
      authorName: other.displayName,
      text: 'Agreed',
      foundBy: 'conversation',
    });
    expect(byUri.get(mention.uri)).toMatchObject({ conversationId: mention.uri, foundBy: 'mention' });
    expect(byUri.get(mention.uri)?.inReplyToExternalId).toBeUndefined();
    expect(byUri.get(reply.uri)?.url).toBe(`https://bsky.app/profile/${parent.handle}/post/${reply.rkey}`);

    // Nothing new: one small call, nothing read twice.
    const before = sandbox.bluesky.state.requestLog.entries.length;
    const second = await drain(adapter, first.cursor);
    expect(second.comments).toEqual([]);
    const calls = sandbox.bluesky.state.requestLog.entries.slice(before);
    expect(calls.map((c) => c.path)).toEqual(['/xrpc/app.bsky.notification.listNotifications']);
    expect(calls[0]?.query).toContain('limit=10');

    const later = b.post({ author: parent.handle, text: 'One more thing', replyTo: root.uri });
    const third = await drain(adapter, second.cursor);
    expect(third.comments.map((c) => c.externalId)).toEqual([later.uri]);
  });

  it('a walk cut short by maxPages resumes where it stopped, and newer posts wait for the next walk', async () => {
    const { b, adapter, parent, root } = await scene();
    const posted = Array.from({ length: 130 }, (_, i) =>
      b.post({ author: parent.handle, text: `Comment ${i}`, replyTo: root.uri }),
    );
    const first = await drain(adapter, null, 1);
    expect(first.comments).toHaveLength(10);
    const arrived = b.post({ author: parent.handle, text: 'Meanwhile', replyTo: root.uri });
    const second = await drain(adapter, first.cursor, 1);
    const third = await drain(adapter, second.cursor, 5);
    const fourth = await drain(adapter, third.cursor, 5);
    const seen = [...first.comments, ...second.comments, ...third.comments, ...fourth.comments].map(
      (c) => c.externalId,
    );
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual([...posted.map((p) => p.uri), arrived.uri].sort());
  });

  it('quarantines a notification whose post record is not readable and keeps the rest of the page', async () => {
    const { b, adapter, parent, root, actor } = await scene();
    const good = b.post({ author: parent.handle, text: 'Fine', replyTo: root.uri });
    const bad = b.post({ author: parent.handle, text: 'placeholder', replyTo: root.uri });
    b.addNotification({
      recipient: actor.did,
      uri: bad.uri,
      reason: 'mention',
      raw: { record: { $type: 'app.bsky.feed.post', text: 42, createdAt: 'yesterday-ish' } },
    });
    const read = await drain(adapter, null);
    expect(read.comments.map((c) => c.externalId)).toContain(good.uri);
    expect(read.quarantined).toHaveLength(1);
    expect(read.quarantined[0]).toMatchObject({ externalId: bad.uri });
    expect(read.quarantined[0]?.reason).toMatch(/record\.text/);
    expect(read.quarantined[0]?.reason).not.toContain('placeholder');
  });

  it('an item outside the lexicon (an author without a valid DID) is quarantined alone; cut-off JSON is malformed', async () => {
    const { b, adapter, actor, parent, root } = await scene();
    const good = b.post({ author: parent.handle, text: 'Fine', replyTo: root.uri });
    const odd = b.post({ author: parent.handle, text: 'odd author' });
    b.addNotification({
      recipient: actor.did,
      uri: odd.uri,
      reason: 'mention',
      raw: { author: { did: 'not a did' } },
    });
    const read = await drain(adapter, null);
    expect(read.comments.map((c) => c.externalId)).toEqual([good.uri]);
    expect(read.quarantined.map((q) => q.externalId)).toEqual([odd.uri]);
    expect(read.quarantined[0]?.reason).toMatch(/author/);

    const clean = await scene();
    sandbox.faults.set({ malformedJson: { count: 1, endpoint: 'listNotifications' } });
    const cut = await failure(drain(clean.adapter, null));
    expect(isPlatformError(cut, 'malformed')).toBe(true);
    expect((cut as { rawBody?: string }).rawBody).toBeTruthy();
  });

  it('an item with no readable URI is quarantined without an id, and the next poll does not bring it back', async () => {
    const { b, adapter, actor } = await scene();
    b.addNotification({
      recipient: actor.did,
      uri: `at://${actor.did}/app.bsky.feed.post/3kwhatever222`,
      reason: 'mention',
      raw: { uri: 42 },
    });
    const first = await drain(adapter, null);
    expect(first.quarantined).toHaveLength(1);
    expect(first.quarantined[0]?.externalId).toBeNull();
    b.post({ author: actor.handle, text: 'Our own post, not a notification' });
    const second = await drain(adapter, first.cursor);
    expect(second.quarantined).toHaveLength(0);
  });
});

describe('Bluesky adapter: acting, read back from the sandbox', () => {
  it('replies with the thread root and the parent', async () => {
    const { b, adapter, parent, other, root } = await scene();
    const reply = b.post({ author: parent.handle, text: 'Question?', replyTo: root.uri });
    const deeper = b.post({ author: other.handle, text: 'Same question', replyTo: reply.uri });
    const posted = await adapter.reply(deeper.uri, 'Thank you, we will write to parents today.');
    const record = b.record(posted.externalId)!;
    expect(record.value.text).toBe('Thank you, we will write to parents today.');
    expect(record.value.reply).toEqual({
      root: { uri: root.uri, cid: root.cid },
      parent: { uri: deeper.uri, cid: deeper.cid },
    });
    // A reply to a top-level mention starts its thread there: root and parent are the mention.
    const mention = b.post({ author: other.handle, text: 'hello @school' });
    const answer = await adapter.reply(mention.uri, 'Hello!');
    expect(b.record(answer.externalId)!.value.reply).toEqual({
      root: { uri: mention.uri, cid: mention.cid },
      parent: { uri: mention.uri, cid: mention.cid },
    });
    const long = await failure(adapter.reply(mention.uri, 'x'.repeat(301)));
    expect(isPlatformError(long, 'permanent')).toBe(true);
  });

  it('hides and unhides a reply through the thread’s threadgate, keeping who may reply', async () => {
    const { b, adapter, parent, root, signedIn } = await scene();
    const reply = b.post({ author: parent.handle, text: 'Rude words', replyTo: root.uri });
    // The school had limited replies to people it follows: hiding must not open the thread up.
    b.putRecord(signedIn.did, 'app.bsky.feed.threadgate', root.rkey, {
      $type: 'app.bsky.feed.threadgate',
      post: root.uri,
      createdAt: new Date().toISOString(),
      allow: [{ $type: 'app.bsky.feed.threadgate#followingRule' }],
    });
    expect(await adapter.hide(reply.uri)).toEqual({ alreadyInState: false });
    expect(b.isHidden(reply.uri)).toBe(true);
    expect(b.threadgateOf(root.uri)?.value.allow).toEqual([
      { $type: 'app.bsky.feed.threadgate#followingRule' },
    ]);
    expect(await adapter.readState('hidden', reply.uri)).toBe(true);
    expect(await adapter.hide(reply.uri)).toEqual({ alreadyInState: true });
    expect(await adapter.unhide(reply.uri)).toEqual({ alreadyInState: false });
    expect(b.isHidden(reply.uri)).toBe(false);
    expect(await adapter.readState('hidden', reply.uri)).toBe(false);
  });

  it('a thread with no threadgate gets one that hides the reply and leaves replies open to all', async () => {
    const { b, adapter, parent, root } = await scene();
    const reply = b.post({ author: parent.handle, text: 'Spam', replyTo: root.uri });
    await adapter.hide(reply.uri);
    const gate = b.threadgateOf(root.uri)!;
    expect(gate.value.hiddenReplies).toEqual([reply.uri]);
    expect(gate.value.post).toBe(root.uri);
    expect(gate.value.allow).toBeUndefined();
  });

  it('refuses to hide in a thread the school did not start, saying what to do instead', async () => {
    const { b, adapter, parent, other } = await scene();
    const theirs = b.post({ author: other.handle, text: 'My own thread' });
    const reply = b.post({ author: parent.handle, text: 'Reply there', replyTo: theirs.uri });
    const error = await failure(adapter.hide(reply.uri));
    expect(isPlatformError(error, 'permanent')).toBe(true);
    expect((error as { reason?: string }).reason).toMatch(/threads it started.*mute or block/);
    expect(b.isHidden(reply.uri)).toBe(false);
    expect(b.threadgateOf(theirs.uri)).toBeUndefined();
  });

  it('at the threadgate’s limit says so and offers mute, block or report; nothing changes', async () => {
    const { b, adapter, parent, root } = await scene();
    sandbox.bluesky.state.hiddenRepliesLimit = 2;
    const replies = [1, 2, 3].map((i) =>
      b.post({ author: parent.handle, text: `Reply ${i}`, replyTo: root.uri }),
    );
    await adapter.hide(replies[0]!.uri);
    await adapter.hide(replies[1]!.uri);
    const error = await failure(adapter.hide(replies[2]!.uri));
    expect(isPlatformError(error, 'permanent')).toBe(true);
    expect((error as { reason?: string }).reason).toMatch(
      /already hides 2 replies.*Mute or block the person, or report/,
    );
    expect(b.isHidden(replies[2]!.uri)).toBe(false);
    expect(b.threadgateOf(root.uri)?.value.hiddenReplies).toEqual([replies[0]!.uri, replies[1]!.uri]);
  });

  it('mutes, blocks and reports, each read back; and undoes mute and block', async () => {
    const { b, adapter, parent, root, actor } = await scene();
    const reply = b.post({ author: parent.handle, text: 'Abuse', replyTo: root.uri });
    expect(await adapter.mute(parent.did)).toEqual({ alreadyInState: false });
    expect(b.mutesOf(actor.did).has(parent.did)).toBe(true);
    expect(await adapter.readState('muted', parent.did)).toBe(true);
    expect(await adapter.mute(parent.did)).toEqual({ alreadyInState: true });

    expect(await adapter.block(parent.did)).toEqual({ alreadyInState: false });
    expect(b.blockOf(actor.did, parent.did)).toBeDefined();
    expect(await adapter.readState('blocked', parent.did)).toBe(true);
    expect(await adapter.block(parent.did)).toEqual({ alreadyInState: true });

    expect(await adapter.report(reply.uri, 'Abusive reply to the school')).toEqual({ alreadyInState: false });
    const report = b.reports.at(-1)!;
    expect(report).toMatchObject({
      reportedBy: actor.did,
      reasonType: 'com.atproto.moderation.defs#reasonViolation',
      reason: 'Abusive reply to the school',
      subject: { $type: 'com.atproto.repo.strongRef', uri: reply.uri, cid: reply.cid },
      proxy: 'did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler',
    });

    expect(await adapter.unmute(parent.did)).toEqual({ alreadyInState: false });
    expect(b.mutesOf(actor.did).has(parent.did)).toBe(false);
    expect(await adapter.unblock(parent.did)).toEqual({ alreadyInState: false });
    expect(b.blockOf(actor.did, parent.did)).toBeUndefined();
    expect(await adapter.readState('blocked', parent.did)).toBe(false);
  });

  it('deletes only its own posts; another’s is unsupported', async () => {
    const { b, adapter, parent, root } = await scene();
    const reply = b.post({ author: parent.handle, text: 'Hi', replyTo: root.uri });
    const mine = await adapter.reply(reply.uri, 'Sent in error');
    expect(await adapter.deleteOwnPost(mine.externalId)).toEqual({ alreadyInState: false });
    expect(b.record(mine.externalId)).toBeUndefined();
    expect(await adapter.deleteOwnPost(mine.externalId)).toEqual({ alreadyInState: true });
    expect(isPlatformError(await failure(adapter.delete(reply.uri)), 'unsupported')).toBe(true);
    expect(b.record(reply.uri)).toBeDefined();
  });
});

describe('Bluesky adapter: sessions and limits', () => {
  it('an expired access token is refreshed, stored, and the call made again', async () => {
    const { b, adapter, actor, stored, parent, root } = await scene();
    b.post({ author: parent.handle, text: 'After expiry', replyTo: root.uri });
    b.expireAccessTokens(actor.did);
    const read = await drain(adapter, null);
    expect(read.comments).toHaveLength(1);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.secret).toBeTruthy();
    expect(b.sessions.get(stored[0]!.accessToken)?.did).toBe(actor.did);
  });

  it('a spent refresh token falls back to the app password; a revoked app password is an auth error', async () => {
    const { b, adapter, actor, appPassword, stored } = await scene();
    // Another process used the refresh token first: this one is spent.
    for (const s of b.sessions.values()) if (s.did === actor.did) b.refreshes.delete(s.refreshJwt);
    b.expireAccessTokens(actor.did);
    await expect(adapter.verifyCredentials()).resolves.toMatchObject({ platformUserId: actor.did });
    expect(stored).toHaveLength(1);

    b.revokeAppPassword(actor, appPassword);
    const error = await failure(adapter.verifyCredentials());
    expect(isPlatformError(error, 'auth')).toBe(true);
    expect((error as Error).message).not.toContain(appPassword);
    expect((error as { reason?: string }).reason).toMatch(/app password was revoked/);
  });

  it('a 429 is rate_limited until RateLimit-Reset; near the limit reads stop before calling', async () => {
    const { adapter } = await scene();
    sandbox.faults.set({ rateLimitNext: { count: 1, endpoint: 'listNotifications', resetInSeconds: 120 } });
    const error = await failure(drain(adapter, null));
    expect(isPlatformError(error, 'rate_limited')).toBe(true);
    const resetAt = (error as { resetAt?: Date }).resetAt!;
    expect(resetAt.getTime()).toBeGreaterThan(Date.now() + 60_000);

    const tight = await startSandbox({
      port: 0,
      host: '127.0.0.1',
      bluesky: { rateLimits: { global: { limit: 40, windowSeconds: 300 } } },
    });
    try {
      const { actor, appPassword } = tight.bluesky.state.addActor({
        handle: 'tight.bsky.social',
        appPassword: '',
      });
      const signedIn = await signInWithAppPassword(
        tight.bluesky.serviceUrl,
        'tight.bsky.social',
        appPassword!,
      );
      const limited = createBlueskyAdapter({
        serviceUrl: tight.bluesky.serviceUrl,
        credentials: signedIn.credentials,
        onCredentialsRefreshed: async () => {},
        account: { platformUserId: actor.did, handle: actor.handle },
      });
      let refused: unknown = null;
      let calls = 0;
      for (let i = 0; i < 45 && refused === null; i += 1) {
        try {
          await limited.readState('muted', actor.did);
          calls += 1;
        } catch (e) {
          refused = e;
        }
      }
      expect(isPlatformError(refused, 'rate_limited')).toBe(true);
      expect((refused as Error).message).toMatch(/known locally/);
      // Reads stopped with calls to spare for actions (5% of 40 = 2), never reaching a 429.
      expect(calls).toBe(38);
      expect(tight.bluesky.state.requestLog.entries.filter((e) => e.status === 429)).toHaveLength(0);
      expect(limited.rateLimitState()[0]).toMatchObject({ limit: 40, remaining: 2 });
      limited.close();
    } finally {
      await tight.close();
    }
  });
});

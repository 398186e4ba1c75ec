import { afterEach, describe, expect, it } from 'vitest';
import { CORPUS } from '../../../sandbox/core/comment-corpus.js';
import { createCommentGenerator, type GeneratedComment } from '../../../sandbox/core/traffic-generator.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import type { SandboxTweet } from '../../../sandbox/x/state.js';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import { startDemoTraffic } from '../../../services/demo/demo-traffic.js';
import { type PlatformAdapter, PlatformError } from '../../../services/platforms/adapter.js';
import { createXAdapter } from '../../../services/platforms/x/x-adapter.js';

// The demo's traffic is what a school's account really gets (#16 item 6): most comments are
// replies in the school's own posts' conversations, so hiding one works; some are not, so X
// refuses and the action takes the manual path; and a session never shows the same text twice.

let sandbox: Sandbox | undefined;
let adapter: PlatformAdapter | undefined;
afterEach(async () => {
  adapter?.close();
  await sandbox?.close();
  sandbox = undefined;
  adapter = undefined;
});

const DISCLOSURE = 'i have not eaten properly for days, please dont tell my mum i said';

function generate(seed: number, count: number): GeneratedComment[] {
  const generator = createCommentGenerator(seed);
  return Array.from({ length: count }, () =>
    generator.next(['oakfield_primary'], () => ['1800000000000000001', '1800000000000000002'], 0.8),
  );
}

describe('demo traffic', () => {
  it('never shows the same text twice in 2,000 comments, nor a core sentence twice within 100', () => {
    for (const seed of [1, 2, 3, 977]) {
      const comments = generate(seed, 2_000);
      const texts = comments.map((c) => c.text);
      expect(new Set(texts).size).toBe(texts.length);
      const lastSeen = new Map<string, number>();
      const tooSoon: string[] = [];
      comments.forEach((c, i) => {
        const last = lastSeen.get(c.core);
        if (last !== undefined && i - last < 100) tooSoon.push(`${c.core} at ${last} and ${i}`);
        lastSeen.set(c.core, i);
      });
      expect(tooSoon).toEqual([]);
    }
  });

  it('carries the kinds a word list misses, and the disclosure the demo once left unlabelled', () => {
    expect(CORPUS.safeguarding.first_person).toContain(DISCLOSURE);
    const comments = generate(5, 2_000);
    const kinds = new Set(comments.map((c) => `${c.category}/${c.kind}`));
    for (const kind of [
      'safeguarding/first_person',
      'safeguarding/third_party',
      'safeguarding/adult_approach',
      'safeguarding/exploitation',
      'safeguarding/suicidal_ideation',
      'safeguarding/extremism',
      'safeguarding/beside_an_event',
      'threat/no_swear_word',
      'threat/weapon_report',
      'offensive/hate_opinion',
      'offensive/evasive_spelling',
      'offensive/innuendo',
      'media_enquiry/plain_words',
      'praise/school_life',
    ]) {
      expect(kinds).toContain(kind);
    }
    expect(comments.some((c) => c.text.includes(DISCLOSURE))).toBe(true);
    // An enquiry of the plain-words kind never says who is asking.
    const plain = comments.filter((c) => c.kind === 'plain_words').map((c) => c.text);
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.filter((t) => /\b(press|reporter|journalist)\b/i.test(t))).toEqual([]);
  });

  it('shows school life in the words of harm, which the classifier leaves unflagged', () => {
    const schoolLife = generate(7, 2_000).filter((c) => c.kind === 'school_life');
    expect(new Set(schoolLife.map((c) => c.core)).size).toBe(CORPUS.praise.school_life!.length);
    const classifier = createClassifier();
    expect(
      schoolLife.filter((c) => classifier.classify(c.text).labels.length > 0).map((c) => c.text),
    ).toEqual([]);
  });

  it('shows concerns written beside a fundraiser or an assembly, which reach the safeguarding lead', () => {
    const beside = generate(7, 2_000).filter((c) => c.kind === 'beside_an_event');
    expect(new Set(beside.map((c) => c.core)).size).toBe(CORPUS.safeguarding.beside_an_event!.length);
    const classifier = createClassifier();
    const missed = beside.filter(
      (c) => !classifier.classify(c.text).labels.some((l) => l.category === 'safeguarding'),
    );
    expect(missed.map((c) => c.text)).toEqual([]);
  });

  it("puts most comments in the school's own conversations, where hiding one through the X adapter works; elsewhere X refuses", async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const school = sandbox.state.createAccount({ username: 'oakfield_primary', name: 'Oakfield Primary' });
    const page = sandbox.meta.state.createPage({
      name: 'Oakfield Primary',
      admins: ['Jo Head'],
      instagram: { username: 'oakfield_primary' },
    });
    const bluesky = sandbox.bluesky.state.addActor({ handle: 'oakfieldprimary.bsky.social' }).actor;
    const both = startDemoTraffic(
      sandbox,
      { xUsername: school.username, pageId: page.id, blueskyHandle: bluesky.handle },
      { ratePerSecond: 10_000, seed: 11 },
    );
    const traffic = both.x;
    while (traffic.posted + traffic.failed < 400) await new Promise((resolve) => setTimeout(resolve, 25));
    await both.stop();
    expect(both.failed).toBe(0);
    // Most of the demo's comments go to the Facebook Page, a little to X and as much to Bluesky,
    // where each reaches the school's notifications (a reply, a mention or a quote).
    expect(both.meta.posted).toBeGreaterThan(traffic.posted * 4);
    expect(both.bluesky.posted).toBeGreaterThan(traffic.posted / 2);
    const bsky = sandbox.bluesky.state;
    const reasons = bsky.notificationsOf(bluesky.did, [], Number.POSITIVE_INFINITY).map((x) => x.reason);
    expect(reasons.length).toBeGreaterThanOrEqual(both.bluesky.posted);
    expect(new Set(reasons)).toEqual(new Set(['reply', 'mention', 'quote']));

    const state = sandbox.state;
    const ownPosts = new Set(
      state
        .tweetsBy(school.id)
        .filter((t) => t.inReplyToTweetId === null)
        .map((t) => t.id),
    );
    expect(ownPosts.size).toBeGreaterThanOrEqual(4);
    const comments = [...state.mentionsOf(school.id)];
    expect(comments).toHaveLength(traffic.posted);
    expect(new Set(comments.map((t) => t.text)).size).toBe(comments.length);
    const inOwn = comments.filter((t) => ownPosts.has(t.conversationId));
    expect(inOwn.length / comments.length).toBeGreaterThan(0.7);
    // Some answer another reply in the thread rather than the post.
    expect(inOwn.some((t) => !ownPosts.has(t.inReplyToTweetId ?? ''))).toBe(true);
    const outside = comments.filter((t) => !ownPosts.has(t.conversationId));
    const ownConversation = (t: SandboxTweet) => t.id === t.conversationId;
    expect(outside.some(ownConversation)).toBe(true);
    const elsewhere = outside.filter((t) => !ownConversation(t));
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(elsewhere.every((t) => state.tweets.get(t.conversationId)?.authorId !== school.id)).toBe(true);

    const issued = state.issueToken(school.id, { clientId: 'hallmonitor-demo' });
    adapter = createXAdapter({
      credentials: {
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        expiresAt: issued.expiresAt,
      },
      clientId: 'hallmonitor-demo',
      apiBaseUrl: sandbox.url,
      onCredentialsRefreshed: async () => {},
      account: { platformUserId: school.id, handle: school.username },
      requestTimeoutMs: 5_000,
    });
    const reply = inOwn[inOwn.length - 1]!;
    await adapter.hide(reply.id);
    const readBack = await fetch(`${sandbox.url}/sandbox/tweets/${reply.id}`);
    expect(await readBack.json()).toMatchObject({ id: reply.id, hidden: true });

    const refused = await adapter.hide(elsewhere[0]!.id).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PlatformError);
    expect(refused).toMatchObject({ kind: 'permanent', status: 403 });
    expect((refused as PlatformError).reason).toMatch(/only hide replies to your own conversations/);
    const notHidden = await fetch(`${sandbox.url}/sandbox/tweets/${elsewhere[0]!.id}`);
    expect(await notHidden.json()).toMatchObject({ hidden: false });
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMENT_CATEGORIES } from '../../../sandbox/core/comment-corpus.js';
import { createCommentGenerator } from '../../../sandbox/core/traffic-generator.js';
import { type Sandbox, startSandbox } from '../../../sandbox/server.js';
import { startTraffic } from '../../../sandbox/x/traffic.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('traffic generator', () => {
  it('produces the whole mix, deterministically for a seed', () => {
    const sample = (seed: number) => {
      const generator = createCommentGenerator(seed);
      return Array.from({ length: 2_000 }, () =>
        generator.next(['school_a', 'school_b'], () => ['1800000000000000001'], 0.4),
      );
    };
    const first = sample(42);
    expect(sample(42)).toEqual(first);
    expect(sample(43)).not.toEqual(first);
    const categories = new Set(first.map((c) => c.category));
    expect([...categories].sort()).toEqual([...COMMENT_CATEGORIES].sort());
    expect(first.some((c) => c.inReplyTo !== undefined)).toBe(true);
    expect(first.every((c) => !/\{\w+\}/.test(c.text))).toBe(true);
    const texts = first.map((c) => c.text).join('\n');
    expect(texts).toMatch(/reporter at the (Echo|Evening Chronicle|Gazette|Post)/);
    expect(texts).toMatch(/07700 ?900/);
    expect(texts).toMatch(/f\.u\.c\.k|sh1t|id10ts/);
    expect(texts).toMatch(/(Amelia|Oliver|Isla|Noah|Ava|Leo|Freya|Jack|Poppy|Harry).*(Year \d|Reception)/);
  });

  it('posts mentions and replies into a running sandbox over HTTP', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const school = sandbox.state.createAccount({ username: 'oak_hill' });
    const post = sandbox.state.createPost({ author: school.id, text: 'Sports day photos are up' });
    const traffic = startTraffic({
      sandbox: sandbox.url,
      accounts: ['oak_hill'],
      ratePerSecond: 400,
      seed: 7,
    });
    // Wait for the traffic itself, not a fixed time: a busy machine posts slower, not wrongly.
    await vi.waitFor(() => expect(traffic.posted).toBeGreaterThan(20), { timeout: 20_000, interval: 20 });
    await traffic.stop();
    expect(traffic.failed).toBe(0);
    const mentions = sandbox.state.mentionsOf(school.id);
    expect(mentions).toHaveLength(traffic.posted);
    expect(mentions.some((t) => t.conversationId === post.id)).toBe(true);
    expect(mentions.some((t) => t.inReplyToTweetId === null)).toBe(true);
    const counted = Object.values(traffic.byCategory).reduce((a, b) => a + b, 0);
    expect(counted).toBe(traffic.posted);
  });

  it('drives the state directly in-process', async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    sandbox.state.preload({ accounts: ['school_x', 'school_y'], mentionsPerAccount: 0 });
    const traffic = startTraffic({
      sandbox: sandbox.state,
      accounts: ['school_x', 'school_y'],
      ratePerSecond: 1_000,
      seed: 3,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await traffic.stop();
    const x = sandbox.state.mentionsOf(sandbox.state.user('school_x')!.id).length;
    const y = sandbox.state.mentionsOf(sandbox.state.user('school_y')!.id).length;
    expect(x + y).toBe(traffic.posted);
    expect(x).toBeGreaterThan(0);
    expect(y).toBeGreaterThan(0);
  });
});

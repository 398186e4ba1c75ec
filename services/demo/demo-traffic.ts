import { startBlueskyTraffic } from '../../sandbox/bluesky/traffic.js';
import { startMetaTraffic } from '../../sandbox/meta/traffic.js';
import type { Sandbox } from '../../sandbox/server.js';
import { startTraffic } from '../../sandbox/x/traffic.js';

/**
 * The demo's traffic, as on a real school's accounts: the school has posted when the demo opens
 * and posts again every 150 comments; eight in ten comments are replies in those posts'
 * conversations (hide, reply and delete work there); the rest mention the school elsewhere (a
 * visitor post on the Page, an @mention under a local account's Instagram media, a post of its own
 * on X), where the school may not be able to act, so those take the manual path.
 */
export const DEMO_TRAFFIC = { replyShare: 0.8, openingPosts: 4, ownPostEvery: 150 } as const;

/** Where the comments go: most to the Facebook Page (by webhook), a little to Instagram, X and Bluesky. */
export const DEMO_SHARES = { x: 0.1, bluesky: 0.1, facebookOfMeta: 0.85 } as const;

export function startDemoTraffic(
  sandbox: Sandbox,
  accounts: { xUsername: string; pageId: string; blueskyHandle: string },
  options: { ratePerSecond: number; seed: number },
) {
  const meta = startMetaTraffic({
    sandbox: sandbox.meta.state,
    accounts: [accounts.pageId],
    ...DEMO_TRAFFIC,
    facebookShare: DEMO_SHARES.facebookOfMeta,
    ratePerSecond: options.ratePerSecond * (1 - DEMO_SHARES.x - DEMO_SHARES.bluesky),
    seed: options.seed,
  });
  const x = startTraffic({
    sandbox: sandbox.state,
    accounts: [accounts.xUsername],
    ...DEMO_TRAFFIC,
    ratePerSecond: options.ratePerSecond * DEMO_SHARES.x,
    seed: options.seed + 1,
  });
  const bluesky = startBlueskyTraffic({
    sandbox: sandbox.bluesky.state,
    accounts: [accounts.blueskyHandle],
    ...DEMO_TRAFFIC,
    ratePerSecond: options.ratePerSecond * DEMO_SHARES.bluesky,
    seed: options.seed + 2,
  });
  return {
    meta,
    x,
    bluesky,
    get posted() {
      return meta.posted + x.posted + bluesky.posted;
    },
    get failed() {
      return meta.failed + x.failed + bluesky.failed;
    },
    async stop() {
      await Promise.all([meta.stop(), x.stop(), bluesky.stop()]);
    },
  };
}

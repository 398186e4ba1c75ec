import { startBlueskyTraffic } from '../../sandbox/bluesky/traffic.js';
import { startMetaTraffic } from '../../sandbox/meta/traffic.js';
import type { Sandbox } from '../../sandbox/server.js';
import { startTraffic } from '../../sandbox/x/traffic.js';
import { startYouTubeTraffic } from '../../sandbox/youtube/traffic.js';

/**
 * The demo's traffic, as on a real school's accounts: the school has posted when the demo opens
 * and posts again every 150 comments; eight in ten comments are replies in those posts'
 * conversations (hide, reply and delete work there); the rest mention the school elsewhere (a
 * visitor post on the Page, an @mention under a local account's Instagram media, a post of its own
 * on X), where the school may not be able to act, so those take the manual path.
 */
export const DEMO_TRAFFIC = { replyShare: 0.8, openingPosts: 4, ownPostEvery: 150 } as const;

/** Where the comments go: most to the Facebook Page (by webhook), a little to Instagram, X, YouTube and Bluesky. */
export const DEMO_SHARES = { x: 0.1, bluesky: 0.1, youtube: 0.08, facebookOfMeta: 0.85 } as const;

export function startDemoTraffic(
  sandbox: Sandbox,
  accounts: { xUsername: string; pageId: string; blueskyHandle: string; youtubeChannelId?: string },
  options: { ratePerSecond: number; seed: number },
) {
  const meta = startMetaTraffic({
    sandbox: sandbox.meta.state,
    accounts: [accounts.pageId],
    ...DEMO_TRAFFIC,
    facebookShare: DEMO_SHARES.facebookOfMeta,
    ratePerSecond:
      options.ratePerSecond *
      (1 - DEMO_SHARES.x - DEMO_SHARES.bluesky - (accounts.youtubeChannelId ? DEMO_SHARES.youtube : 0)),
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
  const youtube = accounts.youtubeChannelId
    ? startYouTubeTraffic({
        sandbox: sandbox.youtube.state,
        accounts: [accounts.youtubeChannelId],
        replyShare: DEMO_TRAFFIC.replyShare,
        ratePerSecond: options.ratePerSecond * DEMO_SHARES.youtube,
        seed: options.seed + 3,
      })
    : null;
  return {
    meta,
    x,
    bluesky,
    youtube,
    get posted() {
      return meta.posted + x.posted + bluesky.posted + (youtube?.posted ?? 0);
    },
    get failed() {
      return meta.failed + x.failed + bluesky.failed + (youtube?.failed ?? 0);
    },
    async stop() {
      await Promise.all([meta.stop(), x.stop(), bluesky.stop(), youtube?.stop()]);
    },
  };
}

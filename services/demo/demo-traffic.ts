import type { Sandbox } from '../../sandbox/server.js';
import { startTraffic } from '../../sandbox/x/traffic.js';

/**
 * The demo's traffic, as on a real school account: the school has posted four things when the
 * demo opens and posts again every 150 comments (about five minutes at the demo's rate); eight in
 * ten comments are replies in those posts' conversations (hide, reply and mute all work there);
 * the rest mention the school in a post of their own or in a local account's conversation, where
 * X will not let the school hide them, so those take the manual path.
 */
export const DEMO_TRAFFIC = { replyShare: 0.8, openingPosts: 4, ownPostEvery: 150 } as const;

export function startDemoTraffic(
  sandbox: Sandbox,
  username: string,
  options: { ratePerSecond: number; seed: number },
) {
  return startTraffic({ sandbox: sandbox.state, accounts: [username], ...DEMO_TRAFFIC, ...options });
}

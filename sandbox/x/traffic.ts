import {
  type GeneratedComment,
  runTraffic,
  type TrafficHandle,
  type TrafficTarget,
} from '../core/traffic-generator.js';
import type { SandboxState } from './state.js';

// The traffic generator's X end: comments become mentions of the account and replies to its own
// posts, in a sandbox in the same process or over HTTP through its /sandbox/ helpers.

export interface TrafficOptions {
  /** a running sandbox's URL, or its state in the same process */
  sandbox: string | SandboxState;
  /** account usernames to comment on */
  accounts: string[];
  ratePerSecond: number;
  seed?: number;
  /** share of comments that reply to one of the account's recent posts, when it has any (default 0.4) */
  replyShare?: number;
}

export function startTraffic(options: TrafficOptions): TrafficHandle {
  const { sandbox, ...rest } = options;
  return runTraffic({
    ...rest,
    target: typeof sandbox === 'string' ? httpTarget(sandbox, options.accounts) : stateTarget(sandbox),
  });
}

function injectInput(comment: GeneratedComment) {
  return {
    from: comment.from,
    fromName: comment.fromName,
    text: comment.text,
    to: comment.to,
    ...(comment.inReplyTo === undefined ? {} : { inReplyTo: comment.inReplyTo }),
  };
}

function stateTarget(state: SandboxState): TrafficTarget {
  return {
    recentPosts(account) {
      const user = state.user(account);
      if (!user) return [];
      return state
        .tweetsBy(user.id)
        .filter((t) => !t.deleted && t.inReplyToTweetId === null)
        .slice(-5)
        .map((t) => t.id);
    },
    async post(comment) {
      state.injectComment(injectInput(comment));
    },
  };
}

function httpTarget(base: string, accounts: readonly string[]): TrafficTarget {
  const postsCache = new Map<string, string[]>();
  return {
    recentPosts: (account) => postsCache.get(account) ?? [],
    async prepare() {
      for (const account of accounts) {
        const response = await fetch(`${base}/sandbox/posts?author=${encodeURIComponent(account)}&limit=5`);
        if (response.ok)
          postsCache.set(
            account,
            ((await response.json()) as { id: string }[]).map((t) => t.id),
          );
      }
    },
    async post(comment) {
      const response = await fetch(`${base}/sandbox/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(injectInput(comment)),
      });
      if (!response.ok) throw new Error(`sandbox answered ${response.status}`);
    },
  };
}

import {
  type GeneratedComment,
  runTraffic,
  type TrafficHandle,
  type TrafficTarget,
} from '../core/traffic-generator.js';
import type { BlueskyState } from './state.js';

// The traffic generator's Bluesky end, in a sandbox in this process or over HTTP through
// /sandbox/bluesky/. A reply joins one of the school's own threads (the school can hide it with
// its threadgate); a thread reply answers another reply there; a mention is a new post naming
// the school's handle; and "elsewhere" quotes one of the school's posts in a post of the
// commenter's own, a thread the school cannot hide anything in. Commenters are
// `{name}.bsky.social` actors, made on first use.

export interface BlueskyTrafficOptions {
  /** a running sandbox's URL, or the Bluesky state in the same process */
  sandbox: string | BlueskyState;
  /** the schools' handles */
  accounts: string[];
  ratePerSecond: number;
  seed?: number;
  replyShare?: number;
  ownPostEvery?: number;
  openingPosts?: number;
}

interface Posted {
  uri: string;
}

interface BlueskyOps {
  post(input: { author: string; text: string; replyTo?: string; quote?: string }): Promise<Posted>;
  actor(handle: string, displayName: string): Promise<void>;
  /** the school's own top-level posts, oldest first */
  ownPosts(handle: string): Promise<string[]>;
}

function stateOps(state: BlueskyState): BlueskyOps {
  return {
    async post(input) {
      return state.post(input);
    },
    async actor(handle, displayName) {
      state.addActor({ handle, displayName });
    },
    async ownPosts(handle) {
      const actor = state.requireActor(handle);
      return state
        .postsBy(actor.did)
        .filter((p) => p.value.reply === undefined)
        .map((p) => p.uri);
    },
  };
}

function httpOps(base: string): BlueskyOps {
  const send = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/sandbox/bluesky${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`sandbox answered ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    post: (input) => send('/posts', input),
    async actor(handle, displayName) {
      await send('/actors', { handle, displayName });
    },
    async ownPosts(handle) {
      return (await send<Posted[]>(`/actors/${encodeURIComponent(handle)}/posts?limit=5`)).map((p) => p.uri);
    },
  };
}

const RECENT = 5;

/** "Sam Jones" → sam-jones.bsky.social */
function handleOf(name: string): string {
  const local = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${local || 'someone'}.bsky.social`;
}

export function blueskyTarget(ops: BlueskyOps, accounts: readonly string[]): TrafficTarget {
  const ownPosts = new Map<string, string[]>();
  const replies = new Map<string, { uri: string; from: string }[]>();
  const known = new Set<string>();

  const commenter = async (comment: { from: string; fromName: string }) => {
    const handle = handleOf(comment.from);
    if (!known.has(handle)) {
      await ops.actor(handle, comment.fromName);
      known.add(handle);
    }
    return handle;
  };

  return {
    recentPosts(account) {
      return (ownPosts.get(account) ?? []).slice(-RECENT);
    },
    async prepare() {
      for (const account of accounts) ownPosts.set(account, await ops.ownPosts(account));
    },
    async schoolPost(account, text) {
      const post = await ops.post({ author: account, text });
      ownPosts.set(account, [...(ownPosts.get(account) ?? []), post.uri]);
    },
    async post(comment: GeneratedComment) {
      const author = await commenter(comment);
      const own = (ownPosts.get(comment.to) ?? []).slice(-RECENT);
      if (comment.placement === 'elsewhere' && own.length > 0) {
        await ops.post({ author, text: comment.text, quote: own[own.length - 1]! });
        return;
      }
      if (comment.inReplyTo === undefined) {
        await ops.post({ author, text: `@${comment.to} ${comment.text}` });
        return;
      }
      const root = comment.inReplyTo;
      const thread = replies.get(root) ?? [];
      const answering =
        comment.placement === 'thread' ? thread.filter((r) => r.from !== author).slice(-3)[0] : undefined;
      const posted = await ops
        .post({ author, text: comment.text, replyTo: answering?.uri ?? root })
        .catch(() => ops.post({ author, text: comment.text, replyTo: root }));
      thread.push({ uri: posted.uri, from: author });
      replies.set(root, thread.slice(-20));
    },
  };
}

export function startBlueskyTraffic(options: BlueskyTrafficOptions): TrafficHandle {
  const { sandbox, ...rest } = options;
  const ops = typeof sandbox === 'string' ? httpOps(sandbox) : stateOps(sandbox);
  return runTraffic({ ...rest, target: blueskyTarget(ops, options.accounts) });
}

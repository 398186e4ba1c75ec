import {
  type GeneratedComment,
  runTraffic,
  type TrafficHandle,
  type TrafficTarget,
} from '../core/traffic-generator.js';
import type { InjectCommentInput, SandboxState } from './state.js';

// The traffic generator's X end, in a sandbox in the same process or over HTTP through its
// /sandbox/ helpers. A reply joins the account's own conversation (the account can hide it); a
// thread reply answers another reply there; a mention starts a conversation of its own; and
// "elsewhere" replies to a local account's post and names the school, a conversation the school
// did not start (X will not let it hide that reply). Every comment names the account, as X's
// reply box does, so every one reaches its mentions timeline.

export interface TrafficOptions {
  /** a running sandbox's URL, or its state in the same process */
  sandbox: string | SandboxState;
  /** account usernames to comment on */
  accounts: string[];
  ratePerSecond: number;
  seed?: number;
  /** share of comments in the account's own posts' conversations, when it has posts (default 0.8) */
  replyShare?: number;
  /** each account posts something new of its own after every N comments (default: never) */
  ownPostEvery?: number;
  /** each account posts this many of its own before the first comment (default 0) */
  openingPosts?: number;
}

export function startTraffic(options: TrafficOptions): TrafficHandle {
  const { sandbox, ...rest } = options;
  const ops = typeof sandbox === 'string' ? httpOps(sandbox) : stateOps(sandbox);
  return runTraffic({ ...rest, target: xTarget(ops, options.accounts) });
}

interface Posted {
  id: string;
  conversationId: string;
}

/** what the target needs of a sandbox X */
interface XOps {
  inject(input: InjectCommentInput): Promise<Posted>;
  createPost(author: string, text: string): Promise<Posted>;
  /** the account's own posts, newest last */
  ownPosts(account: string): Promise<string[]>;
  /** the same, read at once from a sandbox in this process */
  livePosts?(account: string): string[];
}

function stateOps(state: SandboxState): XOps {
  return {
    async inject(input) {
      return state.injectComment(input);
    },
    async createPost(author, text) {
      return state.createPost({ author, text });
    },
    async ownPosts(account) {
      return this.livePosts!(account);
    },
    livePosts(account) {
      const user = state.user(account);
      if (!user) return [];
      return state
        .tweetsBy(user.id)
        .filter((t) => !t.deleted && t.inReplyToTweetId === null)
        .map((t) => t.id);
    },
  };
}

function httpOps(base: string): XOps {
  const send = async (path: string, body: unknown): Promise<Posted> => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`sandbox answered ${response.status}`);
    return (await response.json()) as Posted;
  };
  return {
    inject: (input) => send('/sandbox/comments', input),
    createPost: (author, text) => send('/sandbox/posts', { author, text }),
    async ownPosts(account) {
      const response = await fetch(`${base}/sandbox/posts?author=${encodeURIComponent(account)}&limit=5`);
      return response.ok ? ((await response.json()) as { id: string }[]).map((t) => t.id) : [];
    },
  };
}

const RECENT_POSTS = 5;

function xTarget(ops: XOps, accounts: readonly string[]): TrafficTarget {
  const ownPosts = new Map<string, string[]>();
  /** replies the traffic put in each own conversation, for thread replies */
  const replies = new Map<string, { id: string; from: string }[]>();
  const otherRoots = new Map<number, string>();

  return {
    recentPosts(account) {
      return (ops.livePosts?.(account) ?? ownPosts.get(account) ?? []).slice(-RECENT_POSTS);
    },
    async prepare() {
      for (const account of accounts) ownPosts.set(account, await ops.ownPosts(account));
    },
    async schoolPost(account, text) {
      const post = await ops.createPost(account, text);
      ownPosts.set(account, [...(ownPosts.get(account) ?? []), post.id]);
    },
    async post(comment: GeneratedComment) {
      const base = { from: comment.from, fromName: comment.fromName, text: comment.text, to: comment.to };
      if (comment.placement === 'elsewhere' && comment.elsewhere) {
        const { index, from, fromName, text } = comment.elsewhere;
        let root = otherRoots.get(index);
        if (root === undefined) {
          root = (await ops.inject({ from, fromName, text })).id;
          otherRoots.set(index, root);
        }
        await ops.inject({ ...base, inReplyTo: root });
        return;
      }
      if (comment.inReplyTo === undefined) {
        await ops.inject(base);
        return;
      }
      const conversation = replies.get(comment.inReplyTo) ?? [];
      const answering =
        comment.placement === 'thread'
          ? conversation.filter((r) => r.from !== comment.from).slice(-3)[0]
          : undefined;
      // A reply someone removed meanwhile is answered at the post instead.
      const posted = await ops
        .inject({ ...base, inReplyTo: answering?.id ?? comment.inReplyTo })
        .catch(() => ops.inject({ ...base, inReplyTo: comment.inReplyTo! }));
      conversation.push({ id: posted.id, from: comment.from });
      replies.set(comment.inReplyTo, conversation.slice(-20));
    },
  };
}

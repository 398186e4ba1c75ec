import {
  CATEGORY_WEIGHTS,
  COMMENT_CATEGORIES,
  CORPUS,
  type CommentCategory,
  FILLERS,
  PUBLIC_AUTHORS,
} from './comment-corpus.js';
import type { SandboxState } from './sandbox-state.js';

// Posts a realistic stream of comments to sandbox accounts, as mentions and as replies to the
// accounts' own posts. The same seed gives the same sequence of comments.

export interface GeneratedComment {
  category: CommentCategory;
  text: string;
  from: string;
  fromName: string;
  to: string;
  /** reply to this own post of the account instead of a plain mention */
  inReplyTo?: string;
}

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

export interface TrafficHandle {
  stop(): Promise<void>;
  readonly posted: number;
  readonly failed: number;
  readonly byCategory: Readonly<Record<CommentCategory, number>>;
}

/** mulberry32: small, fast, good enough for test data */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createCommentGenerator(seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const totalWeight = COMMENT_CATEGORIES.reduce((sum, c) => sum + CATEGORY_WEIGHTS[c], 0);

  function category(): CommentCategory {
    let roll = random() * totalWeight;
    for (const c of COMMENT_CATEGORIES) {
      roll -= CATEGORY_WEIGHTS[c];
      if (roll < 0) return c;
    }
    return 'praise';
  }

  return {
    next(
      accounts: readonly string[],
      recentPosts: (account: string) => readonly string[],
      replyShare: number,
    ) {
      const c = category();
      const text = pick(CORPUS[c]).replace(/\{(\w+)\}/g, (whole, key: string) =>
        key in FILLERS ? pick(FILLERS[key as keyof typeof FILLERS]) : whole,
      );
      const [from, fromName] = pick(PUBLIC_AUTHORS);
      const to = pick(accounts);
      const comment: GeneratedComment = { category: c, text, from, fromName, to };
      const posts = recentPosts(to);
      if (posts.length > 0 && random() < replyShare) comment.inReplyTo = pick(posts);
      return comment;
    },
  };
}

export function startTraffic(options: TrafficOptions): TrafficHandle {
  if (options.accounts.length === 0) throw new Error('startTraffic needs at least one account');
  const generator = createCommentGenerator(options.seed ?? 1);
  const replyShare = options.replyShare ?? 0.4;
  const byCategory = Object.fromEntries(COMMENT_CATEGORIES.map((c) => [c, 0])) as Record<
    CommentCategory,
    number
  >;
  const target = options.sandbox;
  const postsCache = new Map<string, string[]>();
  let posted = 0;
  let failed = 0;
  let attempted = 0;
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const startedAt = Date.now();

  const recentPosts = (account: string): string[] => {
    if (typeof target === 'string') return postsCache.get(account) ?? [];
    const user = target.user(account);
    if (!user) return [];
    return target
      .tweetsBy(user.id)
      .filter((t) => !t.deleted && t.inReplyToTweetId === null)
      .slice(-5)
      .map((t) => t.id);
  };

  async function refreshPostsCache(base: string): Promise<void> {
    for (const account of options.accounts) {
      const response = await fetch(`${base}/sandbox/posts?author=${encodeURIComponent(account)}&limit=5`);
      if (response.ok)
        postsCache.set(
          account,
          ((await response.json()) as { id: string }[]).map((t) => t.id),
        );
    }
  }

  async function post(comment: GeneratedComment): Promise<void> {
    const input = {
      from: comment.from,
      fromName: comment.fromName,
      text: comment.text,
      to: comment.to,
      ...(comment.inReplyTo === undefined ? {} : { inReplyTo: comment.inReplyTo }),
    };
    if (typeof target === 'string') {
      const response = await fetch(`${target}/sandbox/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      if (!response.ok) throw new Error(`sandbox answered ${response.status}`);
    } else {
      target.injectComment(input);
    }
  }

  async function tick(): Promise<void> {
    const due = Math.floor(((Date.now() - startedAt) / 1000) * options.ratePerSecond) + 1;
    while (!stopped && attempted < due) {
      attempted += 1;
      const comment = generator.next(options.accounts, recentPosts, replyShare);
      try {
        await post(comment);
        posted += 1;
        byCategory[comment.category] += 1;
      } catch {
        failed += 1;
      }
    }
  }

  if (typeof target === 'string') busy = refreshPostsCache(target).catch(() => undefined);
  const timer = setInterval(() => {
    busy = busy.then(tick);
  }, 20);

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy;
    },
    get posted() {
      return posted;
    },
    get failed() {
      return failed;
    },
    get byCategory() {
      return { ...byCategory };
    },
  };
}

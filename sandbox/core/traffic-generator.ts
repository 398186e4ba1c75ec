import {
  CATEGORY_WEIGHTS,
  COMMENT_CATEGORIES,
  CORPUS,
  type CommentCategory,
  FILLERS,
  PUBLIC_AUTHORS,
} from './comment-corpus.js';

// Posts a realistic stream of comments to sandbox accounts, as mentions and as replies to the
// accounts' own posts, on any platform that offers a TrafficTarget. The same seed gives the same
// sequence of comments.

export interface GeneratedComment {
  category: CommentCategory;
  text: string;
  from: string;
  fromName: string;
  to: string;
  /** reply to this own post of the account instead of a plain mention */
  inReplyTo?: string;
}

/** where the traffic goes: one platform's accounts */
export interface TrafficTarget {
  /** the account's own recent posts (conversation roots), as far as the target knows now */
  recentPosts(account: string): readonly string[];
  /** called once before the first comment */
  prepare?(): Promise<void>;
  post(comment: GeneratedComment): Promise<void>;
}

export interface TrafficRunOptions {
  target: TrafficTarget;
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

export function runTraffic(options: TrafficRunOptions): TrafficHandle {
  if (options.accounts.length === 0) throw new Error('startTraffic needs at least one account');
  const generator = createCommentGenerator(options.seed ?? 1);
  const replyShare = options.replyShare ?? 0.4;
  const byCategory = Object.fromEntries(COMMENT_CATEGORIES.map((c) => [c, 0])) as Record<
    CommentCategory,
    number
  >;
  const { target } = options;
  let posted = 0;
  let failed = 0;
  let attempted = 0;
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const startedAt = Date.now();

  async function tick(): Promise<void> {
    const due = Math.floor(((Date.now() - startedAt) / 1000) * options.ratePerSecond) + 1;
    while (!stopped && attempted < due) {
      attempted += 1;
      const comment = generator.next(options.accounts, (account) => target.recentPosts(account), replyShare);
      try {
        await target.post(comment);
        posted += 1;
        byCategory[comment.category] += 1;
      } catch {
        failed += 1;
      }
    }
  }

  if (target.prepare) busy = target.prepare().catch(() => undefined);
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

import {
  AUTHORS,
  CATEGORY_AUTHORS,
  CATEGORY_WEIGHTS,
  CLOSERS,
  COMMENT_CATEGORIES,
  CORPUS,
  type CommentCategory,
  FILLERS,
  OPENERS,
  OTHER_POSTS,
  SCHOOL_POSTS,
} from './comment-corpus.js';

// Posts a realistic stream of comments to sandbox accounts, on any platform that offers a
// TrafficTarget. Most comments are replies in the account's own posts' conversations, as on a
// real school account (where the school can hide them); the rest mention the account in a new
// post of their own or in someone else's conversation (where it cannot). Every list is drawn
// without replacement, so a session never shows the same text twice and no core sentence comes
// back within 100 comments. The same seed gives the same sequence.

/**
 * reply: to one of the account's own posts; thread: to another reply in one of those
 * conversations; mention: a new post naming the account; elsewhere: a reply in someone else's
 * conversation that names the account.
 */
export type Placement = 'reply' | 'thread' | 'mention' | 'elsewhere';

export interface GeneratedComment {
  category: CommentCategory;
  /** the kind within the category, e.g. 'third_party' for a disclosure about someone else */
  kind: string;
  /** the core sentence it was written from: `category/kind/index` */
  core: string;
  text: string;
  from: string;
  fromName: string;
  to: string;
  placement: Placement;
  /** reply and thread: the account's own post whose conversation the comment joins */
  inReplyTo?: string;
  /** elsewhere: the conversation's root, someone else's post (the same index, the same post) */
  elsewhere?: { index: number; from: string; fromName: string; text: string };
}

/** where the traffic goes: one platform's accounts */
export interface TrafficTarget {
  /** the account's own recent posts (conversation roots), newest last, as far as the target knows now */
  recentPosts(account: string): readonly string[];
  /** called once before the first comment */
  prepare?(): Promise<void>;
  post(comment: GeneratedComment): Promise<void>;
  /** the account posts something new of its own */
  schoolPost?(account: string, text: string): Promise<void>;
}

export interface TrafficRunOptions {
  target: TrafficTarget;
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

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Draws without replacement. `cycle` keeps one shuffled order for the session, so an item comes
 * back only after every other one has been drawn; otherwise each pass is shuffled afresh.
 */
function deck<T>(items: readonly T[], random: () => number, cycle = false): () => T {
  if (items.length === 0) throw new Error('a deck needs at least one item');
  let order = shuffled(items, random);
  let at = 0;
  return () => {
    if (at === order.length) {
      at = 0;
      if (!cycle) order = shuffled(items, random);
    }
    const item = order[at]!;
    at += 1;
    return item;
  };
}

interface Core {
  id: string;
  kind: string;
  template: string;
}

/** "Honestly," + "The trip was great" reads "Honestly, the trip was great" */
function join(opener: string, template: string, core: string, closer: string): string {
  let text = core;
  if (opener !== '') {
    // Only a sentence's own first word loses its capital: never a name filled in, nor "I".
    const keepCapital = /[.!?:]$/.test(opener) || !/^[A-Z][a-z]/.test(template) || /^I\b/.test(template);
    text = `${opener} ${keepCapital ? core : core[0]!.toLowerCase() + core.slice(1)}`;
  }
  if (closer === '') return text;
  if (/^[.!?]/.test(closer)) return `${text.replace(/[.!?]+$/, '')}${closer}`;
  if (/^[A-Z]/.test(closer) && !/[.!?)]$/.test(text)) return `${text}. ${closer}`;
  return `${text} ${closer}`;
}

export function createCommentGenerator(seed: number) {
  const random = seededRandom(seed);
  const categoryBag = COMMENT_CATEGORIES.flatMap((c) => Array.from({ length: CATEGORY_WEIGHTS[c] }, () => c));
  // One fixed order of categories per session: any 100 comments in a row hold each category
  // exactly its weight, and each category has more core sentences than its weight.
  const nextCategory = deck(categoryBag, random, true);
  const cores = Object.fromEntries(
    COMMENT_CATEGORIES.map((category) => {
      const all: Core[] = Object.entries(CORPUS[category]).flatMap(([kind, templates]) =>
        templates.map((template, i) => ({ id: `${category}/${kind}/${i}`, kind, template })),
      );
      return [category, deck(all, random, true)];
    }),
  ) as Record<CommentCategory, () => Core>;
  const openers = Object.fromEntries(COMMENT_CATEGORIES.map((c) => [c, deck(OPENERS[c], random)])) as Record<
    CommentCategory,
    () => string
  >;
  const closers = Object.fromEntries(COMMENT_CATEGORIES.map((c) => [c, deck(CLOSERS[c], random)])) as Record<
    CommentCategory,
    () => string
  >;
  const fillers = Object.fromEntries(
    Object.entries(FILLERS).map(([key, values]) => [key, deck(values, random)]),
  ) as Record<keyof typeof FILLERS, () => string>;
  const authors = Object.fromEntries(
    Object.entries(AUTHORS).map(([pool, list]) => [pool, deck<readonly [string, string]>(list, random)]),
  ) as Record<keyof typeof AUTHORS, () => readonly [string, string]>;
  const otherPosts = OTHER_POSTS.map((post, index) => ({ index, post }));
  const nextOtherPost = deck(otherPosts, random);
  const nextSchoolPost = deck(SCHOOL_POSTS, random);
  const used = new Set<string>();

  function fill(template: string): string {
    return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
      key in fillers ? fillers[key as keyof typeof FILLERS]() : whole,
    );
  }

  function compose(category: CommentCategory): { core: Core; text: string } {
    let core = cores[category]();
    for (let attempt = 0; ; attempt += 1) {
      // A text seen this session is written again with other words around it, then from the next core.
      if (attempt > 0 && attempt % 12 === 0) core = cores[category]();
      const text = join(openers[category](), core.template, fill(core.template), closers[category]());
      if (!used.has(text) || attempt >= 120) {
        used.add(text);
        return { core, text };
      }
    }
  }

  return {
    next(
      accounts: readonly string[],
      recentPosts: (account: string) => readonly string[],
      replyShare: number,
    ): GeneratedComment {
      const category = nextCategory();
      const { core, text } = compose(category);
      const [from, fromName] = authors[CATEGORY_AUTHORS[category]]();
      const to = accounts[Math.floor(random() * accounts.length)]!;
      const comment: GeneratedComment = {
        category,
        kind: core.kind,
        core: core.id,
        text,
        from,
        fromName,
        to,
        placement: 'mention',
      };
      const posts = recentPosts(to);
      if (posts.length > 0 && random() < replyShare) {
        // The newest post draws most of the replies, as on a real account.
        comment.inReplyTo =
          random() < 0.5 ? posts[posts.length - 1]! : posts[Math.floor(random() * posts.length)]!;
        comment.placement = random() < 0.25 ? 'thread' : 'reply';
      } else if (random() < 0.5) {
        const { index, post } = nextOtherPost();
        const [author, authorName, postText] = post;
        comment.placement = 'elsewhere';
        comment.elsewhere = { index, from: author, fromName: authorName, text: postText };
      }
      return comment;
    },
    /** the text of the account's next post of its own */
    schoolPost(): string {
      return nextSchoolPost();
    },
  };
}

const IN_FLIGHT = 8;

export function runTraffic(options: TrafficRunOptions): TrafficHandle {
  if (options.accounts.length === 0) throw new Error('startTraffic needs at least one account');
  const generator = createCommentGenerator(options.seed ?? 1);
  const replyShare = options.replyShare ?? 0.8;
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

  async function postOne(comment: GeneratedComment): Promise<void> {
    try {
      await target.post(comment);
      posted += 1;
      byCategory[comment.category] += 1;
    } catch {
      failed += 1;
    }
  }

  async function tick(): Promise<void> {
    const due = Math.floor(((Date.now() - startedAt) / 1000) * options.ratePerSecond) + 1;
    while (!stopped && attempted < due) {
      // Up to IN_FLIGHT comments at once, so a sandbox over HTTP keeps up with a high rate.
      const batch: Promise<void>[] = [];
      while (!stopped && attempted < due && batch.length < IN_FLIGHT) {
        attempted += 1;
        if (options.ownPostEvery && target.schoolPost && attempted % options.ownPostEvery === 0) {
          await Promise.all(batch.splice(0));
          for (const account of options.accounts) {
            await target.schoolPost(account, generator.schoolPost()).catch(() => undefined);
          }
        }
        const comment = generator.next(
          options.accounts,
          (account) => target.recentPosts(account),
          replyShare,
        );
        batch.push(postOne(comment));
      }
      await Promise.all(batch);
    }
  }

  async function prepare(): Promise<void> {
    await target.prepare?.();
    for (let i = 0; i < (options.openingPosts ?? 0) && target.schoolPost; i += 1) {
      for (const account of options.accounts) await target.schoolPost(account, generator.schoolPost());
    }
  }

  busy = prepare().catch(() => undefined);
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

import {
  type GeneratedComment,
  runTraffic,
  seededRandom,
  type TrafficHandle,
  type TrafficTarget,
} from '../core/traffic-generator.js';
import type { MetaState } from './state.js';

// The traffic generator's Meta end: each school is a Facebook Page and, when it has one, the
// Instagram business account linked to it. Most comments go to Facebook (`facebookShare`, 0.85
// by default), the rest to Instagram. On Facebook a reply is a comment on one of the Page's recent
// posts, a thread reply answers someone else's comment there, and a mention (or a comment
// "elsewhere") is a visitor post on the Page. On Instagram a reply comments on the account's
// recent media, a thread reply answers a comment there, and a mention or "elsewhere" comment
// @mentions the account under a local account's media (Instagram's mentions webhook). Works on a
// sandbox in this process or over HTTP through /sandbox/meta/.

export interface MetaTrafficOptions {
  /** a running sandbox's URL, or the Meta state in the same process */
  sandbox: string | MetaState;
  /** Page ids (or, in process, names) */
  accounts: string[];
  ratePerSecond: number;
  seed?: number;
  /** share of comments on Facebook rather than Instagram (default 0.85) */
  facebookShare?: number;
  replyShare?: number;
  ownPostEvery?: number;
  openingPosts?: number;
}

export function startMetaTraffic(options: MetaTrafficOptions): TrafficHandle {
  const { sandbox, facebookShare, ...rest } = options;
  const ops = typeof sandbox === 'string' ? httpOps(sandbox) : stateOps(sandbox);
  return runTraffic({
    ...rest,
    target: metaTarget(ops, options.accounts, {
      facebookShare: facebookShare ?? 0.85,
      seed: options.seed ?? 1,
    }),
  });
}

export interface SchoolAccounts {
  pageId: string;
  igUserId: string | null;
  igUsername: string | null;
}

/** what the target needs of a sandbox Meta */
export interface MetaOps {
  school(ref: string): Promise<SchoolAccounts>;
  /** the Page's own posts, oldest first */
  pagePosts(pageId: string): Promise<string[]>;
  /** the account's media, oldest first */
  igMedia(igUserId: string): Promise<string[]>;
  createPost(pageId: string, message: string, from?: string): Promise<{ id: string }>;
  createMedia(owner: string, caption: string): Promise<{ id: string }>;
  /** a Facebook comment (on a post or comment) or an Instagram one (on media or a comment) */
  comment(on: string, from: string, text: string): Promise<{ id: string }>;
}

export function stateOps(state: MetaState): MetaOps {
  return {
    async school(ref) {
      const page = state.requirePage(ref);
      const ig = page.igUserId === null ? undefined : state.igActors.get(page.igUserId);
      return { pageId: page.id, igUserId: ig?.id ?? null, igUsername: ig?.username ?? null };
    },
    async pagePosts(pageId) {
      return state
        .postsOf(pageId)
        .filter((p) => !p.deleted && p.fromId === pageId)
        .map((p) => p.id);
    },
    async igMedia(igUserId) {
      return state
        .mediaOf(igUserId)
        .filter((m) => !m.deleted)
        .map((m) => m.id);
    },
    async createPost(pageId, message, from) {
      return state.createPost({ page: pageId, message, ...(from === undefined ? {} : { from }) });
    },
    async createMedia(owner, caption) {
      return state.createMedia({ owner, caption });
    },
    async comment(on, from, text) {
      if (state.posts.has(on) || state.comments.has(on)) return state.addComment({ on, from, message: text });
      return state.addIgComment({ on, from, text });
    },
  };
}

export function httpOps(base: string): MetaOps {
  const send = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/sandbox/meta${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`sandbox answered ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    async school(ref) {
      const page = await send<{ id: string; igUserId: string | null }>(`/objects/${encodeURIComponent(ref)}`);
      if (page.igUserId === null) return { pageId: page.id, igUserId: null, igUsername: null };
      const ig = await send<{ username: string }>(`/objects/${page.igUserId}`);
      return { pageId: page.id, igUserId: page.igUserId, igUsername: ig.username };
    },
    async pagePosts(pageId) {
      return (await send<{ id: string }[]>(`/posts?page=${pageId}&limit=5`)).map((p) => p.id);
    },
    async igMedia(igUserId) {
      return (await send<{ id: string }[]>(`/media?owner=${igUserId}&limit=5`)).map((m) => m.id);
    },
    createPost: (pageId, message, from) =>
      send('/posts', { page: pageId, message, ...(from === undefined ? {} : { from }) }),
    createMedia: (owner, caption) => send('/media', { owner, caption }),
    comment: (on, from, text) => send('/comments', { on, from, text }),
  };
}

const RECENT = 5;

export function metaTarget(
  ops: MetaOps,
  accounts: readonly string[],
  options: { facebookShare: number; seed: number },
): TrafficTarget {
  const random = seededRandom(options.seed ^ 0x5eed);
  const schools = new Map<string, SchoolAccounts>();
  const posts = new Map<string, string[]>();
  const media = new Map<string, string[]>();
  /** comments the traffic put under each post or media, for thread replies */
  const threads = new Map<string, { id: string; from: string }[]>();
  /** local accounts' media where Instagram mentions land, by the corpus's "other post" index */
  const localMedia = new Map<string, string>();

  const remember = (root: string, id: string, from: string) => {
    const list = threads.get(root) ?? [];
    list.push({ id, from });
    threads.set(root, list.slice(-20));
  };

  async function school(ref: string): Promise<SchoolAccounts> {
    let found = schools.get(ref);
    if (!found) {
      found = await ops.school(ref);
      schools.set(ref, found);
    }
    return found;
  }

  async function onFacebook(s: SchoolAccounts, comment: GeneratedComment): Promise<void> {
    const from = comment.fromName;
    if (comment.inReplyTo === undefined) {
      // A mention on Facebook: a visitor post on the Page.
      await ops.createPost(s.pageId, comment.text, from);
      return;
    }
    const root = comment.inReplyTo;
    const answering =
      comment.placement === 'thread'
        ? (threads.get(root) ?? []).filter((c) => c.from !== from).slice(-3)[0]
        : undefined;
    // A comment someone removed meanwhile is answered at the post instead.
    const posted = await ops
      .comment(answering?.id ?? root, from, comment.text)
      .catch(() => ops.comment(root, from, comment.text));
    remember(root, posted.id, from);
  }

  async function onInstagram(s: SchoolAccounts, comment: GeneratedComment): Promise<void> {
    const username = comment.from.replace(/[^A-Za-z0-9._]/g, '_').slice(0, 30);
    const recent = (media.get(s.igUserId!) ?? []).slice(-RECENT);
    if (comment.inReplyTo !== undefined && recent.length > 0) {
      const root =
        random() < 0.5 ? recent[recent.length - 1]! : recent[Math.floor(random() * recent.length)]!;
      const answering =
        comment.placement === 'thread'
          ? (threads.get(root) ?? []).filter((c) => c.from !== username).slice(-3)[0]
          : undefined;
      const posted = await ops
        .comment(answering?.id ?? root, username, comment.text)
        .catch(() => ops.comment(root, username, comment.text));
      remember(root, posted.id, username);
      return;
    }
    // A mention: under a local account's media, naming the school.
    const owner = (comment.elsewhere?.from ?? 'local_news').replace(/[^A-Za-z0-9._]/g, '_').slice(0, 30);
    const key = `${owner}:${comment.elsewhere?.index ?? 'news'}`;
    let root = localMedia.get(key);
    if (root === undefined) {
      root = (await ops.createMedia(owner, comment.elsewhere?.text ?? 'Local news')).id;
      localMedia.set(key, root);
    }
    await ops.comment(root, username, `@${s.igUsername} ${comment.text}`);
  }

  return {
    recentPosts(account) {
      const s = schools.get(account);
      return s ? (posts.get(s.pageId) ?? []).slice(-RECENT) : [];
    },
    async prepare() {
      for (const account of accounts) {
        const s = await school(account);
        posts.set(s.pageId, await ops.pagePosts(s.pageId));
        if (s.igUserId) media.set(s.igUserId, await ops.igMedia(s.igUserId));
      }
    },
    async schoolPost(account, text) {
      const s = await school(account);
      const post = await ops.createPost(s.pageId, text);
      posts.set(s.pageId, [...(posts.get(s.pageId) ?? []), post.id]);
      if (s.igUserId) {
        const item = await ops.createMedia(s.igUserId, text);
        media.set(s.igUserId, [...(media.get(s.igUserId) ?? []), item.id]);
      }
    },
    async post(comment: GeneratedComment) {
      const s = await school(comment.to);
      const toInstagram = s.igUserId !== null && random() >= options.facebookShare;
      if (toInstagram) await onInstagram(s, comment);
      else await onFacebook(s, comment);
    },
  };
}

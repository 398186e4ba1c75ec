import {
  errors,
  type FieldSel,
  fail,
  GraphFailure,
  graphTime,
  type PageParams,
  pageOf,
  pageParams,
  parseGraphTime,
} from './graph.js';
import type {
  FbComment,
  FbPost,
  IgActor,
  IgComment,
  IgMedia,
  MetaPage,
  MetaPerson,
  MetaState,
  MetaToken,
} from './state.js';

// Graph's node types as the sandbox renders them: each field a resolver, each edge a list, the
// default fields Graph returns when `fields=` is absent, and who may see what.

export interface RenderContext {
  state: MetaState;
  token: MetaToken;
  /** absolute URL of the versioned API root, e.g. http://127.0.0.1:4000/v21.0 */
  base: string;
}

type Resolver<T> = (obj: T, sel: FieldSel, rc: RenderContext) => unknown;

export interface EdgeList {
  items: readonly { id: string }[];
  node: NodeType<never>;
  fallbackLimit?: number;
}

type Edge<T> = (obj: T, get: (key: string) => string | undefined, rc: RenderContext) => EdgeList;

export interface NodeType<T> {
  name: string;
  defaults: string[];
  fields: Record<string, Resolver<T>>;
  edges: Record<string, Edge<T>>;
}

const plain = (names: string[]): FieldSel[] => names.map((name) => ({ name, modifiers: {}, children: null }));

export function render<T>(
  type: NodeType<T>,
  obj: T,
  sels: FieldSel[] | null,
  rc: RenderContext,
): Record<string, unknown> {
  const chosen = sels === null || sels.length === 0 ? plain(type.defaults) : sels;
  const out: Record<string, unknown> = {};
  for (const sel of chosen) {
    const field = type.fields[sel.name];
    if (field) {
      const value = field(obj, sel, rc);
      if (value !== undefined) out[sel.name] = value;
      continue;
    }
    const edge = type.edges[sel.name];
    if (!edge)
      return fail({
        message: `(#100) Tried accessing nonexisting field (${sel.name}) on node type (${type.name})`,
        code: 100,
      });
    const id = (obj as { id: string }).id;
    out[sel.name] = listEdge(
      edge(obj, (key) => sel.modifiers[key], rc),
      pageParamsFrom(sel.modifiers),
      sel.children,
      rc,
      (cursor) => {
        const url = new URL(`${rc.base}/${id}/${sel.name}`);
        url.searchParams.set('access_token', rc.token.token);
        for (const [key, value] of Object.entries(sel.modifiers)) url.searchParams.set(key, value);
        for (const [key, value] of Object.entries(cursor)) url.searchParams.set(key, value);
        return url.toString();
      },
    );
  }
  // Graph names every node it returns.
  if (out.id === undefined && type.fields.id) out.id = (obj as { id: string }).id;
  return out;
}

function pageParamsFrom(modifiers: Record<string, string>): (fallback: number) => PageParams {
  return (fallback) => pageParams((key) => modifiers[key], fallback);
}

export function listEdge(
  list: EdgeList,
  params: (fallback: number) => PageParams,
  children: FieldSel[] | null,
  rc: RenderContext,
  link: (cursor: { after?: string; before?: string }) => string,
) {
  return pageOf(
    list.items,
    params(list.fallbackLimit ?? 25),
    (item) => render(list.node, item as never, children, rc),
    link,
  );
}

const nested = <U>(type: NodeType<U>, obj: U | undefined, sel: FieldSel, rc: RenderContext) =>
  obj === undefined ? undefined : render(type, obj, sel.children, rc);

/** `since` / `until` over created times */
function timeFilter(get: (key: string) => string | undefined): (at: Date) => boolean {
  const bound = (key: string) => {
    const raw = get(key);
    if (raw === undefined) return undefined;
    const at = parseGraphTime(raw);
    if (at === null)
      return fail({ message: `(#100) The parameter ${key} must be a unix timestamp or a date`, code: 100 });
    return at;
  };
  const since = bound('since');
  const until = bound('until');
  return (at) =>
    (since === undefined || at.getTime() >= since) && (until === undefined || at.getTime() <= until);
}

// ---- access ----------------------------------------------------------------------------------

export function canManagePage(rc: RenderContext, pageId: string): boolean {
  return rc.token.kind === 'page' && rc.token.pageId === pageId;
}

/** the Page's content needs its own Page token, with pages_read_engagement */
export function requirePageToken(rc: RenderContext, method: string, id: string, pageId: string): void {
  if (!canManagePage(rc, pageId)) {
    const admin = rc.token.kind === 'user' && rc.state.pages.get(pageId)?.adminIds.includes(rc.token.userId);
    throw new GraphFailure(admin ? errors.pageTokenRequired() : errors.unknownObject(method, id));
  }
  if (!rc.token.scopes.includes('pages_read_engagement'))
    throw new GraphFailure(errors.readPermission('pages_read_engagement'));
}

/** a business account's Page token, or a user token of one of its Page's admins */
export function canReachIg(rc: RenderContext, igUserId: string): boolean {
  const pageId = rc.state.igActors.get(igUserId)?.pageId;
  if (!pageId) return false;
  if (rc.token.kind === 'page') return rc.token.pageId === pageId;
  return rc.state.grantedPages(rc.token).some((p) => p.id === pageId);
}

/** media the token reaches: the account's own, or media that tags or mentions it */
export function canReachMedia(rc: RenderContext, media: IgMedia): boolean {
  if (canReachIg(rc, media.ownerId)) return true;
  if (media.taggedIds.some((id) => canReachIg(rc, id))) return true;
  return media.commentIds.some((id) => {
    const comment = rc.state.igComments.get(id);
    return comment?.mentionIds.some((m) => canReachIg(rc, m)) ?? false;
  });
}

export function requireIg(rc: RenderContext, method: string, id: string, reachable: boolean): void {
  if (!reachable) throw new GraphFailure(errors.unknownObject(method, id));
  if (!rc.token.scopes.includes('instagram_basic'))
    throw new GraphFailure(errors.readPermission('instagram_basic'));
}

// ---- Facebook ------------------------------------------------------------------------------

export const personNode: NodeType<MetaPerson> = {
  name: 'User',
  defaults: ['name', 'id'],
  fields: { id: (p) => p.id, name: (p) => p.name },
  edges: {
    accounts: (person, _get, rc) => {
      if (rc.token.kind !== 'user' || rc.token.userId !== person.id) {
        return fail({
          message: '(#100) Tried accessing nonexisting field (accounts) on node type (User)',
          code: 100,
        });
      }
      // Without pages_show_list the list is empty, as on Facebook.
      const pages = rc.token.scopes.includes('pages_show_list') ? rc.state.grantedPages(rc.token) : [];
      return { items: pages, node: accountNode as NodeType<never> };
    },
  },
};

const fromOf = (rc: RenderContext, id: string): MetaPerson | MetaPage | undefined =>
  rc.state.pages.get(id) ?? rc.state.people.get(id);

const actorNode: NodeType<MetaPerson | MetaPage> = {
  name: 'User',
  defaults: ['name', 'id'],
  fields: { id: (p) => p.id, name: (p) => p.name },
  edges: {},
};

const pageFields: Record<string, Resolver<MetaPage>> = {
  id: (p) => p.id,
  name: (p) => p.name,
  category: (p) => p.category,
  link: (p) => `https://www.facebook.com/${p.id}`,
  tasks: (p, _s, rc) =>
    p.adminIds.includes(rc.token.userId)
      ? ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE']
      : undefined,
  access_token: (p, _s, rc) => {
    if (rc.token.kind === 'page') return rc.token.pageId === p.id ? rc.token.token : undefined;
    return rc.state.grantedPages(rc.token).some((g) => g.id === p.id)
      ? rc.state.pageTokenFor(rc.token, p.id).token
      : undefined;
  },
  instagram_business_account: (p, sel, rc) => {
    const ig = p.igUserId === null ? undefined : rc.state.igActors.get(p.igUserId);
    return nested(igUserNode, ig, sel, rc);
  },
};

function pagePosts(filter: (post: FbPost, page: MetaPage) => boolean): Edge<MetaPage> {
  return (page, get, rc) => {
    requirePageToken(rc, 'GET', page.id, page.id);
    const inTime = timeFilter(get);
    const posts = rc.state
      .postsOf(page.id)
      .filter((p) => !p.deleted && filter(p, page) && inTime(p.createdAt))
      .reverse();
    return { items: posts, node: postNode as NodeType<never> };
  };
}

export const pageNode: NodeType<MetaPage> = {
  name: 'Page',
  defaults: ['name', 'id'],
  fields: pageFields,
  edges: {
    feed: pagePosts(() => true),
    posts: pagePosts((post, page) => post.fromId === page.id),
    published_posts: pagePosts((post, page) => post.fromId === page.id),
    visitor_posts: pagePosts((post, page) => post.fromId !== page.id),
    blocked: (page, _get, rc) => {
      requirePageToken(rc, 'GET', page.id, page.id);
      const people = [...page.banned].flatMap((id) => rc.state.people.get(id) ?? []);
      return { items: people, node: personNode as NodeType<never> };
    },
  },
};

/** `/me/accounts` entries: the default fields include the Page token */
const accountNode: NodeType<MetaPage> = {
  ...pageNode,
  defaults: ['access_token', 'category', 'name', 'id', 'tasks'],
};

function permalink(post: FbPost, comment?: FbComment, rc?: RenderContext): string {
  const [pageId, postNumber] = post.id.split('_');
  const base = `https://www.facebook.com/${pageId}/posts/${postNumber}`;
  if (!comment || !rc) return base;
  const number = (c: FbComment) => c.id.split('_')[1];
  if (comment.parentId === null) return `${base}?comment_id=${number(comment)}`;
  const parent = rc.state.comments.get(comment.parentId)!;
  return `${base}?comment_id=${number(parent)}&reply_comment_id=${number(comment)}`;
}

function fbComments(
  post: FbPost,
  parent: FbComment | null,
  get: (key: string) => string | undefined,
  rc: RenderContext,
): EdgeList {
  const filter = get('filter') ?? 'toplevel';
  if (filter !== 'toplevel' && filter !== 'stream')
    fail({ message: '(#100) filter must be one of the following values: toplevel, stream', code: 100 });
  const order = get('order') ?? 'chronological';
  if (order !== 'chronological' && order !== 'reverse_chronological' && order !== 'ranked') {
    fail({
      message:
        '(#100) order must be one of the following values: chronological, reverse_chronological, ranked',
      code: 100,
    });
  }
  const inTime = timeFilter(get);
  const live = (ids: string[]) => ids.flatMap((id) => rc.state.comment(id) ?? []);
  let list: FbComment[];
  if (parent !== null) list = live(parent.replyIds);
  else if (filter === 'stream') {
    list = live(post.commentIds).flatMap((c) => [c, ...live(c.replyIds)]);
    list.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  } else list = live(post.commentIds);
  list = list.filter((c) => inTime(c.createdAt));
  if (order === 'reverse_chronological') list.reverse();
  return { items: list, node: commentNode as NodeType<never> };
}

export const postNode: NodeType<FbPost> = {
  name: 'PagePost',
  defaults: ['created_time', 'message', 'id'],
  fields: {
    id: (p) => p.id,
    message: (p) => p.message,
    created_time: (p) => graphTime(p.createdAt),
    updated_time: (p) => graphTime(p.updatedAt),
    from: (p, sel, rc) => nested(actorNode, fromOf(rc, p.fromId), sel, rc),
    permalink_url: (p) => permalink(p),
    status_type: () => 'mobile_status_update',
    is_published: () => true,
  },
  edges: {
    comments: (post, get, rc) => fbComments(post, null, get, rc),
  },
};

export const commentNode: NodeType<FbComment> = {
  name: 'Comment',
  defaults: ['created_time', 'from', 'message', 'id'],
  fields: {
    id: (c) => c.id,
    message: (c) => c.message,
    created_time: (c) => graphTime(c.createdAt),
    from: (c, sel, rc) =>
      rc.token.scopes.includes('pages_read_user_content')
        ? nested(actorNode, fromOf(rc, c.fromId), sel, rc)
        : undefined,
    parent: (c, sel, rc) => {
      if (c.parentId === null) return undefined;
      const parent = rc.state.comments.get(c.parentId);
      return parent ? render(commentNode, parent, sel.children, rc) : undefined;
    },
    object: (c, sel, rc) => nested(postNode, rc.state.posts.get(c.postId), sel, rc),
    is_hidden: (c) => c.hidden,
    can_hide: (c, _s, rc) => c.fromId !== rc.state.posts.get(c.postId)?.pageId,
    can_remove: () => true,
    can_reply_privately: () => false,
    comment_count: (c, _s, rc) => c.replyIds.filter((id) => rc.state.comment(id)).length,
    like_count: () => 0,
    user_likes: () => false,
    permalink_url: (c, _s, rc) => permalink(rc.state.posts.get(c.postId)!, c, rc),
  },
  edges: {
    comments: (comment, get, rc) => fbComments(rc.state.posts.get(comment.postId)!, comment, get, rc),
  },
};

// ---- Instagram -----------------------------------------------------------------------------

const igTime = graphTime;

export const igUserNode: NodeType<IgActor> = {
  name: 'IGUser',
  defaults: ['id'],
  fields: {
    id: (a) => a.id,
    username: (a) => a.username,
    name: (a) => a.name,
    media_count: (a, _s, rc) => rc.state.mediaOf(a.id).filter((m) => !m.deleted).length,
    mentioned_comment: (a, sel, rc) => {
      const id = sel.modifiers.comment_id;
      const comment = id === undefined ? undefined : rc.state.igComment(id);
      if (!comment?.mentionIds.includes(a.id)) {
        return fail({ message: `(#100) The comment ${id ?? ''} does not mention the user`, code: 100 });
      }
      return render(igCommentNode, comment, sel.children, rc);
    },
  },
  edges: {
    media: (actor, get, rc) => {
      const inTime = timeFilter(get);
      const media = rc.state
        .mediaOf(actor.id)
        .filter((m) => !m.deleted && inTime(m.createdAt))
        .reverse();
      return { items: media, node: igMediaNode as NodeType<never> };
    },
    tags: (actor, _get, rc) => {
      const media = [...rc.state.media.values()]
        .filter((m) => !m.deleted && m.taggedIds.includes(actor.id))
        .reverse();
      return { items: media, node: igMediaNode as NodeType<never> };
    },
  },
};

const liveIg = (rc: RenderContext, ids: string[]) => ids.flatMap((id) => rc.state.igComment(id) ?? []);

export const igMediaNode: NodeType<IgMedia> = {
  name: 'IGMedia',
  defaults: ['id'],
  fields: {
    id: (m) => m.id,
    caption: (m) => m.caption,
    media_type: (m) => m.mediaType,
    media_product_type: () => 'FEED',
    timestamp: (m) => igTime(m.createdAt),
    permalink: (m) => `https://www.instagram.com/p/${Buffer.from(m.id).toString('base64url').slice(0, 11)}/`,
    username: (m, _s, rc) => rc.state.igActors.get(m.ownerId)?.username,
    owner: (m) => ({ id: m.ownerId }),
    like_count: () => 0,
    is_comment_enabled: (m) => m.commentsEnabled,
    comments_count: (m, _s, rc) =>
      liveIg(rc, m.commentIds).reduce((n, c) => n + 1 + liveIg(rc, c.replyIds).length, 0),
  },
  edges: {
    comments: (media, get, rc) => {
      const inTime = timeFilter(get);
      return {
        items: liveIg(rc, media.commentIds).filter((c) => inTime(c.createdAt)),
        node: igCommentNode as NodeType<never>,
      };
    },
  },
};

export const igCommentNode: NodeType<IgComment> = {
  name: 'IGComment',
  defaults: ['timestamp', 'text', 'id'],
  fields: {
    id: (c) => c.id,
    text: (c) => c.text,
    timestamp: (c) => igTime(c.createdAt),
    username: (c, _s, rc) => rc.state.igActors.get(c.fromId)?.username,
    from: (c, sel, rc) => {
      const actor = rc.state.igActors.get(c.fromId);
      if (!actor) return undefined;
      const fromNode: NodeType<IgActor> = {
        name: 'IGCommentFromUser',
        defaults: ['id', 'username'],
        fields: { id: (a) => a.id, username: (a) => a.username },
        edges: {},
      };
      return render(fromNode, actor, sel.children, rc);
    },
    hidden: (c) => c.hidden,
    like_count: () => 0,
    parent_id: (c) => c.parentId ?? undefined,
    media: (c, sel, rc) => {
      const media = rc.state.media.get(c.mediaId);
      if (!media) return undefined;
      return sel.children === null
        ? { id: media.id, media_product_type: 'FEED' }
        : render(igMediaNode, media, sel.children, rc);
    },
    user: (c, _s, rc) => (canReachIg(rc, c.fromId) ? { id: c.fromId } : undefined),
  },
  edges: {
    replies: (comment, get, rc) => {
      const inTime = timeFilter(get);
      return {
        items: liveIg(rc, comment.replyIds).filter((c) => inTime(c.createdAt)),
        node: igCommentNode as NodeType<never>,
      };
    },
  },
};

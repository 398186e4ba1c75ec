import { createHmac, randomBytes } from 'node:crypto';
import type { RequestLog, RequestLogEntry } from '../core/request-log.js';

// The sandbox's in-memory Meta: people (Facebook users, app-scoped ids), Pages they administer,
// the Instagram business account linked to a Page, Page posts (the Page's own and visitors'),
// comments and replies on both, Instagram media and comments, Page bans, apps and tokens.
// Object ids are numeric strings that only grow and start from the wall clock, so a restarted
// sandbox never hands out an id an earlier run did (the demo's stored comments keep theirs).
// Every change that Meta would announce by webhook is passed to `onEvent`.

export interface MetaPerson {
  id: string;
  name: string;
}

export interface MetaPage {
  id: string;
  name: string;
  category: string;
  adminIds: string[];
  igUserId: string | null;
  /** people banned from the Page */
  banned: Set<string>;
}

/** someone on Instagram: a business account (linked to a Page) or a member of the public */
export interface IgActor {
  id: string;
  username: string;
  name: string;
  /** the Page a business account is linked to; null for a member of the public */
  pageId: string | null;
}

export interface FbPost {
  id: string;
  pageId: string;
  /** the Page itself, or a person for a visitor post */
  fromId: string;
  message: string;
  createdAt: Date;
  /** moves when someone comments or replies on the post, or a comment on it is edited (Graph's updated_time) */
  updatedAt: Date;
  deleted: boolean;
  /** top-level comments, oldest first */
  commentIds: string[];
}

export interface FbComment {
  id: string;
  postId: string;
  /** the comment this one replies to (Facebook threads one level deep) */
  parentId: string | null;
  fromId: string;
  message: string;
  createdAt: Date;
  updatedAt: Date;
  hidden: boolean;
  deleted: boolean;
  replyIds: string[];
}

export interface IgMedia {
  id: string;
  ownerId: string;
  caption: string;
  mediaType: 'IMAGE' | 'VIDEO' | 'CAROUSEL_ALBUM';
  createdAt: Date;
  deleted: boolean;
  /** business accounts tagged in the media (`/{ig-user-id}/tags`) */
  taggedIds: string[];
  commentIds: string[];
  /** false once the owner turned commenting off (`comment_enabled=false`): only the owner may comment */
  commentsEnabled: boolean;
}

export interface IgComment {
  id: string;
  mediaId: string;
  parentId: string | null;
  fromId: string;
  text: string;
  createdAt: Date;
  hidden: boolean;
  deleted: boolean;
  replyIds: string[];
  /** business accounts @mentioned in the text */
  mentionIds: string[];
}

export type TokenKind = 'user' | 'page';

export interface MetaToken {
  token: string;
  kind: TokenKind;
  appId: string;
  userId: string;
  /** a Page token's Page */
  pageId: string | null;
  scopes: string[];
  issuedAt: number;
  /** 0: never expires (a Page token from a long-lived user token) */
  expiresAt: number;
  longLived: boolean;
  /** the Pages the person granted the app in the Login dialog; null: every Page they administer */
  pageIds: string[] | null;
  /** the Graph error subcode a revoked token answers with (460 password changed, 458 app removed, …) */
  revokedSubcode: number | null;
}

export interface MetaApp {
  id: string;
  secret: string;
  name: string;
}

interface AuthCode {
  appId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  pageIds: string[] | null;
  expiresAt: number;
}

export type MetaEvent =
  | { kind: 'fb_comment'; verb: 'add' | 'edited' | 'remove' | 'hide' | 'unhide'; comment: FbComment }
  | { kind: 'fb_post'; verb: 'add'; post: FbPost }
  | { kind: 'ig_comment'; comment: IgComment }
  | { kind: 'ig_mention'; comment: IgComment; mentioned: string };

/** every scope a Page admin grants Hallmonitor (and the sandbox's default) */
export const ALL_SCOPES = [
  'pages_show_list',
  'pages_read_engagement',
  'pages_read_user_content',
  'pages_manage_engagement',
  'pages_manage_metadata',
  'instagram_basic',
  'instagram_manage_comments',
  'business_management',
];

export const SHORT_LIVED_SECONDS = 2 * 60 * 60;
export const LONG_LIVED_SECONDS = 60 * 24 * 60 * 60;
const AUTH_CODE_TTL_MS = 10 * 60 * 1000;

export interface MetaStateOptions {
  now: () => number;
  requestLog: RequestLog;
  app?: { id: string; secret: string; name?: string };
}

export const DEFAULT_APP = { id: '1029384756102938', secret: 'sandbox-meta-app-secret', name: 'Hallmonitor' };

export class MetaState {
  readonly people = new Map<string, MetaPerson>();
  readonly pages = new Map<string, MetaPage>();
  readonly igActors = new Map<string, IgActor>();
  readonly posts = new Map<string, FbPost>();
  readonly comments = new Map<string, FbComment>();
  readonly media = new Map<string, IgMedia>();
  readonly igComments = new Map<string, IgComment>();
  readonly apps = new Map<string, MetaApp>();
  readonly tokens = new Map<string, MetaToken>();
  /** the default app: tokens issued by the helpers belong to it */
  readonly app: MetaApp;
  /** called for each change Meta would announce by webhook */
  onEvent: (event: MetaEvent) => void = () => undefined;

  private readonly authCodes = new Map<string, AuthCode>();
  private readonly igByUsername = new Map<string, IgActor>();
  private readonly postsByPage = new Map<string, FbPost[]>();
  private readonly mediaByOwner = new Map<string, IgMedia[]>();
  private lastId = 0n;

  constructor(readonly options: MetaStateOptions) {
    const app = options.app ?? DEFAULT_APP;
    this.app = { id: app.id, secret: app.secret, name: app.name ?? 'Hallmonitor' };
    this.apps.set(this.app.id, this.app);
  }

  get requestLog(): RequestLog {
    return this.options.requestLog;
  }

  // ---- ids ---------------------------------------------------------------------------------

  /** microseconds since 2015 from the wall clock, then a counter: 15–16 digits, only growing */
  newId(): string {
    const fromClock = BigInt(
      Math.floor((performance.timeOrigin + performance.now() - 1_420_070_400_000) * 1000),
    );
    this.lastId = fromClock > this.lastId ? fromClock : this.lastId + 1n;
    return this.lastId.toString();
  }

  // ---- apps, people, Pages, Instagram accounts ----------------------------------------------

  createApp(input: { id: string; secret: string; name?: string }): MetaApp {
    const app = { id: input.id, secret: input.secret, name: input.name ?? input.id };
    this.apps.set(app.id, app);
    return app;
  }

  createPerson(input: { name: string; id?: string }): MetaPerson {
    const id = input.id ?? this.newId();
    checkId(id);
    const existing = this.people.get(id);
    if (existing) return existing;
    const person = { id, name: input.name };
    this.people.set(id, person);
    return person;
  }

  /** by id, or by exact name (the first made with it) */
  person(ref: string): MetaPerson | undefined {
    return this.people.get(ref) ?? [...this.people.values()].find((p) => p.name === ref);
  }

  /** a person by name, made on first use (a commenter) */
  ensurePerson(ref: string): MetaPerson {
    return this.person(ref) ?? this.createPerson({ name: ref });
  }

  /** a Page, administered by `admins` (people, made by name when new), with an Instagram account if asked */
  createPage(input: {
    name: string;
    id?: string;
    category?: string;
    admins?: string[];
    instagram?: { username: string; id?: string; name?: string };
  }): MetaPage {
    const id = input.id ?? this.newId();
    checkId(id);
    if (this.pages.has(id)) throw new Error(`a sandbox Page ${id} already exists`);
    const adminIds = (input.admins ?? []).map((ref) => this.ensurePerson(ref).id);
    const page: MetaPage = {
      id,
      name: input.name,
      category: input.category ?? 'School',
      adminIds,
      igUserId: null,
      banned: new Set(),
    };
    this.pages.set(id, page);
    if (input.instagram) {
      const ig = this.createIgActor({ ...input.instagram, pageId: id });
      page.igUserId = ig.id;
    }
    return page;
  }

  page(ref: string): MetaPage | undefined {
    return this.pages.get(ref) ?? [...this.pages.values()].find((p) => p.name === ref);
  }

  addPageAdmin(pageRef: string, personRef: string): void {
    const page = this.requirePage(pageRef);
    const person = this.ensurePerson(personRef);
    if (!page.adminIds.includes(person.id)) page.adminIds.push(person.id);
  }

  pagesAdministeredBy(personId: string): MetaPage[] {
    return [...this.pages.values()].filter((p) => p.adminIds.includes(personId));
  }

  /** the Pages a user token reaches: those its person administers and granted the app */
  grantedPages(token: MetaToken): MetaPage[] {
    return this.pagesAdministeredBy(token.userId).filter(
      (p) => token.pageIds === null || token.pageIds.includes(p.id),
    );
  }

  createIgActor(input: { username: string; id?: string; name?: string; pageId?: string | null }): IgActor {
    if (!/^[A-Za-z0-9._]{1,30}$/.test(input.username)) throw new Error(`invalid username: ${input.username}`);
    const key = input.username.toLowerCase();
    const existing = this.igByUsername.get(key);
    if (existing) {
      if (input.pageId) existing.pageId = input.pageId;
      return existing;
    }
    const id = input.id ?? this.newId();
    checkId(id);
    const actor: IgActor = {
      id,
      username: input.username,
      name: input.name ?? input.username,
      pageId: input.pageId ?? null,
    };
    this.igActors.set(id, actor);
    this.igByUsername.set(key, actor);
    return actor;
  }

  /** by id or username (with or without @) */
  igActor(ref: string): IgActor | undefined {
    return this.igActors.get(ref) ?? this.igByUsername.get(ref.replace(/^@/, '').toLowerCase());
  }

  igBusinessAccounts(): IgActor[] {
    return [...this.igActors.values()].filter((a) => a.pageId !== null);
  }

  // ---- Facebook posts and comments ---------------------------------------------------------

  /** a Page's own post, or a visitor post on the Page when `from` is a person */
  createPost(input: { page: string; message: string; from?: string; createdAt?: Date }): FbPost {
    const page = this.requirePage(input.page);
    const fromId =
      input.from === undefined || input.from === page.id ? page.id : this.ensurePerson(input.from).id;
    const createdAt = input.createdAt ?? new Date(this.options.now());
    const post: FbPost = {
      id: `${page.id}_${this.newId()}`,
      pageId: page.id,
      fromId,
      message: input.message,
      createdAt,
      updatedAt: createdAt,
      deleted: false,
      commentIds: [],
    };
    this.posts.set(post.id, post);
    pushTo(this.postsByPage, page.id, post);
    this.onEvent({ kind: 'fb_post', verb: 'add', post });
    return post;
  }

  postsOf(pageId: string): readonly FbPost[] {
    return this.postsByPage.get(pageId) ?? [];
  }

  /**
   * A comment on a post, or a reply to a comment (a reply to a reply joins the same thread, as on
   * Facebook). `from` is a person (by id or name, made when new) or the Page's own id.
   */
  addComment(input: { on: string; from: string; message: string; createdAt?: Date }): FbComment {
    let post = this.posts.get(input.on);
    let parent: FbComment | null = null;
    if (!post) {
      const target = this.comments.get(input.on);
      if (!target || target.deleted) throw new Error(`no such sandbox post or comment: ${input.on}`);
      parent = target.parentId === null ? target : this.comments.get(target.parentId)!;
      post = this.posts.get(target.postId)!;
    }
    if (post.deleted) throw new Error(`no such sandbox post or comment: ${input.on}`);
    const fromId = input.from === post.pageId ? post.pageId : this.ensurePerson(input.from).id;
    const at = input.createdAt ?? new Date(this.options.now());
    const comment: FbComment = {
      id: `${post.id.split('_')[1]}_${this.newId()}`,
      postId: post.id,
      parentId: parent?.id ?? null,
      fromId,
      message: input.message,
      createdAt: at,
      updatedAt: at,
      hidden: false,
      deleted: false,
      replyIds: [],
    };
    this.comments.set(comment.id, comment);
    if (parent) parent.replyIds.push(comment.id);
    else post.commentIds.push(comment.id);
    if (at > post.updatedAt) post.updatedAt = at;
    this.onEvent({ kind: 'fb_comment', verb: 'add', comment });
    return comment;
  }

  comment(id: string): FbComment | undefined {
    const comment = this.comments.get(id);
    return comment && !comment.deleted ? comment : undefined;
  }

  editComment(id: string, message: string): FbComment {
    const comment = this.requireComment(id);
    comment.message = message;
    comment.updatedAt = new Date(this.options.now());
    const post = this.posts.get(comment.postId)!;
    if (comment.updatedAt > post.updatedAt) post.updatedAt = comment.updatedAt;
    this.onEvent({ kind: 'fb_comment', verb: 'edited', comment });
    return comment;
  }

  setCommentHidden(id: string, hidden: boolean): FbComment {
    const comment = this.requireComment(id);
    if (comment.hidden !== hidden) {
      comment.hidden = hidden;
      this.onEvent({ kind: 'fb_comment', verb: hidden ? 'hide' : 'unhide', comment });
    }
    return comment;
  }

  deleteComment(id: string): boolean {
    const comment = this.comments.get(id);
    if (!comment || comment.deleted) return false;
    comment.deleted = true;
    this.onEvent({ kind: 'fb_comment', verb: 'remove', comment });
    return true;
  }

  /** the page that owns the post a comment is on */
  pageOfComment(comment: FbComment): MetaPage {
    return this.pages.get(this.posts.get(comment.postId)!.pageId)!;
  }

  ban(pageRef: string, personRef: string): void {
    const page = this.requirePage(pageRef);
    const person = this.people.get(personRef);
    if (!person) throw new Error(`no such sandbox person: ${personRef}`);
    page.banned.add(person.id);
  }

  unban(pageRef: string, personRef: string): void {
    this.requirePage(pageRef).banned.delete(personRef);
  }

  // ---- Instagram media and comments --------------------------------------------------------

  createMedia(input: {
    owner: string;
    caption: string;
    mediaType?: IgMedia['mediaType'];
    tagged?: string[];
    createdAt?: Date;
  }): IgMedia {
    const owner = this.igActor(input.owner) ?? this.createIgActor({ username: input.owner });
    const media: IgMedia = {
      id: this.newId(),
      ownerId: owner.id,
      caption: input.caption,
      mediaType: input.mediaType ?? 'IMAGE',
      createdAt: input.createdAt ?? new Date(this.options.now()),
      deleted: false,
      taggedIds: (input.tagged ?? []).map((ref) => this.requireIgActor(ref).id),
      commentIds: [],
      commentsEnabled: true,
    };
    this.media.set(media.id, media);
    pushTo(this.mediaByOwner, owner.id, media);
    return media;
  }

  mediaOf(igUserId: string): readonly IgMedia[] {
    return this.mediaByOwner.get(igUserId) ?? [];
  }

  /**
   * A comment on media, or a reply to a comment (one level, as on Instagram). `from` is an
   * Instagram username (made when new) or id. Business accounts @mentioned in the text are told.
   */
  addIgComment(input: { on: string; from: string; text: string; createdAt?: Date }): IgComment {
    let media = this.media.get(input.on);
    let parent: IgComment | null = null;
    if (!media) {
      const target = this.igComments.get(input.on);
      if (!target || target.deleted) throw new Error(`no such sandbox media or comment: ${input.on}`);
      parent = target.parentId === null ? target : this.igComments.get(target.parentId)!;
      media = this.media.get(target.mediaId)!;
    }
    if (media.deleted) throw new Error(`no such sandbox media or comment: ${input.on}`);
    const author = this.igActor(input.from) ?? this.createIgActor({ username: input.from });
    if (!media.commentsEnabled && author.id !== media.ownerId)
      throw new Error(`commenting is turned off on sandbox media ${media.id}`);
    const mentionIds: string[] = [];
    for (const match of input.text.matchAll(/@([A-Za-z0-9._]{1,30})/g)) {
      const actor = this.igActor(match[1]!);
      if (actor && actor.pageId !== null && actor.id !== author.id && !mentionIds.includes(actor.id)) {
        mentionIds.push(actor.id);
      }
    }
    const comment: IgComment = {
      id: this.newId(),
      mediaId: media.id,
      parentId: parent?.id ?? null,
      fromId: author.id,
      text: input.text,
      createdAt: input.createdAt ?? new Date(this.options.now()),
      hidden: false,
      deleted: false,
      replyIds: [],
      mentionIds,
    };
    this.igComments.set(comment.id, comment);
    if (parent) parent.replyIds.push(comment.id);
    else media.commentIds.push(comment.id);
    if (comment.fromId !== media.ownerId) this.onEvent({ kind: 'ig_comment', comment });
    for (const mentioned of mentionIds) {
      if (mentioned !== media.ownerId) this.onEvent({ kind: 'ig_mention', comment, mentioned });
    }
    return comment;
  }

  setMediaCommentsEnabled(mediaId: string, enabled: boolean): IgMedia {
    const media = this.media.get(mediaId);
    if (!media || media.deleted) throw new Error(`no such sandbox media: ${mediaId}`);
    media.commentsEnabled = enabled;
    return media;
  }

  igComment(id: string): IgComment | undefined {
    const comment = this.igComments.get(id);
    return comment && !comment.deleted ? comment : undefined;
  }

  setIgCommentHidden(id: string, hidden: boolean): IgComment {
    const comment = this.igComment(id);
    if (!comment) throw new Error(`no such sandbox Instagram comment: ${id}`);
    comment.hidden = hidden;
    return comment;
  }

  deleteIgComment(id: string): boolean {
    const comment = this.igComments.get(id);
    if (!comment || comment.deleted) return false;
    comment.deleted = true;
    return true;
  }

  /**
   * Bulk state for benchmarks: `pages` Pages (school_001 … with an Instagram account each, or the
   * named ones), each with `postsPerPage` posts carrying `commentsPerPost` comments from
   * `people` parents, spread over the six days before now. Announces nothing by webhook.
   */
  preload(input: {
    pages: number | string[];
    postsPerPage: number;
    commentsPerPost: number;
    people?: number;
  }): {
    pages: MetaPage[];
    comments: number;
  } {
    const announce = this.onEvent;
    this.onEvent = () => undefined;
    try {
      const pages =
        typeof input.pages === 'number'
          ? Array.from({ length: input.pages }, (_, i) => {
              const n = String(i + 1).padStart(3, '0');
              return this.createPage({
                name: `School ${n}`,
                admins: [`Head ${n}`],
                instagram: { username: `school_${n}` },
              });
            })
          : input.pages.map(
              (name) => this.page(name) ?? this.createPage({ name, admins: [`Head of ${name}`] }),
            );
      const people = Array.from({ length: Math.max(1, input.people ?? 500) }, (_, i) =>
        this.createPerson({ name: `Parent ${i + 1}` }),
      );
      const span = 6 * 24 * 60 * 60 * 1000;
      const start = this.options.now() - span;
      const total = pages.length * input.postsPerPage * input.commentsPerPost;
      let made = 0;
      for (const page of pages) {
        for (let p = 0; p < input.postsPerPage; p += 1) {
          const post = this.createPost({
            page: page.id,
            message: `News ${p + 1}`,
            createdAt: new Date(start + Math.floor((made * span) / Math.max(1, total))),
          });
          for (let c = 0; c < input.commentsPerPost; c += 1) {
            this.addComment({
              on: post.id,
              from: people[made % people.length]!.id,
              message: `Comment ${c + 1} on ${post.id}`,
              createdAt: new Date(start + Math.floor((made * span) / Math.max(1, total))),
            });
            made += 1;
          }
        }
      }
      return { pages, comments: made };
    } finally {
      this.onEvent = announce;
    }
  }

  // ---- read-back for tests -----------------------------------------------------------------

  /** a Facebook or Instagram comment is hidden */
  isHidden(commentId: string): boolean {
    return this.comments.get(commentId)?.hidden ?? this.igComments.get(commentId)?.hidden ?? false;
  }

  isDeleted(commentId: string): boolean {
    return this.comments.get(commentId)?.deleted ?? this.igComments.get(commentId)?.deleted ?? false;
  }

  isBanned(pageRef: string, personId: string): boolean {
    return this.page(pageRef)?.banned.has(personId) ?? false;
  }

  /** replies to a comment, Facebook or Instagram, live ones only */
  repliesTo(commentId: string): (FbComment | IgComment)[] {
    const fb = this.comments.get(commentId);
    if (fb) return fb.replyIds.flatMap((id) => this.comment(id) ?? []);
    const ig = this.igComments.get(commentId);
    return ig ? ig.replyIds.flatMap((id) => this.igComment(id) ?? []) : [];
  }

  stateChanges(): RequestLogEntry[] {
    return this.requestLog.stateChanges().filter((e) => /^\/v\d+\.\d+\//.test(e.path));
  }

  requestsTo(endpoint: string): RequestLogEntry[] {
    return this.requestLog.requestsTo(endpoint);
  }

  // ---- tokens ------------------------------------------------------------------------------

  /** a user token for a person (long-lived: 60 days; short-lived: 2 hours) */
  issueUserToken(
    personRef: string,
    options: {
      scopes?: string[];
      longLived?: boolean;
      appId?: string;
      ttlSeconds?: number;
      /** the Pages granted (default: all the person administers) */
      pageIds?: string[] | null;
    } = {},
  ): MetaToken {
    const person = this.requirePerson(personRef);
    const longLived = options.longLived ?? true;
    const ttl = options.ttlSeconds ?? (longLived ? LONG_LIVED_SECONDS : SHORT_LIVED_SECONDS);
    return this.storeToken({
      kind: 'user',
      appId: options.appId ?? this.app.id,
      userId: person.id,
      pageId: null,
      scopes: options.scopes ?? [...ALL_SCOPES],
      expiresAt: this.options.now() + ttl * 1000,
      longLived,
      pageIds: options.pageIds ?? null,
    });
  }

  /**
   * The Page token `/me/accounts` hands out for a user token: it never expires when the user
   * token is long-lived, and lives as long as the user token otherwise. The same user token
   * always gets the same Page token back.
   */
  pageTokenFor(userToken: MetaToken, pageId: string): MetaToken {
    for (const record of this.tokens.values()) {
      if (
        record.kind === 'page' &&
        record.pageId === pageId &&
        record.userId === userToken.userId &&
        record.appId === userToken.appId &&
        record.revokedSubcode === null &&
        record.scopes.join() === userToken.scopes.join() &&
        (record.expiresAt === 0 || record.expiresAt === userToken.expiresAt)
      ) {
        return record;
      }
    }
    return this.storeToken({
      kind: 'page',
      appId: userToken.appId,
      userId: userToken.userId,
      pageId,
      scopes: userToken.scopes,
      expiresAt: userToken.longLived ? 0 : userToken.expiresAt,
      longLived: userToken.longLived,
      pageIds: [pageId],
    });
  }

  /** a Page token for the Page's first admin (or `admin`), as a test's shortcut */
  issuePageToken(pageRef: string, options: { admin?: string; scopes?: string[] } = {}): MetaToken {
    const page = this.requirePage(pageRef);
    const adminId = options.admin ? this.requirePerson(options.admin).id : page.adminIds[0];
    if (!adminId || !page.adminIds.includes(adminId)) throw new Error(`Page ${page.id} has no such admin`);
    const user = this.issueUserToken(adminId, options.scopes ? { scopes: options.scopes } : {});
    return this.pageTokenFor(user, page.id);
  }

  /** the token's record (revoked and expired ones too); undefined for one never issued */
  tokenRecord(token: string): MetaToken | undefined {
    return this.tokens.get(token);
  }

  /**
   * Revokes one token, or every token of a person (their Page tokens too), as when someone removes
   * the app or changes their password. Each then answers Graph error 190 with `subcode`.
   */
  revoke(input: { token?: string; user?: string; page?: string; subcode?: number }): number {
    const subcode = input.subcode ?? 460;
    let count = 0;
    for (const record of this.tokens.values()) {
      const matches =
        (input.token !== undefined && record.token === input.token) ||
        (input.user !== undefined && record.userId === input.user) ||
        (input.page !== undefined && record.pageId === input.page);
      if (matches && record.revokedSubcode === null) {
        record.revokedSubcode = subcode;
        count += 1;
      }
    }
    return count;
  }

  expireToken(token: string): void {
    const record = this.tokens.get(token);
    if (record) record.expiresAt = 1;
  }

  createAuthCode(input: Omit<AuthCode, 'expiresAt'>): string {
    const code = `AQ${randomBytes(48).toString('base64url')}`;
    this.authCodes.set(code, { ...input, expiresAt: this.options.now() + AUTH_CODE_TTL_MS });
    return code;
  }

  /** single use, as on Facebook */
  redeemAuthCode(code: string, appId: string, redirectUri: string): AuthCode | null {
    const record = this.authCodes.get(code);
    if (!record) return null;
    this.authCodes.delete(code);
    if (
      record.expiresAt <= this.options.now() ||
      record.appId !== appId ||
      record.redirectUri !== redirectUri
    ) {
      return null;
    }
    return record;
  }

  /** `appsecret_proof`: HMAC-SHA256 of the token with the app secret, hex */
  proofFor(token: string, appId?: string): string {
    const app = this.apps.get(appId ?? this.app.id) ?? this.app;
    return createHmac('sha256', app.secret).update(token).digest('hex');
  }

  summary() {
    const count = <T extends { deleted: boolean }>(items: Iterable<T>) =>
      [...items].filter((i) => !i.deleted).length;
    return {
      people: this.people.size,
      pages: [...this.pages.values()].map((p) => ({
        id: p.id,
        name: p.name,
        adminIds: p.adminIds,
        igUserId: p.igUserId,
        banned: [...p.banned],
      })),
      instagramAccounts: this.igBusinessAccounts().map((a) => ({ ...a })),
      posts: count(this.posts.values()),
      comments: count(this.comments.values()),
      hiddenComments: [...this.comments.values()].filter((c) => c.hidden && !c.deleted).length,
      media: count(this.media.values()),
      igComments: count(this.igComments.values()),
      tokens: this.tokens.size,
    };
  }

  // ---- internals ---------------------------------------------------------------------------

  requirePerson(ref: string): MetaPerson {
    const person = this.person(ref);
    if (!person) throw new Error(`no such sandbox person: ${ref}`);
    return person;
  }

  requirePage(ref: string): MetaPage {
    const page = this.page(ref);
    if (!page) throw new Error(`no such sandbox Page: ${ref}`);
    return page;
  }

  requireIgActor(ref: string): IgActor {
    const actor = this.igActor(ref);
    if (!actor) throw new Error(`no such sandbox Instagram account: ${ref}`);
    return actor;
  }

  private requireComment(id: string): FbComment {
    const comment = this.comment(id);
    if (!comment) throw new Error(`no such sandbox comment: ${id}`);
    return comment;
  }

  private storeToken(input: Omit<MetaToken, 'token' | 'issuedAt' | 'revokedSubcode'>): MetaToken {
    // Graph tokens start EAA and carry no structure a client may read.
    const record: MetaToken = {
      ...input,
      token: `EAA${randomBytes(60).toString('base64url').replace(/[-_]/g, 'Z')}`,
      issuedAt: this.options.now(),
      revokedSubcode: null,
    };
    this.tokens.set(record.token, record);
    return record;
  }
}

function checkId(id: string): void {
  if (!/^\d{1,20}$/.test(id)) throw new Error(`a sandbox Meta id is digits only: ${id}`);
}

function pushTo<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}

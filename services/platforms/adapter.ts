// The contract every platform adapter implements. Nothing here knows about a particular
// platform; an adapter declares what it can do and classifies every failure precisely, and the
// caller (the poll and action jobs) owns retries, transactions and state.

export type PlatformName = 'x' | 'facebook' | 'instagram' | 'youtube' | 'bluesky';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Opaque to the caller: stored as JSON beside the account and handed back on the next poll. */
export type PollCursor = { readonly [key: string]: JsonValue };

export const CAPABILITY_NAMES = [
  'fetch',
  'reply',
  'hide',
  'unhide',
  'delete',
  'deleteOwnPost',
  'block',
  'unblock',
  'mute',
  'unmute',
  'report',
  'readHidden',
  'readMuted',
  'readBlocked',
  /** comments can arrive held for review (YouTube), and be released or rejected from Hallmonitor */
  'holdForReview',
  /** comments can be turned off on one of the account's posts */
  'turnOffComments',
] as const;
export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** `true`, or `false` with the reason a person can read (shown when the action is offered manually). */
export type Capabilities = { readonly [K in CapabilityName]: boolean } & {
  readonly notes: { readonly [K in CapabilityName]?: string };
};

export type PlatformErrorKind =
  | 'rate_limited'
  | 'auth'
  | 'transient'
  | 'permanent'
  | 'malformed'
  | 'unsupported';

export const MAX_RAW_BODY_CHARS = 64 * 1024;
export const MAX_COMMENT_TEXT_CHARS = 10_000;

export interface PlatformErrorOptions {
  endpoint?: string;
  status?: number;
  /** the platform's own reason text (X `detail`), safe to show to staff */
  reason?: string;
  /** when a rate-limited endpoint may be called again */
  resetAt?: Date;
  /** the unparseable payload, truncated; may contain public comment text, so never log it */
  rawBody?: string;
  capability?: CapabilityName;
  cause?: unknown;
}

/**
 * The closed list of adapter failures. The message never carries comment text or tokens.
 * rate_limited: wait until resetAt. auth: the account needs re-connecting. transient: retry with
 * backoff. permanent: retrying will not help (the reason says why). malformed: the platform sent
 * something that failed validation. unsupported: the platform cannot do this at all.
 */
export class PlatformError extends Error {
  readonly kind: PlatformErrorKind;
  readonly endpoint: string | undefined;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly resetAt: Date | undefined;
  readonly rawBody: string | undefined;
  readonly capability: CapabilityName | undefined;

  constructor(kind: PlatformErrorKind, message: string, options: PlatformErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PlatformError';
    this.kind = kind;
    this.endpoint = options.endpoint;
    this.status = options.status;
    this.reason = options.reason;
    this.resetAt = options.resetAt;
    this.rawBody = options.rawBody === undefined ? undefined : truncate(options.rawBody, MAX_RAW_BODY_CHARS);
    this.capability = options.capability;
  }
}

export function isPlatformError(error: unknown, kind?: PlatformErrorKind): error is PlatformError {
  return error instanceof PlatformError && (kind === undefined || error.kind === kind);
}

/** Throws 'unsupported' unless the capability is declared; an unsupported action is never a no-op. */
export function assertCapable(capabilities: Capabilities, capability: CapabilityName): void {
  if (capabilities[capability]) return;
  const why = capabilities.notes[capability] ?? 'not supported by this platform';
  throw new PlatformError('unsupported', `${capability} is not supported: ${why}`, {
    capability,
    reason: why,
  });
}

export interface IncomingComment {
  externalId: string;
  conversationId: string;
  inReplyToExternalId?: string;
  authorExternalId: string;
  authorHandle: string;
  authorName: string;
  /** at most MAX_COMMENT_TEXT_CHARS */
  text: string;
  textTruncated: boolean;
  createdAt: Date;
  url: string;
  /** how it was found: the account's mentions, or a search of the account's own conversations */
  foundBy: 'mention' | 'conversation';
  /** the platform holds it back until the account approves it (YouTube's heldForReview) */
  heldByPlatform?: boolean;
  raw?: never;
}

export interface RateLimitState {
  endpoint: string;
  limit: number;
  remaining: number;
  resetAt: Date;
}

export interface CoverageGap {
  /** comments newer than this id and older than toId may never have been fetched */
  fromId: string;
  toId: string;
}

/**
 * An item of a page that failed validation on its own (an author name too long, a missing field):
 * kept raw for the account's admins, while the rest of the page is stored and the cursor moves on.
 */
export interface QuarantinedItem {
  /** the platform's id for it, when the item carried a readable one */
  externalId: string | null;
  /** what failed validation; names fields, never quotes their text */
  reason: string;
  /** the item as the platform sent it (with its author, where that was the bad part), JSON, bounded */
  raw: string;
}

/**
 * One page of new comments. Commit `comments` and `cursorAfter` in one transaction before asking
 * for the next page: the iterator fetches the next page only when it is pulled.
 */
export interface FetchPage {
  comments: IncomingComment[];
  /** items of the page that failed validation; the page's other comments are good */
  quarantined?: QuarantinedItem[];
  cursorAfter: PollCursor;
  /** the fetch endpoint's budget after this page, when the platform reported it */
  rateLimit: RateLimitState | null;
  coverageGap?: CoverageGap;
}

export interface FetchOptions {
  /** the most requests this poll may make for the main feed */
  maxPages: number;
  /** also search the account's own recent conversations for replies that do not mention it */
  conversationBackstop: boolean;
}

export interface Credentials {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: Date;
  scope?: string[];
  /** a long-lived secret the adapter signs in with again when its session is refused (a Bluesky app password) */
  secret?: string;
}

/** Persist atomically; the adapter uses new credentials only after this resolves. */
export type OnCredentialsRefreshed = (credentials: Credentials) => Promise<void>;

export interface PlatformIdentity {
  platformUserId: string;
  handle: string;
  name: string;
}

export type ReadStateKind = 'muted' | 'blocked' | 'hidden';

export interface ActionResult {
  /** true when the platform said the target was already in the requested state */
  alreadyInState: boolean;
}

/** What an author-level action knows beyond the author: the comment it was taken from. */
export interface BlockContext {
  /** YouTube bans an author only by rejecting one of their comments */
  commentExternalId?: string;
}

export interface PostedReply {
  externalId: string;
  text: string;
  url: string;
}

export interface PlatformAdapter {
  readonly platform: PlatformName;
  readonly capabilities: Capabilities;

  fetchPages(cursor: PollCursor | null, options: FetchOptions): AsyncIterable<FetchPage>;

  reply(inReplyToExternalId: string, text: string): Promise<PostedReply>;
  hide(externalId: string): Promise<ActionResult>;
  unhide(externalId: string): Promise<ActionResult>;
  /** delete someone else's comment */
  delete(externalId: string): Promise<ActionResult>;
  /** delete the account's own post (a reply sent in error) */
  deleteOwnPost(externalId: string): Promise<ActionResult>;
  block(authorExternalId: string, context?: BlockContext): Promise<ActionResult>;
  unblock(authorExternalId: string): Promise<ActionResult>;
  mute(authorExternalId: string): Promise<ActionResult>;
  unmute(authorExternalId: string): Promise<ActionResult>;
  report(externalId: string, reason: string): Promise<ActionResult>;
  /**
   * Turns comments off (or on again) on one of the account's own posts. Present only where the
   * `turnOffComments` capability is true; otherwise calling it is an 'unsupported' PlatformError.
   */
  setCommentsEnabled?(postExternalId: string, enabled: boolean): Promise<ActionResult>;
  /** Whether people may comment on one of the account's posts now; beside setCommentsEnabled. */
  readCommentsEnabled?(postExternalId: string): Promise<boolean>;
  /**
   * Reads one comment the platform said @mentions the account on media that is not the account's
   * own (Instagram's `mentions` webhook, which carries only ids). Present where the platform has it.
   */
  fetchMention?(ref: {
    mediaId: string;
    commentId: string;
  }): Promise<Pick<FetchPage, 'comments' | 'quarantined'>>;
  /** `target` is a comment id for 'hidden' and an author id for 'muted' and 'blocked' */
  readState(kind: ReadStateKind, target: string): Promise<boolean>;
  /**
   * Whether someone else's comment is gone from the platform (its author removed it, P9). Present
   * only where the platform can say; a comment it cannot find is gone.
   */
  commentGone?(externalId: string): Promise<boolean>;
  /**
   * Where the platform holds comments back for the account (YouTube): what became of comments that
   * arrived held, read in one call: still held, published, or removed (rejected or gone).
   */
  heldStates?(externalIds: string[]): Promise<Map<string, 'held' | 'published' | 'removed'>>;

  verifyCredentials(): Promise<PlatformIdentity>;
  refreshCredentials(): Promise<Credentials>;
  rateLimitState(): RateLimitState[];
  /** where the platform's limit is a unit quota (YouTube): the units this adapter's calls spent */
  quotaUnitsSpent?(): number;
  close(): void;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

/** Caps untrusted public text; slicing never splits a surrogate pair. */
export function boundCommentText(text: string): { text: string; textTruncated: boolean } {
  if (text.length <= MAX_COMMENT_TEXT_CHARS) return { text, textTruncated: false };
  let end = MAX_COMMENT_TEXT_CHARS;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { text: text.slice(0, end), textTruncated: true };
}

import { createHash, randomBytes } from 'node:crypto';
import { RequestLog, type RequestLogEntry } from '../core/request-log.js';

export type { RequestLogEntry } from '../core/request-log.js';

// The sandbox's in-memory X. Ids are snowflake-like numeric strings that only grow, compared as
// BigInt, so "newer" means "larger id" exactly as on X. Post ids are time-based like X's, so a
// restarted sandbox never hands out an id an earlier run did (the demo's stored comments keep
// theirs) and X's since_id still finds every newer post.

export interface SandboxUser {
  id: string;
  username: string;
  name: string;
  /** an official account someone can connect (listed on the authorize page) */
  isAccount: boolean;
}

export interface SandboxTweet {
  id: string;
  big: bigint;
  text: string;
  authorId: string;
  conversationId: string;
  inReplyToTweetId: string | null;
  inReplyToUserId: string | null;
  createdAt: Date;
  mentionIds: string[];
  deleted: boolean;
}

export interface IssuedToken {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  scope: string[];
}

interface AccessTokenRecord {
  userId: string;
  clientId: string;
  expiresAt: number;
  scope: string[];
}

interface RefreshTokenRecord {
  userId: string;
  clientId: string;
  scope: string[];
}

export interface AuthCodeRecord {
  userId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  challengeMethod: 'S256' | 'plain';
  scope: string[];
  expiresAt: number;
}

export interface InjectCommentInput {
  /** the public user's username; created if new */
  from: string;
  fromName?: string;
  text: string;
  /** an account's username or id to mention (prefixes "@username " when the text lacks it) */
  to?: string;
  /** the tweet this replies to; the reply joins its conversation */
  inReplyTo?: string;
  /** a reply mentions the author it replies to, as X's reply box does; false for a bare reply */
  mentionRepliedUser?: boolean;
  createdAt?: Date;
}

export interface PreloadInput {
  /** how many accounts to create (school_001 …), or existing/new usernames */
  accounts: number | string[];
  mentionsPerAccount: number;
  publicUsers?: number;
}

/** X's snowflake epoch (2010-11-04): X's ids count milliseconds from it in their upper bits. */
const X_EPOCH_MS = 1_288_834_974_657;
const FIRST_USER_ID = 1_400_000_000_000_000_000n;
const AUTH_CODE_TTL_MS = 30_000;
const PRELOAD_PHRASES = [
  'thank you for the update!',
  'what time does the gate open tomorrow?',
  'is the PE kit the same this term?',
  'brilliant concert last night',
  'when are the term dates for next year published?',
  'lovely photos from the trip',
];

export class SandboxState {
  readonly users = new Map<string, SandboxUser>();
  readonly tweets = new Map<string, SandboxTweet>();
  readonly hidden = new Set<string>();
  readonly mutes = new Map<string, Set<string>>();
  readonly blocks = new Map<string, Set<string>>();
  /** confidential clients; a client id not listed here is treated as a public (PKCE-only) client */
  readonly clients = new Map<string, { secret: string }>();

  private readonly byUsername = new Map<string, SandboxUser>();
  private readonly mentionIndex = new Map<string, SandboxTweet[]>();
  private readonly authorIndex = new Map<string, SandboxTweet[]>();
  private readonly conversationIndex = new Map<string, SandboxTweet[]>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly authCodes = new Map<string, AuthCodeRecord>();
  private lastTweetId = 0n;
  private nextUserId = FIRST_USER_ID;

  /** the sandbox's request log, shared with the other platforms */
  readonly requestLog: RequestLog;

  constructor(readonly options: { tokenTtlSeconds: number; now: () => number; requestLog?: RequestLog }) {
    this.requestLog = options.requestLog ?? new RequestLog();
  }

  /** every API request answered, oldest first */
  get log(): RequestLogEntry[] {
    return this.requestLog.entries;
  }

  // ---- users -------------------------------------------------------------------------------

  createAccount(input: { username: string; name?: string }): SandboxUser {
    const user = this.ensureUser(input.username, input.name);
    user.isAccount = true;
    return user;
  }

  ensureUser(username: string, name?: string): SandboxUser {
    const existing = this.byUsername.get(username.toLowerCase());
    if (existing) return existing;
    if (!/^[A-Za-z0-9_]{1,50}$/.test(username)) throw new Error(`invalid username: ${username}`);
    const user: SandboxUser = { id: this.newUserId(), username, name: name ?? username, isAccount: false };
    this.users.set(user.id, user);
    this.byUsername.set(username.toLowerCase(), user);
    return user;
  }

  /** by id or username */
  user(ref: string): SandboxUser | undefined {
    return this.users.get(ref) ?? this.byUsername.get(ref.replace(/^@/, '').toLowerCase());
  }

  accounts(): SandboxUser[] {
    return [...this.users.values()].filter((u) => u.isAccount);
  }

  // ---- tweets ------------------------------------------------------------------------------

  /** an account's own post: the root of a new conversation */
  createPost(input: { author: string; text: string; createdAt?: Date }): SandboxTweet {
    const author = this.requireUser(input.author);
    return this.addTweet({
      author,
      text: input.text,
      inReplyTo: null,
      mentionIds: this.mentionsInText(input.text, author.id),
      createdAt: input.createdAt,
    });
  }

  /** a mention or reply from a public user */
  injectComment(input: InjectCommentInput): SandboxTweet {
    const author = this.ensureUser(input.from, input.fromName);
    const parent = input.inReplyTo === undefined ? null : this.requireTweet(input.inReplyTo);
    let text = input.text;
    const mentioned = new Set<string>();
    if (input.to !== undefined) {
      const target = this.requireUser(input.to);
      if (!mentionsHandle(text, target.username)) text = `@${target.username} ${text}`;
      mentioned.add(target.id);
    }
    if (parent !== null && input.mentionRepliedUser !== false && parent.authorId !== author.id) {
      const repliedUser = this.requireUser(parent.authorId);
      if (!mentionsHandle(text, repliedUser.username)) text = `@${repliedUser.username} ${text}`;
      mentioned.add(repliedUser.id);
    }
    for (const id of this.mentionsInText(text, author.id)) mentioned.add(id);
    return this.addTweet({
      author,
      text,
      inReplyTo: parent,
      mentionIds: [...mentioned],
      createdAt: input.createdAt,
    });
  }

  /** the reply an account posts through the API */
  postReply(authorId: string, text: string, inReplyTo: SandboxTweet | null): SandboxTweet {
    const author = this.requireUser(authorId);
    const mentioned = new Set(this.mentionsInText(text, author.id));
    if (inReplyTo !== null && inReplyTo.authorId !== author.id) mentioned.add(inReplyTo.authorId);
    return this.addTweet({ author, text, inReplyTo, mentionIds: [...mentioned] });
  }

  deleteTweet(id: string): boolean {
    const tweet = this.tweets.get(id);
    if (!tweet || tweet.deleted) return false;
    tweet.deleted = true;
    this.hidden.delete(id);
    return true;
  }

  tweet(id: string): SandboxTweet | undefined {
    const tweet = this.tweets.get(id);
    return tweet && !tweet.deleted ? tweet : undefined;
  }

  /** ascending by id, deleted ones included (readers skip them) */
  mentionsOf(userId: string): readonly SandboxTweet[] {
    return this.mentionIndex.get(userId) ?? [];
  }

  tweetsBy(userId: string): readonly SandboxTweet[] {
    return this.authorIndex.get(userId) ?? [];
  }

  conversation(conversationId: string): readonly SandboxTweet[] {
    return this.conversationIndex.get(conversationId) ?? [];
  }

  isHidden(tweetId: string): boolean {
    return this.hidden.has(tweetId);
  }

  isMuting(sourceId: string, targetId: string): boolean {
    return this.mutes.get(sourceId)?.has(targetId) ?? false;
  }

  isBlocking(sourceId: string, targetId: string): boolean {
    return this.blocks.get(sourceId)?.has(targetId) ?? false;
  }

  /** fast: builds the indexes directly; 100,000 mentions take well under a second */
  preload(input: PreloadInput): { accounts: SandboxUser[]; mentions: number } {
    const accounts =
      typeof input.accounts === 'number'
        ? Array.from({ length: input.accounts }, (_, i) =>
            this.createAccount({
              username: `school_${String(i + 1).padStart(3, '0')}`,
              name: `School ${i + 1}`,
            }),
          )
        : input.accounts.map((username) => this.createAccount({ username }));
    const publicCount = Math.max(1, input.publicUsers ?? 500);
    const authors = Array.from({ length: publicCount }, (_, i) =>
      this.ensureUser(`parent_${String(i + 1).padStart(5, '0')}`, `Parent ${i + 1}`),
    );
    const total = accounts.length * input.mentionsPerAccount;
    // Spread over the six days before now so ids and times stay in the same order.
    const span = 6 * 24 * 60 * 60 * 1000;
    const start = this.options.now() - span;
    for (let i = 0; i < total; i += 1) {
      const account = accounts[i % accounts.length]!;
      const author = authors[i % authors.length]!;
      const phrase = PRELOAD_PHRASES[i % PRELOAD_PHRASES.length]!;
      this.addTweet({
        author,
        text: `@${account.username} ${phrase}`,
        inReplyTo: null,
        mentionIds: [account.id],
        createdAt: new Date(start + Math.floor((i * span) / Math.max(1, total))),
      });
    }
    return { accounts, mentions: total };
  }

  // ---- tokens ------------------------------------------------------------------------------

  issueToken(
    userRef: string,
    options: { ttlSeconds?: number; scope?: string[]; clientId?: string } = {},
  ): IssuedToken {
    const user = this.requireUser(userRef);
    const scope = options.scope ?? ['tweet.read', 'tweet.write', 'users.read', 'offline.access'];
    const clientId = options.clientId ?? 'sandbox-client';
    const ttl = options.ttlSeconds ?? this.options.tokenTtlSeconds;
    const accessToken = randomToken('at');
    const refreshToken = randomToken('rt');
    const expiresAt = this.options.now() + ttl * 1000;
    this.accessTokens.set(accessToken, { userId: user.id, clientId, expiresAt, scope });
    this.refreshTokens.set(refreshToken, { userId: user.id, clientId, scope });
    return { accessToken, refreshToken, expiresAt: new Date(expiresAt), scope };
  }

  /** the user id behind a live access token */
  tokenUser(accessToken: string): string | null {
    const record = this.accessTokens.get(accessToken);
    if (!record || record.expiresAt <= this.options.now()) return null;
    return record.userId;
  }

  expireToken(accessToken: string): void {
    const record = this.accessTokens.get(accessToken);
    if (record) record.expiresAt = 0;
  }

  /** X rotates: the old refresh token stops working once used */
  rotateRefreshToken(refreshToken: string, clientId: string): IssuedToken | null {
    const record = this.refreshTokens.get(refreshToken);
    if (!record || record.clientId !== clientId) return null;
    this.refreshTokens.delete(refreshToken);
    return this.issueToken(record.userId, { scope: record.scope, clientId });
  }

  createAuthCode(record: Omit<AuthCodeRecord, 'expiresAt'>): string {
    const code = randomToken('code');
    this.authCodes.set(code, { ...record, expiresAt: this.options.now() + AUTH_CODE_TTL_MS });
    return code;
  }

  /** single use: a code is spent by the first attempt, right or wrong, as on X */
  redeemAuthCode(
    code: string,
    input: { clientId: string; redirectUri: string; codeVerifier: string },
  ): IssuedToken | null {
    const record = this.authCodes.get(code);
    if (!record) return null;
    this.authCodes.delete(code);
    if (record.expiresAt <= this.options.now()) return null;
    if (record.clientId !== input.clientId || record.redirectUri !== input.redirectUri) return null;
    const challenge =
      record.challengeMethod === 'S256'
        ? createHash('sha256').update(input.codeVerifier).digest('base64url')
        : input.codeVerifier;
    if (challenge !== record.codeChallenge) return null;
    return this.issueToken(record.userId, { scope: record.scope, clientId: record.clientId });
  }

  // ---- request log -------------------------------------------------------------------------

  record(entry: RequestLogEntry): RequestLogEntry {
    return this.requestLog.record(entry);
  }

  /** requests that could change state on the platform (anything but GET) */
  stateChanges(): RequestLogEntry[] {
    return this.requestLog.stateChanges();
  }

  requestsTo(endpoint: string): RequestLogEntry[] {
    return this.requestLog.requestsTo(endpoint);
  }

  summary() {
    let mentions = 0;
    for (const list of this.mentionIndex.values()) mentions += list.length;
    return {
      users: this.users.size,
      accounts: this.accounts().map((a) => ({ ...a })),
      tweets: this.tweets.size,
      mentions,
      hidden: this.hidden.size,
      mutes: [...this.mutes.values()].reduce((n, s) => n + s.size, 0),
      blocks: [...this.blocks.values()].reduce((n, s) => n + s.size, 0),
      requests: this.log.length,
    };
  }

  // ---- internals ---------------------------------------------------------------------------

  requireUser(ref: string): SandboxUser {
    const user = this.user(ref);
    if (!user) throw new Error(`no such sandbox user: ${ref}`);
    return user;
  }

  requireTweet(id: string): SandboxTweet {
    const tweet = this.tweet(id);
    if (!tweet) throw new Error(`no such sandbox tweet: ${id}`);
    return tweet;
  }

  private addTweet(input: {
    author: SandboxUser;
    text: string;
    inReplyTo: SandboxTweet | null;
    mentionIds: string[];
    createdAt?: Date | undefined;
  }): SandboxTweet {
    const big = this.newTweetId();
    const id = big.toString();
    const tweet: SandboxTweet = {
      id,
      big,
      text: input.text,
      authorId: input.author.id,
      conversationId: input.inReplyTo?.conversationId ?? id,
      inReplyToTweetId: input.inReplyTo?.id ?? null,
      inReplyToUserId: input.inReplyTo?.authorId ?? null,
      createdAt: input.createdAt ?? new Date(this.options.now()),
      mentionIds: input.mentionIds,
      deleted: false,
    };
    this.tweets.set(id, tweet);
    pushTo(this.authorIndex, tweet.authorId, tweet);
    pushTo(this.conversationIndex, tweet.conversationId, tweet);
    for (const userId of tweet.mentionIds) {
      if (userId !== tweet.authorId) pushTo(this.mentionIndex, userId, tweet);
    }
    return tweet;
  }

  private mentionsInText(text: string, authorId: string): string[] {
    const ids: string[] = [];
    for (const match of text.matchAll(/@([A-Za-z0-9_]{1,50})/g)) {
      const user = this.byUsername.get(match[1]!.toLowerCase());
      if (user && user.id !== authorId && !ids.includes(user.id)) ids.push(user.id);
    }
    return ids;
  }

  /**
   * Microseconds since X's epoch, shifted left 12 bits (X: milliseconds, 22 bits; the same size of
   * number): later than every id an earlier run handed out, and a counter within one microsecond.
   * The wall clock, not `options.now`, which tests may set in the past.
   */
  private newTweetId(): bigint {
    const micros = BigInt(Math.floor((performance.timeOrigin + performance.now() - X_EPOCH_MS) * 1000));
    const fromClock = micros << 12n;
    this.lastTweetId = fromClock > this.lastTweetId ? fromClock : this.lastTweetId + 1n;
    return this.lastTweetId;
  }

  private newUserId(): string {
    const id = this.nextUserId;
    this.nextUserId += 1n;
    return id.toString();
  }
}

function pushTo<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}

function mentionsHandle(text: string, username: string): boolean {
  return new RegExp(`@${username}(?![A-Za-z0-9_])`, 'i').test(text);
}

function randomToken(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

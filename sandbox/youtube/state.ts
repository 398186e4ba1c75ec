import { randomBytes } from 'node:crypto';
import type { RequestLog } from '../core/request-log.js';
import { YouTubeQuota } from './quota.js';

// The sandbox's in-memory YouTube: Google accounts, the channels they own, videos, comment threads
// (a thread's id is its top-level comment's id) and replies with their moderation status, the
// authors a channel has banned, OAuth clients, codes, access and refresh tokens, and the quota
// ledger of each client's Cloud project. Ids are shaped as YouTube's and never repeat across
// restarts (they start from the wall clock).

export type ModerationStatus = 'published' | 'heldForReview' | 'likelySpam' | 'rejected';

export interface GooglePerson {
  id: string;
  name: string;
  email: string;
}

export interface YtChannel {
  id: string;
  title: string;
  /** '@oakfieldprimary' */
  handle: string;
  ownerId: string;
  /** authors' channel ids banned by a rejection with banAuthor */
  banned: Set<string>;
}

export interface YtVideo {
  id: string;
  channelId: string;
  title: string;
  publishedAt: Date;
}

export interface YtComment {
  id: string;
  videoId: string;
  /** the channel of the video */
  channelId: string;
  /** the top-level comment this one replies to; null for a top-level comment (a thread) */
  parentId: string | null;
  authorChannelId: string;
  authorName: string;
  text: string;
  publishedAt: Date;
  updatedAt: Date;
  moderationStatus: ModerationStatus;
  deleted: boolean;
  replyIds: string[];
  /** snippet fields left out when rendered (a test's malformed item) */
  brokenFields?: string[];
}

export interface GoogleClient {
  id: string;
  secret: string;
  name: string;
}

export interface YtToken {
  token: string;
  kind: 'access' | 'refresh';
  clientId: string;
  personId: string;
  /** the channel (brand account) chosen on the consent page */
  channelId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

interface AuthCode {
  clientId: string;
  personId: string;
  channelId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  expiresAt: number;
}

export const DEFAULT_GOOGLE_CLIENT = {
  id: '204918273645-hallmonitor.apps.googleusercontent.com',
  secret: 'GOCSPX-sandbox-youtube-secret',
  name: 'Hallmonitor',
};
export const YT_SCOPE_FORCE_SSL = 'https://www.googleapis.com/auth/youtube.force-ssl';
export const ACCESS_TOKEN_SECONDS = 3599;
const AUTH_CODE_TTL_MS = 10 * 60_000;

export interface YouTubeStateOptions {
  now: () => number;
  requestLog: RequestLog;
  client?: { id: string; secret: string; name?: string };
  /** units a project may spend per Pacific day (YouTube's default: 10,000) */
  dailyQuota?: number;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export class YouTubeState {
  readonly people = new Map<string, GooglePerson>();
  readonly channels = new Map<string, YtChannel>();
  readonly videos = new Map<string, YtVideo>();
  readonly comments = new Map<string, YtComment>();
  readonly clients = new Map<string, GoogleClient>();
  readonly tokens = new Map<string, YtToken>();
  readonly quota: YouTubeQuota;
  readonly client: GoogleClient;
  private readonly authCodes = new Map<string, AuthCode>();
  /** threads per channel, oldest first */
  private readonly threadsByChannel = new Map<string, YtComment[]>();
  private counter = 0;
  private readonly startedAt = Date.now();

  constructor(readonly options: YouTubeStateOptions) {
    const client = options.client ?? DEFAULT_GOOGLE_CLIENT;
    this.client = { id: client.id, secret: client.secret, name: client.name ?? 'Hallmonitor' };
    this.clients.set(this.client.id, this.client);
    this.quota = new YouTubeQuota(options.dailyQuota ?? 10_000, options.now);
  }

  get requestLog(): RequestLog {
    return this.options.requestLog;
  }

  /** `length` characters of YouTube's id alphabet, unique: the clock and a counter, then padding */
  private newId(length: number): string {
    this.counter += 1;
    let n = BigInt(this.startedAt) * 1_000_000n + BigInt(this.counter);
    let out = '';
    while (n > 0n) {
      out = ALPHABET[Number(n % 64n)] + out;
      n /= 64n;
    }
    const pad = randomBytes(length)
      .toString('base64url')
      .replace(/[^A-Za-z0-9_-]/g, 'x');
    return (pad + out).slice(-length);
  }

  // ---- people, channels, videos ------------------------------------------------------------

  createPerson(input: { name: string; email?: string; id?: string }): GooglePerson {
    const id = input.id ?? `1${String(100_000_000_000_000_000n + BigInt(this.people.size + 1) * 7919n)}`;
    const person = {
      id,
      name: input.name,
      email: input.email ?? `${input.name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@gmail.example`,
    };
    this.people.set(id, person);
    return person;
  }

  person(ref: string): GooglePerson | undefined {
    return this.people.get(ref) ?? [...this.people.values()].find((p) => p.name === ref || p.email === ref);
  }

  ensurePerson(ref: string): GooglePerson {
    return this.person(ref) ?? this.createPerson({ name: ref });
  }

  createChannel(input: { title: string; handle?: string; owner?: string; id?: string }): YtChannel {
    const id = input.id ?? `UC${this.newId(22)}`;
    if (!/^UC[A-Za-z0-9_-]{22}$/.test(id)) throw new Error(`invalid channel id: ${id}`);
    if (this.channels.has(id)) throw new Error(`a sandbox channel ${id} already exists`);
    const handle = input.handle ?? `@${input.title.toLowerCase().replace(/[^a-z0-9]/g, '')}`.slice(0, 31);
    const owner = this.ensurePerson(input.owner ?? `${input.title} owner`);
    const channel: YtChannel = {
      id,
      title: input.title,
      handle: handle.startsWith('@') ? handle : `@${handle}`,
      ownerId: owner.id,
      banned: new Set(),
    };
    this.channels.set(id, channel);
    return channel;
  }

  /** by id, handle (with or without @) or title */
  channel(ref: string): YtChannel | undefined {
    const handle = ref.startsWith('@') ? ref : `@${ref}`;
    return (
      this.channels.get(ref) ??
      [...this.channels.values()].find(
        (c) => c.handle.toLowerCase() === handle.toLowerCase() || c.title === ref,
      )
    );
  }

  requireChannel(ref: string): YtChannel {
    const channel = this.channel(ref);
    if (!channel) throw new Error(`no sandbox channel ${ref}`);
    return channel;
  }

  /** a commenter's own channel, made on first use */
  ensureAuthorChannel(name: string): YtChannel {
    const existing = [...this.channels.values()].find((c) => c.title === name);
    return existing ?? this.createChannel({ title: name, owner: name });
  }

  channelsOwnedBy(personId: string): YtChannel[] {
    return [...this.channels.values()].filter((c) => c.ownerId === personId);
  }

  createVideo(input: { channel: string; title: string; publishedAt?: Date }): YtVideo {
    const channel = this.requireChannel(input.channel);
    const video = {
      id: this.newId(11),
      channelId: channel.id,
      title: input.title,
      publishedAt: input.publishedAt ?? new Date(this.options.now()),
    };
    this.videos.set(video.id, video);
    return video;
  }

  videosOf(channelId: string): YtVideo[] {
    return [...this.videos.values()].filter((v) => v.channelId === channelId);
  }

  // ---- comments ----------------------------------------------------------------------------

  /**
   * A top-level comment on a video (`on` a video id) or a reply (`on` a top-level comment id; a
   * reply to a reply joins the same thread, as on YouTube). `from` names the author's channel.
   */
  addComment(input: {
    on: string;
    from: string;
    text: string;
    publishedAt?: Date;
    moderationStatus?: ModerationStatus;
    brokenFields?: string[];
  }): YtComment {
    const at = input.publishedAt ?? new Date(this.options.now());
    const author = this.channels.get(input.from) ?? this.ensureAuthorChannel(input.from);
    const video = this.videos.get(input.on);
    let parent: YtComment | undefined;
    if (!video) {
      parent = this.comments.get(input.on);
      if (!parent || parent.deleted) throw new Error(`no video or comment ${input.on}`);
      if (parent.parentId !== null) parent = this.comments.get(parent.parentId)!;
    }
    const videoId = video?.id ?? parent!.videoId;
    const channelId = this.videos.get(videoId)!.channelId;
    const owner = this.channels.get(channelId)!;
    const status: ModerationStatus =
      input.moderationStatus ?? (owner.banned.has(author.id) ? 'rejected' : 'published');
    const id = parent ? `${parent.id}.${this.newId(22)}` : `Ugz${this.newId(19)}4AaABAg`;
    const comment: YtComment = {
      id,
      videoId,
      channelId,
      parentId: parent?.id ?? null,
      authorChannelId: author.id,
      authorName: author.handle,
      text: input.text,
      publishedAt: at,
      updatedAt: at,
      moderationStatus: status,
      deleted: false,
      replyIds: [],
      ...(input.brokenFields ? { brokenFields: input.brokenFields } : {}),
    };
    this.comments.set(id, comment);
    if (parent) parent.replyIds.push(id);
    else {
      const list = this.threadsByChannel.get(channelId) ?? [];
      list.push(comment);
      this.threadsByChannel.set(channelId, list);
    }
    return comment;
  }

  threadsOf(channelId: string): readonly YtComment[] {
    return this.threadsByChannel.get(channelId) ?? [];
  }

  replies(thread: YtComment): YtComment[] {
    return thread.replyIds.map((id) => this.comments.get(id)!).filter((c) => !c.deleted);
  }

  setModerationStatus(id: string, status: ModerationStatus, banAuthor: boolean): YtComment {
    const comment = this.comments.get(id);
    if (!comment || comment.deleted) throw new Error(`no comment ${id}`);
    comment.moderationStatus = status;
    if (banAuthor) this.channels.get(comment.channelId)!.banned.add(comment.authorChannelId);
    return comment;
  }

  // ---- OAuth -------------------------------------------------------------------------------

  createAuthCode(input: Omit<AuthCode, 'expiresAt'>): string {
    const code = `4/0A${randomBytes(24).toString('base64url')}`;
    this.authCodes.set(code, { ...input, expiresAt: this.options.now() + AUTH_CODE_TTL_MS });
    return code;
  }

  redeemAuthCode(code: string): AuthCode | null {
    const record = this.authCodes.get(code);
    this.authCodes.delete(code);
    if (!record || record.expiresAt <= this.options.now()) return null;
    return record;
  }

  /** an access token and a refresh token for the person's channel (what the consent flow yields) */
  issueTokens(input: { channel: string; clientId?: string; scopes?: string[]; ttlSeconds?: number }): {
    access: YtToken;
    refresh: YtToken;
  } {
    const channel = this.requireChannel(input.channel);
    const base = {
      clientId: input.clientId ?? this.client.id,
      personId: channel.ownerId,
      channelId: channel.id,
      scopes: input.scopes ?? [YT_SCOPE_FORCE_SSL],
      revoked: false,
    };
    const refresh: YtToken = {
      ...base,
      token: `1//0${randomBytes(32).toString('base64url')}`,
      kind: 'refresh',
      expiresAt: 0,
    };
    this.tokens.set(refresh.token, refresh);
    return { access: this.issueAccess(refresh, input.ttlSeconds), refresh };
  }

  issueAccess(refresh: YtToken, ttlSeconds = ACCESS_TOKEN_SECONDS): YtToken {
    const access: YtToken = {
      ...refresh,
      token: `ya29.${randomBytes(40).toString('base64url')}`,
      kind: 'access',
      expiresAt: this.options.now() + ttlSeconds * 1000,
    };
    this.tokens.set(access.token, access);
    return access;
  }

  /** a usable access token's record, or null (unknown, expired, revoked) */
  accessRecord(token: string): YtToken | null {
    const record = this.tokens.get(token);
    if (record?.kind !== 'access' || record.revoked) return null;
    if (record.expiresAt <= this.options.now()) return null;
    return record;
  }

  /** revokes every token of a channel (the person removed the app's access), or one token */
  revoke(input: { token?: string; channel?: string }): number {
    const channelId = input.channel === undefined ? undefined : this.requireChannel(input.channel).id;
    let n = 0;
    for (const record of this.tokens.values()) {
      if (record.token === input.token || (channelId !== undefined && record.channelId === channelId)) {
        record.revoked = true;
        n += 1;
      }
    }
    return n;
  }

  expireAccessTokens(channel: string): void {
    const channelId = this.requireChannel(channel).id;
    for (const record of this.tokens.values()) {
      if (record.kind === 'access' && record.channelId === channelId) record.expiresAt = this.options.now();
    }
  }
}

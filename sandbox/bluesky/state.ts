import { randomBytes } from 'node:crypto';
import type { RequestLog } from '../core/request-log.js';
import { cidOf, plcDid, sessionJwt, tid } from './ids.js';

// A small Bluesky (a PDS and its AppView in one) held in memory: actors with app passwords,
// sessions, repositories of records (posts, threadgates, blocks), the notifications a post
// gives its author's audience, mutes and moderation reports. The XRPC routes (api-routes.ts) and
// the /sandbox/bluesky/ helpers (admin.ts) read and change it.

export const POST = 'app.bsky.feed.post';
export const THREADGATE = 'app.bsky.feed.threadgate';
export const BLOCK = 'app.bsky.graph.block';
/** the lexicon's maxLength of a threadgate's hiddenReplies */
export const HIDDEN_REPLIES_LIMIT = 300;
/** a post's text: at most 300 graphemes (and 3000 bytes) */
export const POST_MAX_GRAPHEMES = 300;

export interface BskyActor {
  did: string;
  handle: string;
  displayName: string;
  createdAt: Date;
  /** app password name → password */
  appPasswords: Map<string, string>;
  /** the account password (never accepted by Hallmonitor's connect form in the UI copy, but by the PDS) */
  password: string;
}

export interface BskySession {
  did: string;
  appPassword: string | null;
  accessJwt: string;
  refreshJwt: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
  revoked: boolean;
}

export interface StrongRef {
  uri: string;
  cid: string;
}

export interface RepoRecord {
  uri: string;
  cid: string;
  did: string;
  collection: string;
  rkey: string;
  value: Record<string, unknown>;
  indexedAt: Date;
  deleted: boolean;
}

export type NotificationReason = 'reply' | 'mention' | 'quote';

export interface BskyNotification {
  seq: number;
  recipient: string;
  uri: string;
  reason: NotificationReason;
  reasonSubject?: string;
  indexedAt: Date;
  /** a raw notification a test injected as it is (record, author or all of it malformed) */
  raw?: Record<string, unknown>;
}

export interface BskyReport {
  id: number;
  reportedBy: string;
  reasonType: string;
  reason: string | null;
  subject: Record<string, unknown>;
  /** the atproto-proxy header the report was sent with (the moderation service's DID) */
  proxy: string | null;
  createdAt: Date;
}

export interface BlueskyStateOptions {
  now: () => number;
  requestLog: RequestLog;
  /** seconds an access token lives (the PDS: 2 hours) */
  accessTtlSeconds?: number;
  /** seconds a refresh token lives (the PDS: 90 days) */
  refreshTtlSeconds?: number;
  /** the most replies one threadgate can hide (the lexicon's 300); tests set a few */
  hiddenRepliesLimit?: number;
}

export class BlueskyError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

export class BlueskyState {
  readonly actors = new Map<string, BskyActor>();
  readonly handles = new Map<string, string>();
  readonly sessions = new Map<string, BskySession>();
  readonly refreshes = new Map<string, BskySession>();
  readonly records = new Map<string, RepoRecord>();
  readonly notifications: BskyNotification[] = [];
  readonly mutes = new Map<string, Set<string>>();
  readonly reports: BskyReport[] = [];
  readonly requestLog: RequestLog;
  hiddenRepliesLimit: number;
  accessTtlSeconds: number;
  private readonly refreshTtlSeconds: number;
  private readonly now: () => number;
  private seq = 0;
  private lastMicros = 0;

  constructor(options: BlueskyStateOptions) {
    this.now = options.now;
    this.requestLog = options.requestLog;
    this.accessTtlSeconds = options.accessTtlSeconds ?? 2 * 60 * 60;
    this.refreshTtlSeconds = options.refreshTtlSeconds ?? 90 * 24 * 60 * 60;
    this.hiddenRepliesLimit = options.hiddenRepliesLimit ?? HIDDEN_REPLIES_LIMIT;
  }

  // ── actors and sessions ───────────────────────────────────────────────────────────────────

  /** creates the actor (or returns it) and, when asked, an app password for it */
  addActor(input: { handle: string; displayName?: string; appPassword?: string }): {
    actor: BskyActor;
    appPassword: string | null;
  } {
    const handle = normaliseHandle(input.handle);
    if (!/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(handle)) {
      throw new Error(`not a handle: ${input.handle} (a domain name such as oakfield.bsky.social)`);
    }
    let actor = this.actor(handle);
    if (!actor) {
      actor = {
        did: plcDid(handle),
        handle,
        displayName: input.displayName ?? handle.split('.')[0] ?? handle,
        createdAt: new Date(this.now()),
        appPasswords: new Map(),
        password: randomBytes(12).toString('base64url'),
      };
      this.actors.set(actor.did, actor);
      this.handles.set(handle, actor.did);
    } else if (input.displayName !== undefined) {
      actor.displayName = input.displayName;
    }
    const appPassword =
      input.appPassword === undefined ? null : this.addAppPassword(actor, input.appPassword);
    return { actor, appPassword };
  }

  /** `password`: a given one, or '' for a new one shaped as Bluesky shapes them (xxxx-xxxx-xxxx-xxxx) */
  addAppPassword(actor: BskyActor, password: string, name = 'Hallmonitor'): string {
    const chosen =
      password === ''
        ? Array.from({ length: 4 }, () => randomBytes(3).toString('hex').slice(0, 4)).join('-')
        : password;
    let label = name;
    for (let i = 2; actor.appPasswords.has(label); i += 1) label = `${name} ${i}`;
    actor.appPasswords.set(label, chosen);
    return chosen;
  }

  /** the app password is removed and every session signed in with it ends */
  revokeAppPassword(actor: BskyActor, password: string): boolean {
    const entry = [...actor.appPasswords].find(([, p]) => p === password);
    if (!entry) return false;
    actor.appPasswords.delete(entry[0]);
    for (const session of this.sessions.values()) {
      if (session.did === actor.did && session.appPassword === password) session.revoked = true;
    }
    return true;
  }

  actor(ref: string): BskyActor | undefined {
    if (ref.startsWith('did:')) return this.actors.get(ref);
    const did = this.handles.get(normaliseHandle(ref));
    return did === undefined ? undefined : this.actors.get(did);
  }

  requireActor(ref: string): BskyActor {
    const actor = this.actor(ref);
    if (!actor) throw new Error(`no such Bluesky actor: ${ref}`);
    return actor;
  }

  createSession(identifier: string, password: string): BskySession {
    const actor = this.actor(identifier);
    const appPassword = actor ? [...actor.appPasswords.values()].find((p) => p === password) : undefined;
    if (!actor || (appPassword === undefined && password !== actor.password)) {
      throw new BlueskyError(401, 'AuthenticationRequired', 'Invalid identifier or password');
    }
    return this.issue(actor.did, appPassword ?? null);
  }

  private issue(did: string, appPassword: string | null): BskySession {
    const nowSeconds = Math.floor(this.now() / 1000);
    const session: BskySession = {
      did,
      appPassword,
      accessExpiresAt: nowSeconds + this.accessTtlSeconds,
      refreshExpiresAt: nowSeconds + this.refreshTtlSeconds,
      accessJwt: sessionJwt(
        appPassword ? 'com.atproto.appPass' : 'com.atproto.access',
        did,
        nowSeconds + this.accessTtlSeconds,
      ),
      refreshJwt: sessionJwt('com.atproto.refresh', did, nowSeconds + this.refreshTtlSeconds),
      revoked: false,
    };
    this.sessions.set(session.accessJwt, session);
    this.refreshes.set(session.refreshJwt, session);
    return session;
  }

  /** the session's refresh token is used up and a new pair issued */
  refreshSession(refreshJwt: string): BskySession {
    const session = this.refreshes.get(refreshJwt);
    if (!session) throw new BlueskyError(400, 'InvalidToken', 'Token could not be verified');
    if (session.revoked) throw new BlueskyError(400, 'ExpiredToken', 'Token has been revoked');
    if (session.refreshExpiresAt * 1000 <= this.now())
      throw new BlueskyError(400, 'ExpiredToken', 'Token has expired');
    this.refreshes.delete(refreshJwt);
    this.sessions.delete(session.accessJwt);
    return this.issue(session.did, session.appPassword);
  }

  /** the DID behind an access token; a refusal as the PDS words it otherwise */
  authenticate(accessJwt: string | undefined): string {
    if (accessJwt === undefined)
      throw new BlueskyError(401, 'AuthenticationRequired', 'Authentication Required');
    const session = this.sessions.get(accessJwt);
    if (!session) {
      if (this.refreshes.has(accessJwt)) throw new BlueskyError(400, 'InvalidToken', 'Bad token scope');
      throw new BlueskyError(401, 'AuthenticationRequired', 'Token could not be verified');
    }
    if (session.revoked) throw new BlueskyError(400, 'ExpiredToken', 'Token has been revoked');
    if (session.accessExpiresAt * 1000 <= this.now())
      throw new BlueskyError(400, 'ExpiredToken', 'Token has expired');
    return session.did;
  }

  /** every access token of the actor expires now (as after two hours) */
  expireAccessTokens(did: string): number {
    let count = 0;
    for (const session of this.sessions.values()) {
      if (session.did === did) {
        session.accessExpiresAt = Math.floor(this.now() / 1000) - 1;
        count += 1;
      }
    }
    return count;
  }

  /** the DID the token's owner is, without checks (for rate-limit keys and the log) */
  tokenUser(accessJwt: string): string | null {
    const session = this.sessions.get(accessJwt);
    return session ? (this.actors.get(session.did)?.handle ?? null) : null;
  }

  // ── records ─────────────────────────────────────────────────────────────────────────────────

  nextRkey(): string {
    const micros = Math.max(this.now() * 1000, this.lastMicros + 1);
    this.lastMicros = micros;
    return tid(micros, 7);
  }

  record(uri: string): RepoRecord | undefined {
    const record = this.records.get(uri);
    return record && !record.deleted ? record : undefined;
  }

  /** writes a record as the repo's owner; posts give their notifications */
  putRecord(did: string, collection: string, rkey: string, value: Record<string, unknown>): RepoRecord {
    const uri = `at://${did}/${collection}/${rkey}`;
    const previous = this.record(uri);
    const record: RepoRecord = {
      uri,
      cid: cidOf(`${uri} ${JSON.stringify(value)} ${this.seq + 1}`),
      did,
      collection,
      rkey,
      value,
      indexedAt: new Date(this.now()),
      deleted: false,
    };
    this.seq += 1;
    this.records.set(uri, record);
    if (collection === POST && !previous) this.notifyFor(record);
    return record;
  }

  deleteRecord(uri: string): boolean {
    const record = this.record(uri);
    if (!record) return false;
    record.deleted = true;
    return true;
  }

  /** someone posts: a top-level post, a reply (with root and parent) or a quote, naming actors with @ */
  post(input: {
    author: string;
    text: string;
    replyTo?: string;
    quote?: string;
    createdAt?: Date;
  }): RepoRecord {
    const author = this.requireActor(input.author);
    const value: Record<string, unknown> = {
      $type: POST,
      text: input.text,
      createdAt: (input.createdAt ?? new Date(this.now())).toISOString(),
      langs: ['en'],
    };
    if (input.replyTo !== undefined) {
      const parent = this.record(input.replyTo);
      if (!parent || parent.collection !== POST) throw new Error(`no such post: ${input.replyTo}`);
      const parentReply = parent.value.reply as { root: StrongRef } | undefined;
      value.reply = {
        root: parentReply?.root ?? { uri: parent.uri, cid: parent.cid },
        parent: { uri: parent.uri, cid: parent.cid },
      };
    }
    if (input.quote !== undefined) {
      const quoted = this.record(input.quote);
      if (!quoted) throw new Error(`no such post: ${input.quote}`);
      value.embed = { $type: 'app.bsky.embed.record', record: { uri: quoted.uri, cid: quoted.cid } };
    }
    const facets = this.mentionFacets(input.text);
    if (facets.length > 0) value.facets = facets;
    return this.putRecord(author.did, POST, this.nextRkey(), value);
  }

  /** the facets a client adds for each @handle it recognises */
  private mentionFacets(text: string): Record<string, unknown>[] {
    const facets: Record<string, unknown>[] = [];
    for (const match of text.matchAll(/(^|\s)@([a-zA-Z0-9.-]+[a-zA-Z0-9])/g)) {
      const actor = this.actor(match[2] ?? '');
      if (!actor) continue;
      const start = Buffer.byteLength(text.slice(0, (match.index ?? 0) + (match[1] ?? '').length));
      const end = start + Buffer.byteLength(`@${match[2]}`);
      facets.push({
        index: { byteStart: start, byteEnd: end },
        features: [{ $type: 'app.bsky.richtext.facet#mention', did: actor.did }],
      });
    }
    return facets;
  }

  /** what the AppView tells: the parent's and root's authors of a reply, those it mentions, the quoted post's author */
  private notifyFor(record: RepoRecord): void {
    const value = record.value;
    const sent = new Set<string>([record.did]);
    const send = (recipient: string | undefined, reason: NotificationReason, subject?: string) => {
      if (recipient === undefined || sent.has(recipient)) return;
      sent.add(recipient);
      this.addNotification({
        recipient,
        uri: record.uri,
        reason,
        ...(subject ? { reasonSubject: subject } : {}),
      });
    };
    const reply = value.reply as { root?: StrongRef; parent?: StrongRef } | undefined;
    if (reply?.parent) send(didOf(reply.parent.uri), 'reply', reply.parent.uri);
    if (reply?.root) send(didOf(reply.root.uri), 'reply', reply.root.uri);
    for (const facet of (value.facets as { features?: { did?: string }[] }[] | undefined) ?? []) {
      for (const feature of facet.features ?? []) send(feature.did, 'mention');
    }
    const embed = value.embed as { record?: StrongRef } | undefined;
    if (embed?.record?.uri) send(didOf(embed.record.uri), 'quote', embed.record.uri);
  }

  addNotification(
    input: Omit<BskyNotification, 'seq' | 'indexedAt'> & { indexedAt?: Date },
  ): BskyNotification {
    this.seq += 1;
    const notification: BskyNotification = {
      ...input,
      seq: this.seq,
      indexedAt: input.indexedAt ?? new Date(this.now()),
    };
    this.notifications.push(notification);
    return notification;
  }

  /** the recipient's notifications, newest first, from before `beforeSeq`; deleted posts are gone */
  notificationsOf(recipient: string, reasons: readonly string[], beforeSeq: number): BskyNotification[] {
    const out: BskyNotification[] = [];
    for (let i = this.notifications.length - 1; i >= 0; i -= 1) {
      const n = this.notifications[i]!;
      if (n.recipient !== recipient || n.seq >= beforeSeq) continue;
      if (reasons.length > 0 && !reasons.includes(n.reason)) continue;
      if (n.raw === undefined && !this.record(n.uri)) continue;
      out.push(n);
    }
    return out;
  }

  // ── the school's moderation ──────────────────────────────────────────────────────────────────

  threadgateOf(rootUri: string): RepoRecord | undefined {
    const did = didOf(rootUri);
    const rkey = rootUri.split('/').pop() ?? '';
    return this.record(`at://${did}/${THREADGATE}/${rkey}`);
  }

  /** whether the reply is hidden by its thread's root author */
  isHidden(replyUri: string): boolean {
    const reply = this.records.get(replyUri);
    const root = (reply?.value.reply as { root?: StrongRef } | undefined)?.root?.uri;
    if (root === undefined) return false;
    const gate = this.threadgateOf(root);
    return ((gate?.value.hiddenReplies as string[] | undefined) ?? []).includes(replyUri);
  }

  blockOf(did: string, subject: string): RepoRecord | undefined {
    for (const record of this.records.values()) {
      if (
        !record.deleted &&
        record.did === did &&
        record.collection === BLOCK &&
        record.value.subject === subject
      )
        return record;
    }
    return undefined;
  }

  mutesOf(did: string): Set<string> {
    let set = this.mutes.get(did);
    if (!set) {
      set = new Set();
      this.mutes.set(did, set);
    }
    return set;
  }

  addReport(report: Omit<BskyReport, 'id' | 'createdAt'>): BskyReport {
    const created: BskyReport = { ...report, id: this.reports.length + 1, createdAt: new Date(this.now()) };
    this.reports.push(created);
    return created;
  }

  postsBy(did: string): RepoRecord[] {
    return [...this.records.values()].filter((r) => r.did === did && r.collection === POST && !r.deleted);
  }
}

export function didOf(uri: string): string {
  return /^at:\/\/([^/]+)/.exec(uri)?.[1] ?? '';
}

export function normaliseHandle(handle: string): string {
  return handle.trim().replace(/^@/, '').toLowerCase();
}

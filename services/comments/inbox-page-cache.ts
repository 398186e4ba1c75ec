import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import { type PgListener, startPgListener } from '../core/pg-listener.js';

/** The channel db/migrations/0009_inbox_change_notify.sql announces changed schools on. */
export const INBOX_CHANGED_CHANNEL = 'hm_inbox_changed';

export interface InboxPageCacheOptions {
  /** Most pages kept; the oldest goes first. */
  maxEntries?: number;
  /** Most bytes of JSON kept. */
  maxBytes?: number;
  /** A page older than this is read again even if no change was announced (a safety net). */
  maxAgeMs?: number;
  /** How long to wait before replacing a lost LISTEN connection. */
  reconnectMs?: number;
}

interface Entry {
  json: string;
  schools: readonly string[];
  storedAt: number;
}

/** A page being read: stored only if nothing it depends on changed while it was read. */
export interface PendingRead {
  key: string;
  schools: readonly string[];
  epoch: number;
  generations: number[];
}

/**
 * Rendered inbox pages (GET /api/inbox), kept in memory per exact scope and filter, and dropped
 * the moment Postgres announces a change to one of their schools' comments (a statement trigger
 * on comments NOTIFYs the school ids at commit). A page read while a change was announced is not
 * kept, so a page is never older than the last announced change; while the LISTEN connection is
 * down nothing is kept or served, and everything is dropped when it comes back, because Postgres
 * does not replay what was announced in between.
 *
 * Authorisation is not cached: the caller resolves the session and the user's schools on every
 * request, and the key holds those schools, so a page is only ever served to a scope that equals
 * the one it was read for.
 */
export class InboxPageCache {
  readonly #entries = new Map<string, Entry>();
  readonly #keysBySchool = new Map<string, Set<string>>();
  readonly #generation = new Map<string, number>();
  #epoch = 0;
  #bytes = 0;
  #listener: PgListener | null = null;
  #hits = 0;
  #misses = 0;
  #announcements = 0;
  #lastAnnouncement = '';
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #maxAgeMs: number;
  readonly #reconnectMs: number;

  constructor(options: InboxPageCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 2_000;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#maxAgeMs = options.maxAgeMs ?? 60_000;
    this.#reconnectMs = options.reconnectMs ?? 2_000;
  }

  /** Starts listening; until the listener is up the cache keeps nothing. */
  async start(db: Database, logger: Pick<Logger, 'warn'>): Promise<void> {
    this.#listener = await startPgListener({
      db,
      logger,
      channel: INBOX_CHANGED_CHANNEL,
      reconnectMs: this.#reconnectMs,
      onMessage: (payload) => {
        this.#announcements += 1;
        this.#lastAnnouncement = payload;
        this.invalidate(payload === '*' ? null : payload.split(','));
      },
      onListening: () => this.invalidate(null),
      onLost: () => this.invalidate(null),
    });
  }

  async close(): Promise<void> {
    await this.#listener?.close();
    this.#listener = null;
    this.invalidate(null);
  }

  get enabled(): boolean {
    return this.#listener?.listening === true;
  }

  /** Pages kept, their size, lookups answered from memory or not, and changes announced. */
  get stats(): {
    entries: number;
    bytes: number;
    hits: number;
    misses: number;
    announcements: number;
    lastAnnouncement: string;
  } {
    return {
      entries: this.#entries.size,
      bytes: this.#bytes,
      hits: this.#hits,
      misses: this.#misses,
      announcements: this.#announcements,
      lastAnnouncement: this.#lastAnnouncement,
    };
  }

  /** The cached page for this key, or, on a miss, a ticket to store the page once it is read. */
  lookup(key: string, schools: readonly string[]): { json: string } | { pending: PendingRead | null } {
    if (!this.enabled) return { pending: null };
    const entry = this.#entries.get(key);
    if (entry && Date.now() - entry.storedAt <= this.#maxAgeMs) {
      this.#hits += 1;
      return { json: entry.json };
    }
    if (entry) this.#delete(key);
    this.#misses += 1;
    return {
      pending: {
        key,
        schools,
        epoch: this.#epoch,
        generations: schools.map((s) => this.#generation.get(s) ?? 0),
      },
    };
  }

  /** Keeps a page read under `pending`, unless a change to one of its schools came in meanwhile. */
  store(pending: PendingRead, json: string): void {
    if (!this.enabled || pending.epoch !== this.#epoch) return;
    if (pending.schools.some((s, i) => (this.#generation.get(s) ?? 0) !== pending.generations[i])) return;
    if (json.length > this.#maxBytes / 16) return;
    this.#delete(pending.key);
    this.#entries.set(pending.key, { json, schools: pending.schools, storedAt: Date.now() });
    this.#bytes += json.length;
    for (const school of pending.schools) {
      const keys = this.#keysBySchool.get(school) ?? new Set<string>();
      keys.add(pending.key);
      this.#keysBySchool.set(school, keys);
    }
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#delete(oldest);
    }
  }

  /** Drops the pages of these schools (null: every page) and refuses reads already under way. */
  invalidate(schools: readonly string[] | null): void {
    if (schools === null) {
      this.#epoch += 1;
      this.#entries.clear();
      this.#keysBySchool.clear();
      this.#generation.clear();
      this.#bytes = 0;
      return;
    }
    for (const school of schools) {
      this.#generation.set(school, (this.#generation.get(school) ?? 0) + 1);
      const keys = this.#keysBySchool.get(school);
      if (!keys) continue;
      for (const key of [...keys]) this.#delete(key);
    }
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.json.length;
    for (const school of entry.schools) {
      const keys = this.#keysBySchool.get(school);
      keys?.delete(key);
      if (keys?.size === 0) this.#keysBySchool.delete(school);
    }
  }
}

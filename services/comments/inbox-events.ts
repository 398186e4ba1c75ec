import { and, asc, eq, gt, inArray, isNotNull, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { comments, socialAccounts, users } from '../../db/schema/index.js';
import { INBOX_ROW, type InboxItem, inboxItemOf } from './list-inbox.js';

/** How often the hub looks for newly processed comments. */
export const INBOX_POLL_MS = 2_000;
/**
 * A comment's processed_at is stamped inside its transaction, which may commit a little later
 * than a neighbour's; each look reaches back this far and drops what it has already sent.
 */
const OVERLAP_MS = 15_000;
const BATCH = 500;

interface Subscriber {
  schoolIds: ReadonlySet<string> | null;
  since: Date;
  send(item: InboxItem): void;
}

/**
 * New comments for the inbox's server-sent events. One poller per API process, running only while
 * someone listens: every INBOX_POLL_MS it reads the open comments of the listeners' schools that
 * were processed since the last look (served by the (school, status) inbox index) and hands each
 * to the listeners whose schools it belongs to. Postgres is the source: nothing is lost when Redis
 * or a worker restarts, and a reconnecting browser simply gets the rows it has not shown yet.
 */
export class InboxEventHub {
  readonly #subscribers = new Set<Subscriber>();
  readonly #sent = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #cursor = new Date();
  #running: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly intervalMs = INBOX_POLL_MS,
  ) {}

  get listeners(): number {
    return this.#subscribers.size;
  }

  /** Listens for comments of these schools (null: every school) processed from now on. */
  subscribe(schoolIds: readonly string[] | null, send: (item: InboxItem) => void): () => void {
    const subscriber: Subscriber = {
      schoolIds: schoolIds ? new Set(schoolIds) : null,
      since: new Date(Date.now() - OVERLAP_MS),
      send,
    };
    if (this.#subscribers.size === 0) {
      this.#cursor = new Date();
      this.#sent.clear();
      this.#timer = setInterval(() => void this.tick(), this.intervalMs);
      this.#timer.unref();
    }
    this.#subscribers.add(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
      if (this.#subscribers.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = null;
      }
    };
  }

  /** One look at Postgres; exposed so tests need not wait for the timer. */
  async tick(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = this.#poll().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #poll(): Promise<void> {
    if (this.#subscribers.size === 0) return;
    let schools: Set<string> | null = new Set();
    for (const s of this.#subscribers) {
      if (s.schoolIds === null) {
        schools = null;
        break;
      }
      for (const id of s.schoolIds) schools.add(id);
    }
    if (schools && schools.size === 0) return;
    const from = new Date(this.#cursor.getTime() - OVERLAP_MS);
    const where: SQL[] = [
      eq(comments.status, 'open'),
      isNotNull(comments.processedAt),
      gt(comments.processedAt, from),
    ];
    if (schools) where.push(inArray(comments.schoolId, [...schools]));
    const rows = await this.db
      .select({ ...INBOX_ROW, processedAt: comments.processedAt })
      .from(comments)
      .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
      .leftJoin(users, eq(users.id, comments.assigneeId))
      .where(and(...where))
      .orderBy(asc(comments.processedAt))
      .limit(BATCH);
    for (const { processedAt, ...row } of rows) {
      const at = processedAt!.getTime();
      if (at > this.#cursor.getTime()) this.#cursor = processedAt!;
      if (this.#sent.has(row.id)) continue;
      this.#sent.set(row.id, at);
      const item: InboxItem = inboxItemOf(row);
      if (item.redacted) {
        item.text = '';
        item.authorHandle = '';
        item.authorName = '';
      }
      for (const s of this.#subscribers) {
        if (at < s.since.getTime()) continue;
        if (s.schoolIds && !s.schoolIds.has(row.schoolId)) continue;
        s.send(item);
      }
    }
    const forget = this.#cursor.getTime() - 2 * OVERLAP_MS;
    for (const [id, at] of this.#sent) if (at < forget) this.#sent.delete(id);
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#subscribers.clear();
  }
}

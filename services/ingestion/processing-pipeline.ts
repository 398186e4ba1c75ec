import { eq } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import {
  type Comment,
  type School,
  type SocialAccount,
  schools,
  socialAccounts,
} from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';

/** Work to do once the transaction has committed: schedule timers, send notifications. */
export type AfterCommit = () => Promise<unknown>;

/**
 * What the comments of one `process` batch (a poll page) share: they run in one transaction, so a
 * step can look a row up once for the batch and hand its after-commit work over in one go.
 */
export interface ProcessingBatch {
  /** Runs `load` once per batch and key (a school, an account's admins); later calls reuse it. */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
  /**
   * Adds `item` to the batch's list under `key`; after commit `flush` runs once with every item
   * (all deadline timers of a page in one Redis call, say). The first `flush` given for a key wins.
   */
  collectAfterCommit<T>(key: string, item: T, flush: (items: T[]) => Promise<unknown>): void;
}

export interface ProcessingState {
  /** The comment as the earlier steps left it; a step may replace fields it owns. */
  comment: Comment;
  /** Column updates to write when the pipeline finishes (labels, deadline, ...). */
  updates: Partial<Comment>;
  /** This comment's own after-commit work, run in order once the batch has committed. */
  afterCommit: AfterCommit[];
  batch: ProcessingBatch;
}

/**
 * One step of the `process` job: classification, deadline, routing. Steps run in order for each
 * comment of the batch inside one transaction, the batch's rows locked; each writes its own audit
 * entries through `tx` (appended to the chain together when the batch ends).
 */
export interface ProcessingStep {
  name: string;
  run(tx: Transaction, ctx: ServiceContext, state: ProcessingState): Promise<void>;
}

/** A fresh batch: memoised lookups and collected after-commit work. */
export function createProcessingBatch(): ProcessingBatch & { flushAfterCommit(): Promise<void> } {
  const memos = new Map<string, Promise<unknown>>();
  const collected = new Map<string, { items: unknown[]; flush: (items: unknown[]) => Promise<unknown> }>();
  return {
    memo<T>(key: string, load: () => Promise<T>): Promise<T> {
      let value = memos.get(key) as Promise<T> | undefined;
      if (!value) {
        value = load();
        memos.set(key, value);
      }
      return value;
    },
    collectAfterCommit<T>(key: string, item: T, flush: (items: T[]) => Promise<unknown>) {
      const entry = collected.get(key);
      if (entry) entry.items.push(item);
      else collected.set(key, { items: [item], flush: flush as (items: unknown[]) => Promise<unknown> });
    },
    async flushAfterCommit() {
      for (const { items, flush } of collected.values()) await flush(items);
    },
  };
}

/** The comment's account, read once per batch for every step (a poll page shares one account). */
export function batchAccount(tx: Transaction, state: ProcessingState): Promise<SocialAccount | null> {
  const id = state.comment.accountId;
  return state.batch.memo(`account:${id}`, async () => {
    const [row] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, id));
    return row ?? null;
  });
}

/** The comment's school, read once per batch for every step. */
export function batchSchool(tx: Transaction, state: ProcessingState): Promise<School | null> {
  const id = state.comment.schoolId;
  return state.batch.memo(`school:${id}`, async () => {
    const [row] = await tx.select().from(schools).where(eq(schools.id, id));
    return row ?? null;
  });
}

import type { Transaction } from '../../db/client.js';
import type { Comment } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';

/** Work to do once the transaction has committed: schedule timers, send notifications. */
export type AfterCommit = () => Promise<unknown>;

export interface ProcessingState {
  /** The comment as the earlier steps left it; a step may replace fields it owns. */
  comment: Comment;
  /** Column updates to write when the pipeline finishes (labels, deadline, ...). */
  updates: Partial<Comment>;
  afterCommit: AfterCommit[];
}

/**
 * One step of the `process` job: classification, deadline, routing. Steps run in order inside one
 * transaction with the comment row locked; each writes its own audit entries through `tx`.
 */
export interface ProcessingStep {
  name: string;
  run(tx: Transaction, ctx: ServiceContext, state: ProcessingState): Promise<void>;
}

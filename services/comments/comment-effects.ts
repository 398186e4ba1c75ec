import type { Queues } from '../../workers/queues.js';
import { assertQueueReachable } from '../core/queue-reachable.js';
import { type DeadlineTimers, queueDeadlineTimers } from '../deadlines/deadline-timers.js';

/** What triage verbs do after commit: stop a resolved comment's timers, send a queued reply. */
export interface CommentEffects {
  timers: DeadlineTimers;
  sendReply(responseId: string): Promise<void>;
  /** Throws UPSTREAM_UNAVAILABLE (503) when the queue is down; called before anything is saved. */
  assertQueueReachable?(doing: string): Promise<void>;
}

export function queueCommentEffects(
  queues: Pick<Queues, 'add' | 'deadlines'> & Partial<Pick<Queues, 'ping'>>,
): CommentEffects {
  const ping = queues.ping;
  return {
    timers: queueDeadlineTimers(queues),
    sendReply: (responseId) => queues.add('send-reply', { responseId }),
    ...(ping ? { assertQueueReachable: (doing: string) => assertQueueReachable({ ping }, doing) } : {}),
  };
}

import type { Queues } from '../../workers/queues.js';
import { type DeadlineTimers, queueDeadlineTimers } from '../deadlines/deadline-timers.js';

/** What triage verbs do after commit: stop a resolved comment's timers, send a queued reply. */
export interface CommentEffects {
  timers: DeadlineTimers;
  sendReply(responseId: string): Promise<void>;
}

export function queueCommentEffects(queues: Pick<Queues, 'add' | 'deadlines'>): CommentEffects {
  return {
    timers: queueDeadlineTimers(queues),
    sendReply: (responseId) => queues.add('send-reply', { responseId }),
  };
}

import { sendReply } from '../../services/comments/send-reply.js';
import { systemContext } from '../../services/core/service-context.js';
import { queueDeadlineTimers } from '../../services/deadlines/deadline-timers.js';
import type { AdapterFactory } from '../../services/platforms/adapter-factory.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

export const sendReplyProcessor = (deps: WorkerDeps, adapterFor: AdapterFactory) =>
  handle('send-reply', async (data, job) =>
    sendReply(systemContext(deps.db, 'reply sender', job.jobId), data, {
      encryptionKey: deps.config.encryptionKey,
      adapterFor,
      timers: queueDeadlineTimers(deps.queues),
    }),
  );

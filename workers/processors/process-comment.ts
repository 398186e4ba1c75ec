import { systemContext } from '../../services/core/service-context.js';
import { processComments } from '../../services/ingestion/process-comment.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

/** One job per poll page (or relay chunk): the whole batch in one transaction, each comment once. */
export const processCommentProcessor = (deps: WorkerDeps) =>
  handle('process-comments', async (data, job) =>
    processComments(systemContext(deps.db, 'processing', job.jobId), data, deps.processingSteps),
  );

import { systemContext } from '../../services/core/service-context.js';
import { processComment } from '../../services/ingestion/process-comment.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

export const processCommentProcessor = (deps: WorkerDeps) =>
  handle('process-comment', async (data, job) =>
    processComment(systemContext(deps.db, 'processing', job.jobId), data, deps.processingSteps),
  );

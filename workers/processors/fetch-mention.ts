import { systemContext } from '../../services/core/service-context.js';
import { enqueueProcessBatches } from '../../services/ingestion/enqueue-process-batches.js';
import { ingestMention } from '../../services/ingestion/ingest-mention.js';
import type { AdapterFactory } from '../../services/platforms/adapter-factory.js';
import { handle } from '../job-registry.js';
import type { WorkerDeps } from '../worker-deps.js';

export const fetchMentionProcessor = (deps: WorkerDeps, adapterFor: AdapterFactory) =>
  handle('fetch-mention', async (data, job) =>
    ingestMention(systemContext(deps.db, 'mention reader', job.jobId), data, {
      encryptionKey: deps.config.encryptionKey,
      adapterFor,
      onInserted: (ids) => enqueueProcessBatches(deps, ids),
    }),
  );

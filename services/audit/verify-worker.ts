import { parentPort, workerData } from 'node:worker_threads';
import { closeDatabase, createDatabase } from '../../db/client.js';
import { type SignedHashes, verifySegment } from './verify-audit.js';

/** One segment of a parallel verification (see verifyAudit): its own connection, its own hashing. */
const data = workerData as { url: string; from: number; to: number; batchSize: number; signed: SignedHashes };
const db = createDatabase({ url: data.url, max: 2, applicationName: 'hallmonitor-audit-verify' });
try {
  const result = await verifySegment(db, data.from, data.to, data.batchSize, data.signed, (checked) =>
    parentPort?.postMessage({ progress: checked }),
  );
  parentPort?.postMessage({ result });
} catch (error) {
  parentPort?.postMessage({ error: (error as Error).message });
} finally {
  await closeDatabase(db);
}

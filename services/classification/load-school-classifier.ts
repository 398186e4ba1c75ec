import { loadConfigOrExit } from '../../config/load-config.js';
import { closeDatabase, createDatabase } from '../../db/client.js';
import { SchoolClassifierCache } from './school-classifier-cache.js';
import type { Classifier } from './types.js';

/**
 * For the command line: a school's classifier (shipped lexicons, its own terms and allow-list, its
 * pupil roster) read once from the database named by the configuration, which is then closed.
 */
export async function loadSchoolClassifier(schoolId: string): Promise<Classifier> {
  if (!/^[0-9a-f-]{36}$/i.test(schoolId))
    throw new Error(`--school must be a school id (a UUID), not "${schoolId}"`);
  const config = loadConfigOrExit();
  const db = createDatabase({ url: config.databaseUrl, max: 1 });
  try {
    return await new SchoolClassifierCache(config.encryptionKey).forSchool(db, schoolId);
  } finally {
    await closeDatabase(db);
  }
}

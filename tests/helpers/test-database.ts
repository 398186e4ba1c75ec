import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { closeDatabase, createDatabase, type Database } from '../../db/client.js';
import { adminUrl, databaseUrl } from './test-database-url.js';

export interface TestDatabase {
  name: string;
  url: string;
  db: Database;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of this test file's own, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDatabase');
  const name = `hm_test_${randomBytes(5).toString('hex')}`;
  // Cloning needs the template to have no other connections; clones started together can race.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin((c) => c.query(`create database ${name} template ${template}`));
      break;
    } catch (error) {
      if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
    }
  }
  const url = databaseUrl(name);
  const db = createDatabase({ url, max: 10, applicationName: 'hallmonitor-test' });
  return {
    name,
    url,
    db,
    async drop() {
      await closeDatabase(db);
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

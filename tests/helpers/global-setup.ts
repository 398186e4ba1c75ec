import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { closeDatabase, createDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { adminUrl, databaseUrl } from './test-database-url.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/**
 * Migrates a template database once per run; every test file clones its own from it (a clone is a
 * file copy, far faster than migrating), so files run in parallel without sharing rows.
 */
export default async function setup(project: TestProject) {
  const template = `hm_tpl_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`create database ${template}`);
  const db = createDatabase({ url: databaseUrl(template), max: 1 });
  try {
    await migrateDatabase(db);
  } finally {
    await closeDatabase(db);
  }
  await admin.end();
  project.provide('templateDatabase', template);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl() });
    await client.connect();
    await client.query(`drop database if exists ${template} with (force)`);
    await client.end();
  };
}

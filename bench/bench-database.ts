import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { closeDatabase, createDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function urlFor(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor('postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A freshly migrated database of the benchmark's own, dropped by `drop()`. */
export async function createBenchDatabase(
  poolSize = 20,
): Promise<{ db: Database; url: string; drop(): Promise<void> }> {
  const name = `hm_bench_${randomBytes(4).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = urlFor(name);
  const db = createDatabase({ url, max: poolSize, applicationName: 'hallmonitor-bench' });
  await migrateDatabase(db);
  return {
    db,
    url,
    async drop() {
      await closeDatabase(db);
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

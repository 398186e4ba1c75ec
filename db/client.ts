import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle, type NodePgDatabase, type NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Database = NodePgDatabase<Schema> & { $client: pg.Pool };
export type Transaction = PgTransaction<NodePgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything a query can run on: the pool or an open transaction. */
export type Queryable = Database | Transaction;

export interface DatabaseOptions {
  url: string;
  max?: number;
  applicationName?: string;
}

export function createDatabase({
  url,
  max = 10,
  applicationName = 'hallmonitor',
}: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // TCP keepalive: a connection that dies silently (a network partition, a failover without a
    // reset) is noticed within about a minute, including the inbox cache's LISTEN connection.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client that loses its connection (Postgres restarted) must not crash the process;
  // the pool discards it and the next query gets a fresh one.
  pool.on('error', () => {});
  // A checked-out client (mid-transaction, or between a transaction's statements) that loses its
  // connection emits 'error' with no pool listener attached, which would crash the process; its
  // pending and next queries fail instead, and the pool discards it when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => {});
    releaseWhenBeginFails(client);
  });
  return drizzle(pool, { schema, casing: 'snake_case' }) as Database;
}

/**
 * drizzle's pool transaction takes a client and runs `begin` before its try/finally, so a `begin`
 * that fails (the connection was cut: a Postgres restart, pg_terminate_backend) never gives the
 * client back, and a few of those exhaust the pool and hang the process. Nothing else runs a bare
 * `begin` on a pooled client, so when one fails the client is released here, as broken.
 */
function releaseWhenBeginFails(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const first = args[0] as string | { text?: string } | undefined;
    const text = typeof first === 'string' ? first : first?.text;
    const result = query(...args);
    if (text?.trimStart().toLowerCase().startsWith('begin') && result instanceof Promise) {
      return result.catch((error: unknown) => {
        (client as pg.PoolClient & { release?: (err?: Error | boolean) => void }).release?.(
          error instanceof Error ? error : true,
        );
        throw error;
      });
    }
    return result;
  };
}

export async function closeDatabase(db: Database): Promise<void> {
  await db.$client.end();
}

/** Where the URL points, without the password, for messages that name what is down. */
export function describeDatabaseUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

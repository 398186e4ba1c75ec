import { describeDatabaseUrl } from './client.js';

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { code?: string }[] };
  return e.code ?? e.errors?.[0]?.code ?? e.message ?? String(error);
}

/** One line naming what is down, where, and how to start it: never a bare stack trace. */
export function postgresDownMessage(url: string, error: unknown): string {
  return (
    `PostgreSQL is not reachable at ${describeDatabaseUrl(url)} (${reason(error)}). ` +
    'Start it with `docker compose up -d postgres` or your system service ' +
    '(e.g. `pg_ctlcluster 16 main start`), or set DATABASE_URL.'
  );
}

export function redisDownMessage(url: string, error: unknown): string {
  const u = new URL(url);
  return (
    `Redis is not reachable at ${u.hostname}:${u.port || '6379'} (${reason(error)}). ` +
    'Start it with `docker compose up -d redis` or `redis-server --daemonize yes`, or set REDIS_URL.'
  );
}

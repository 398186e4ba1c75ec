import type pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';

export interface PgListener {
  /** True while the connection is up and LISTENing. */
  readonly listening: boolean;
  close(): Promise<void>;
}

export interface PgListenerOptions {
  db: Database;
  logger: Pick<Logger, 'warn'>;
  /** A fixed channel name (an identifier, never user input). */
  channel: string;
  onMessage: (payload: string) => void;
  /** Called once LISTEN succeeded, including after a reconnect. */
  onListening?: () => void;
  /** Called when the connection is lost: messages sent from now until onListening are missed. */
  onLost?: () => void;
  reconnectMs?: number;
}

/**
 * Holds one pooled connection LISTENing on a channel and hands each payload to `onMessage`. A
 * dropped connection is replaced after `reconnectMs`; the owner learns of the gap through
 * `onLost` and `onListening`, since Postgres does not replay what was sent in between.
 */
export async function startPgListener(options: PgListenerOptions): Promise<PgListener> {
  const { db, logger, channel } = options;
  let client: pg.PoolClient | null = null;
  let listening = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const retryLater = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, options.reconnectMs ?? 5_000);
    timer.unref();
  };
  const drop = (c: pg.PoolClient) => {
    if (client !== c) return;
    client = null;
    if (listening) {
      listening = false;
      options.onLost?.();
    }
    c.removeAllListeners('notification');
    c.release(true);
    retryLater();
  };
  async function connect(): Promise<void> {
    if (closed) return;
    let c: pg.PoolClient | undefined;
    try {
      c = await db.$client.connect();
      if (closed) {
        c.release();
        return;
      }
      const mine = c;
      client = mine;
      mine.on('error', (error) => {
        logger.warn({ err: { message: error.message }, channel }, 'listener lost its connection');
        drop(mine);
      });
      mine.on('end', () => drop(mine));
      mine.on('notification', (message) => {
        if (message.channel === channel && message.payload) options.onMessage(message.payload);
      });
      await mine.query(`listen ${channel}`);
      if (client === mine && !closed) {
        listening = true;
        options.onListening?.();
      }
    } catch (error) {
      logger.warn({ err: { message: (error as Error).message }, channel }, 'listener could not connect');
      if (c) drop(c);
      else retryLater();
    }
  }
  await connect();
  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      listening = false;
      if (!c) return;
      c.removeAllListeners('notification');
      try {
        await c.query(`unlisten ${channel}`);
        c.release();
      } catch {
        c.release(true);
      }
    },
  };
}

import type { Transaction } from '../../db/client.js';
import type { ServiceContext } from './service-context.js';
import { withTransaction } from './with-transaction.js';

/**
 * Whether Postgres went away under a statement: the server ended the session (an administrator,
 * a restart, a failover) or the socket dropped. Looks through `cause`, since drizzle wraps
 * driver errors.
 */
export function isConnectionLoss(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (code === '57P01' || code === '57P02' || code === '57P03' || code.startsWith('08')) return true;
      if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code)) return true;
    }
    if (
      typeof message === 'string' &&
      /Connection terminated|terminating connection|connection error|Connection ended/i.test(message)
    )
      return true;
  }
  return false;
}

/**
 * Runs `fn` again when it failed because the connection was lost, up to `attempts` times with a
 * growing pause. For recording what already happened elsewhere (a platform call that succeeded):
 * a lost connection must not send the job back to repeat the call. `fn` must be safe to run twice
 * (its transaction either committed or did not; a conditional update finds the work done).
 */
export async function retryOnConnectionLoss<T>(
  fn: () => Promise<T>,
  options: { attempts?: number; delayMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const delayMs = options.delayMs ?? 200;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isConnectionLoss(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
    }
  }
}

/**
 * Records, in a transaction of its own, what already happened elsewhere (a platform call that
 * succeeded), retrying the transaction on a lost connection. Inside a caller's transaction there
 * is nothing to retry from here: a lost connection is the caller's to handle.
 */
export function recordAfterExternalCall<T>(
  ctx: ServiceContext,
  fn: (tx: Transaction, ctx: ServiceContext & { tx: Transaction }) => Promise<T>,
): Promise<T> {
  return retryOnConnectionLoss(() => withTransaction(ctx, fn), { attempts: ctx.tx ? 1 : 5 });
}

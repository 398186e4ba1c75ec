import type { Transaction } from '../../db/client.js';
import type { ServiceContext } from './service-context.js';

/**
 * Runs `fn` in a transaction, reusing the caller's when there is one, so a verb that calls another
 * verb commits or rolls back as one unit.
 */
export async function withTransaction<T>(
  ctx: ServiceContext,
  fn: (tx: Transaction, ctx: ServiceContext & { tx: Transaction }) => Promise<T>,
): Promise<T> {
  if (ctx.tx) return fn(ctx.tx, ctx as ServiceContext & { tx: Transaction });
  return ctx.db.transaction((tx) => fn(tx, { ...ctx, tx }));
}

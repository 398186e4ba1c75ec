import type { Database, Queryable, Transaction } from '../../db/client.js';
import type { Actor } from './actor.js';
import type { Principal } from './principal.js';

/**
 * Everything a verb needs to know about its caller. `schoolIds` is the scope: every query a verb
 * runs on behalf of a user is limited to these schools. `null` means unscoped (system jobs).
 */
export interface ServiceContext {
  readonly actor: Actor;
  readonly schoolIds: readonly string[] | null;
  readonly requestId?: string;
  /** The signed-in person, for verbs that check roles; absent for system actors. */
  readonly principal?: Principal;
  readonly db: Database;
  /** Set inside withTransaction; verbs called from a verb share their caller's transaction. */
  readonly tx?: Transaction;
}

export function queryable(ctx: ServiceContext): Queryable {
  return ctx.tx ?? ctx.db;
}

export function inScope(ctx: ServiceContext, schoolId: string): boolean {
  return ctx.schoolIds === null || ctx.schoolIds.includes(schoolId);
}

export function systemContext(db: Database, label: string, requestId?: string): ServiceContext {
  return {
    actor: { type: 'system', id: null, label },
    schoolIds: null,
    db,
    ...(requestId ? { requestId } : {}),
  };
}

import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { type SavedReply, savedReplies } from '../../db/schema/index.js';
import { inScope, type ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';

/** A saved reply of one of the caller's schools, locked for change; another school's is NOT_FOUND. */
export async function loadSavedReply(ctx: ServiceContext, db: Queryable, id: string): Promise<SavedReply> {
  const [row] = await db.select().from(savedReplies).where(eq(savedReplies.id, id)).for('update');
  if (!row || !inScope(ctx, row.schoolId)) throw notFound('That saved reply');
  return row;
}

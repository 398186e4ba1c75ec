import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { savedReplies } from '../../db/schema/index.js';
import { assertInScope } from '../core/authorization.js';
import { inScope, queryable, type ServiceContext } from '../core/service-context.js';
import { MAX_SAVED_REPLIES, type SavedReplyView } from './saved-reply-rules.js';

/** A school's saved replies, by title: anyone at the school may read them (the composer lists them). */
export async function listSavedReplies(ctx: ServiceContext, schoolId: string): Promise<SavedReplyView[]> {
  assertInScope(ctx, schoolId, 'That school');
  return queryable(ctx)
    .select({
      id: savedReplies.id,
      schoolId: savedReplies.schoolId,
      title: savedReplies.title,
      body: savedReplies.body,
      updatedAt: savedReplies.updatedAt,
    })
    .from(savedReplies)
    .where(eq(savedReplies.schoolId, schoolId))
    .orderBy(asc(savedReplies.title), asc(savedReplies.id))
    .limit(MAX_SAVED_REPLIES);
}

/** One saved reply's text, if it is one of the caller's schools' (else null: the composer ignores it). */
export async function savedReplyText(ctx: ServiceContext, id: string): Promise<string | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const [row] = await queryable(ctx)
    .select({ schoolId: savedReplies.schoolId, body: savedReplies.body })
    .from(savedReplies)
    .where(eq(savedReplies.id, id));
  return row && inScope(ctx, row.schoolId) ? row.body : null;
}

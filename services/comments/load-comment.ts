import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { type Comment, comments } from '../../db/schema/index.js';
import { assertInScope } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';

/** A comment the caller may see; another school's answers NOT_FOUND. `forUpdate` locks the row. */
export async function loadComment(
  ctx: ServiceContext,
  db: Queryable,
  commentId: string,
  options: { forUpdate?: boolean } = {},
): Promise<Comment> {
  const query = db.select().from(comments).where(eq(comments.id, commentId));
  const [comment] = options.forUpdate ? await query.for('update') : await query;
  if (!comment) throw notFound('That comment');
  assertInScope(ctx, comment.schoolId, 'That comment');
  return comment;
}

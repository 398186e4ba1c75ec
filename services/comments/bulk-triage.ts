import { inArray } from 'drizzle-orm';
import { z } from 'zod';
import { comments } from '../../db/schema/index.js';
import { inScope, queryable, type ServiceContext } from '../core/service-context.js';
import { invalidInputFrom, notFound, ServiceError } from '../core/service-error.js';
import { assignComment } from './assign-comment.js';
import { type RespondEffects, respond } from './respond.js';

/** Most comments one bulk action covers (a page of the inbox at its largest). */
export const MAX_BULK = 200;

const commentIds = z.union([z.uuid(), z.array(z.uuid()).min(1).max(MAX_BULK)]);

export const bulkAssignInputSchema = z.object({
  commentIds,
  /** A person's id, or '' / null to clear the assignment. */
  assigneeId: z.union([z.uuid(), z.literal(''), z.null()]),
});

export const bulkCloseInputSchema = z.object({
  commentIds,
  reason: z.string().trim().min(1, 'say why no response is needed').max(2_000),
});

export interface BulkResult {
  commentId: string;
  ok: boolean;
  message?: string;
}

/**
 * The distinct ids, every one a comment the caller may see: one that is not (missing, or another
 * school's) refuses the whole request before anything changes, so a forged id list does nothing.
 */
async function visibleIds(ctx: ServiceContext, raw: string | string[]): Promise<string[]> {
  const ids = [...new Set(Array.isArray(raw) ? raw : [raw])];
  const rows = await queryable(ctx)
    .select({ id: comments.id, schoolId: comments.schoolId })
    .from(comments)
    .where(inArray(comments.id, ids));
  const seen = new Set(rows.filter((r) => inScope(ctx, r.schoolId)).map((r) => r.id));
  const missing = ids.filter((id) => !seen.has(id)).length;
  if (missing > 0)
    throw notFound(missing === 1 ? 'One of the selected comments' : `${missing} of the selected comments`);
  return ids;
}

/**
 * Runs one verb per comment; a refusal (no role on that account, already closed) is that
 * comment's result. When the caller may act on none of them, the request is refused (403).
 */
async function each(ids: string[], run: (id: string) => Promise<unknown>): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  const refusals: ServiceError[] = [];
  for (const commentId of ids) {
    try {
      await run(commentId);
      results.push({ commentId, ok: true });
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      if (error.code === 'FORBIDDEN') refusals.push(error);
      results.push({ commentId, ok: false, message: error.message });
    }
  }
  if (refusals.length === ids.length) throw refusals[0]!;
  return results;
}

function parse<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  return parsed.data;
}

/** Assigns (or unassigns) several comments; each is its own audited assignment (assign-comment). */
export async function bulkAssign(ctx: ServiceContext, raw: unknown): Promise<{ results: BulkResult[] }> {
  const input = parse(bulkAssignInputSchema, raw);
  const ids = await visibleIds(ctx, input.commentIds);
  const assigneeId = input.assigneeId || null;
  return { results: await each(ids, (id) => assignComment(ctx, id, { assigneeId })) };
}

/**
 * Closes several comments as needing no response, with one reason; each is its own audited
 * response (respond, kind no_response_needed), which meets its deadline.
 */
export async function bulkClose(
  ctx: ServiceContext,
  raw: unknown,
  effects: RespondEffects,
): Promise<{ results: BulkResult[] }> {
  const input = parse(bulkCloseInputSchema, raw);
  const ids = await visibleIds(ctx, input.commentIds);
  return {
    results: await each(ids, (id) =>
      respond(ctx, id, { kind: 'no_response_needed', reason: input.reason }, effects),
    ),
  };
}

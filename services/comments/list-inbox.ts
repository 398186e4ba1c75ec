import { and, asc, eq, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { comments, socialAccounts } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { invalidInput } from '../core/service-error.js';

export const inboxFilterSchema = z.object({
  status: z.enum(['open', 'responded', 'closed', 'all']).default('open'),
  accountId: z.uuid().optional(),
  category: z
    .enum(['offensive', 'safeguarding', 'personal_data', 'media_enquiry', 'complaint', 'spam'])
    .optional(),
  assignee: z.union([z.uuid(), z.literal('me'), z.literal('none')]).optional(),
  /** Keyset cursor: the last row's `deadlineAt|id` from the previous page. */
  after: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type InboxFilter = z.input<typeof inboxFilterSchema>;

export interface InboxItem {
  id: string;
  schoolId: string;
  accountId: string;
  accountHandle: string;
  authorHandle: string;
  authorName: string;
  text: string;
  url: string | null;
  postedAt: Date;
  status: string;
  deadlineAt: Date | null;
  breachedAt: Date | null;
  labels: { category: string; subcategory: string; severity: string; spans: [number, number][] }[];
  assigneeId: string | null;
  redacted: boolean;
}

const FAR_FUTURE = new Date('9999-12-31T00:00:00Z');

/**
 * The inbox: comments of the user's schools, soonest deadline first, a page at a time by keyset
 * (deadline, id), served by the (school, status, deadline) index.
 */
export async function listInbox(ctx: ServiceContext, input: InboxFilter) {
  const filter = inboxFilterSchema.parse(input);
  const where: SQL[] = [];
  if (ctx.schoolIds !== null) {
    if (ctx.schoolIds.length === 0) return { items: [] as InboxItem[], next: null };
    where.push(inArray(comments.schoolId, [...ctx.schoolIds]));
  }
  if (filter.status !== 'all') where.push(eq(comments.status, filter.status));
  if (filter.accountId) where.push(eq(comments.accountId, filter.accountId));
  if (filter.category) where.push(sql`${filter.category} = any(${comments.categories})`);
  if (filter.assignee === 'none') where.push(isNull(comments.assigneeId));
  else if (filter.assignee === 'me' && ctx.actor.type === 'user')
    where.push(eq(comments.assigneeId, ctx.actor.id));
  else if (filter.assignee && filter.assignee !== 'me') where.push(eq(comments.assigneeId, filter.assignee));
  const deadline = sql`coalesce(${comments.deadlineAt}, ${FAR_FUTURE.toISOString()}::timestamptz)`;
  if (filter.after) {
    const [at, id] = filter.after.split('|');
    const when = new Date(at ?? '');
    if (!id || Number.isNaN(when.getTime()))
      throw invalidInput('after must be the cursor from the previous page');
    where.push(or(gt(deadline, when), and(eq(deadline, when), gt(comments.id, id)))!);
  }
  const rows = await queryable(ctx)
    .select({
      id: comments.id,
      schoolId: comments.schoolId,
      accountId: comments.accountId,
      accountHandle: socialAccounts.handle,
      authorHandle: comments.authorHandle,
      authorName: comments.authorName,
      text: comments.text,
      url: comments.url,
      postedAt: comments.postedAt,
      status: comments.status,
      deadlineAt: comments.deadlineAt,
      breachedAt: comments.breachedAt,
      labels: comments.labels,
      assigneeId: comments.assigneeId,
      redactedAt: comments.redactedAt,
    })
    .from(comments)
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .where(and(...where))
    .orderBy(asc(deadline), asc(comments.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  const items: InboxItem[] = page.map(({ redactedAt, ...r }) => ({ ...r, redacted: redactedAt !== null }));
  return {
    items,
    next:
      rows.length > filter.limit && last
        ? `${(last.deadlineAt ?? FAR_FUTURE).toISOString()}|${last.id}`
        : null,
  };
}

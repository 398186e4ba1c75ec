import { createHash } from 'node:crypto';
import { and, eq, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, PgDialect } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { comments, socialAccounts } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { invalidInput } from '../core/service-error.js';
import { isStorableDate } from '../core/storable-date.js';
import type { InboxPageCache, PendingRead } from './inbox-page-cache.js';

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

/** What GET /api/inbox answers: InboxItems as JSON, dates as ISO 8601 strings, no other field. */
export const inboxItemSchema = z.object({
  id: z.string(),
  schoolId: z.string(),
  accountId: z.string(),
  accountHandle: z.string(),
  authorHandle: z.string(),
  authorName: z.string(),
  text: z.string(),
  url: z.string().nullable(),
  postedAt: z.date(),
  status: z.string(),
  deadlineAt: z.date().nullable(),
  breachedAt: z.date().nullable(),
  labels: z.array(
    z.object({
      category: z.string(),
      subcategory: z.string(),
      severity: z.string(),
      spans: z.array(z.tuple([z.number(), z.number()])),
    }),
  ),
  assigneeId: z.string().nullable(),
  redacted: z.boolean(),
});
export const inboxPageSchema = z.object({ items: z.array(inboxItemSchema), next: z.string().nullable() });

const FAR_FUTURE = new Date('9999-12-31T00:00:00Z');

/** The conditions of one inbox page; null when the user has no school (an empty inbox). */
/** The id half of a cursor: anything else would reach Postgres as a uuid and fail there. */
const cursorId = z.uuid();

function inboxWhere(ctx: ServiceContext, filter: z.output<typeof inboxFilterSchema>): SQL[] | null {
  const where: SQL[] = [];
  if (ctx.schoolIds !== null) {
    if (ctx.schoolIds.length === 0) return null;
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
    if (!id || !cursorId.safeParse(id).success || Number.isNaN(when.getTime()) || !isStorableDate(when))
      throw invalidInput('after must be the cursor from the previous page');
    where.push(or(gt(deadline, when), and(eq(deadline, when), gt(comments.id, id)))!);
  }
  return where;
}

// Same order as coalesce(deadline, far future), id, but written so the (school, status, deadline)
// index serves it: an index scan in deadline order, ties by id, stopping at the limit, instead of
// sorting every open comment of the school on each request.
const INBOX_ORDER = sql`${comments.deadlineAt} asc nulls last, ${comments.id} asc`;

/**
 * The columns an InboxItem is made from (with `redactedAt` for its `redacted`), over comments
 * joined to their account; also read by the live inbox (inbox-events.ts).
 */
export const INBOX_ROW = {
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
};

/**
 * The inbox: comments of the user's schools, soonest deadline first, a page at a time by keyset
 * (deadline, id), served by the (school, status, deadline) index.
 */
export async function listInbox(ctx: ServiceContext, input: InboxFilter) {
  const filter = inboxFilterSchema.parse(input);
  const where = inboxWhere(ctx, filter);
  if (!where) return { items: [] as InboxItem[], next: null };
  const rows = await queryable(ctx)
    .select(INBOX_ROW)
    .from(comments)
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .where(and(...where))
    .orderBy(INBOX_ORDER)
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

/** A timestamp as JavaScript's toISOString writes it (UTC, milliseconds, `Z`); null stays null. */
const iso = (column: AnyPgColumn) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One InboxItem as compact JSON, built by Postgres with exactly inboxItemSchema's fields in its
 * order, and labels without their `source` (most comments have none, so the CASE skips the
 * subquery); tests/integration/web/inbox.test.ts holds it to the schema and to listInbox.
 */
const ITEM_JSON = sql`(select row_to_json(i) from (select ${comments.id} as "id",
  ${comments.schoolId} as "schoolId", ${comments.accountId} as "accountId",
  ${socialAccounts.handle} as "accountHandle", ${comments.authorHandle} as "authorHandle",
  ${comments.authorName} as "authorName", ${comments.text} as "text", ${comments.url} as "url",
  ${iso(comments.postedAt)} as "postedAt", ${comments.status} as "status",
  ${iso(comments.deadlineAt)} as "deadlineAt", ${iso(comments.breachedAt)} as "breachedAt",
  case when ${comments.labels} = '[]'::jsonb then '[]'::json else (
    select json_agg(json_build_object('category', l.v->'category', 'subcategory', l.v->'subcategory',
      'severity', l.v->'severity', 'spans', l.v->'spans') order by l.n)
    from jsonb_array_elements(${comments.labels}) with ordinality l(v, n)) end as "labels",
  ${comments.assigneeId} as "assigneeId", ${comments.redactedAt} is not null as "redacted") i)`;

const dialect = new PgDialect();

/**
 * The same page as listInbox, as the JSON GET /api/inbox answers, rendered by Postgres: the API's
 * hot path (bench/inbox.ts) then neither decodes fifty rows into objects nor serialises them.
 * Same conditions, order and cursor as listInbox; the page comes back as one row (the items'
 * JSON array, how many rows matched up to limit + 1, and the last item's cursor). On the pool it
 * runs as a named prepared statement (one per query shape and connection), so Postgres parses
 * and plans it once per connection rather than on every request. With a cache (the API passes
 * its InboxPageCache), a page already read for the same scope and filter, with no change to those
 * schools' comments announced since, is answered from memory.
 */
export async function listInboxJson(
  ctx: ServiceContext,
  input: InboxFilter,
  cache?: InboxPageCache,
): Promise<string> {
  const filter = inboxFilterSchema.parse(input);
  const where = inboxWhere(ctx, filter);
  if (!where) return '{"items":[],"next":null}';
  const db = queryable(ctx);
  // Only reads outside a transaction are cached: inside one, the caller may see its own writes.
  let pending: PendingRead | null = null;
  if (cache && ctx.schoolIds !== null && '$client' in db) {
    const schools = [...ctx.schoolIds].sort();
    const assignee = filter.assignee === 'me' ? `me:${ctx.actor.id}` : (filter.assignee ?? '');
    const key = JSON.stringify([
      schools,
      filter.status,
      filter.accountId ?? '',
      filter.category ?? '',
      assignee,
      filter.after ?? '',
      filter.limit,
    ]);
    const found = cache.lookup(key, schools);
    if ('json' in found) return found.json;
    pending = found.pending;
  }
  const query = sql`select coalesce(json_agg(p.item order by p.n) filter (where p.n <= ${filter.limit}), '[]')::text as items,
      count(*)::int as fetched, min(p.cursor) filter (where p.n = ${filter.limit}) as cursor
    from (select q.*, row_number() over (order by q.deadline_at asc nulls last, q.id) as n from (
      select ${comments.id} as id, ${comments.deadlineAt} as deadline_at,
        coalesce(${iso(comments.deadlineAt)}, ${FAR_FUTURE.toISOString()}) || '|' || ${comments.id} as cursor,
        ${ITEM_JSON} as item
      from ${comments} inner join ${socialAccounts} on ${socialAccounts.id} = ${comments.accountId}
      where ${and(...where)} order by ${INBOX_ORDER} limit ${filter.limit + 1}) q) p`;
  type Row = { items: string; fetched: number; cursor: string | null };
  let row: Row | undefined;
  if ('$client' in db) {
    const { sql: text, params } = dialect.sqlToQuery(query);
    const name = `hm_inbox_${createHash('sha1').update(text).digest('base64url').slice(0, 16)}`;
    [row] = (await db.$client.query<Row>({ name, text, values: params })).rows;
  } else {
    [row] = (await db.execute(query)).rows as Row[];
  }
  const next = row && row.fetched > filter.limit ? row.cursor : null;
  const json = `{"items":${row?.items ?? '[]'},"next":${JSON.stringify(next)}}`;
  if (pending) cache?.store(pending, json);
  return json;
}

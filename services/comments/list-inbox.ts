import { createHash } from 'node:crypto';
import { and, eq, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { type AnyPgColumn, PgDialect } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { comments, PLATFORMS, socialAccounts, users } from '../../db/schema/index.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { invalidInput } from '../core/service-error.js';
import { isStorableDate } from '../core/storable-date.js';
import type { InboxPageCache, PendingRead } from './inbox-page-cache.js';
import { type DueState, dueStateOf, type Severity, severityOf } from './inbox-urgency.js';

/** Longest search the inbox accepts. */
export const MAX_SEARCH_CHARS = 200;

/** A filter a form leaves blank ("All accounts", "Any") arrives as '': the same as absent. */
const blankable = <T extends z.ZodType>(schema: T) => z.union([z.literal(''), schema]).optional();

export const inboxFilterSchema = z.object({
  status: z.enum(['open', 'responded', 'closed', 'all']).default('open'),
  accountId: blankable(z.uuid()),
  category: blankable(
    z.enum(['offensive', 'safeguarding', 'personal_data', 'media_enquiry', 'complaint', 'spam']),
  ),
  /** me, none (unassigned), or a person's id. */
  assignee: blankable(z.union([z.uuid(), z.literal('me'), z.literal('none')])),
  platform: blankable(z.enum(PLATFORMS)),
  /** Words from the comment's text or its author's name or handle (a substring, any case). */
  q: z.string().max(MAX_SEARCH_CHARS, `search at most ${MAX_SEARCH_CHARS} characters`).optional(),
  /** Keyset cursor: the last row's `urgency|deadlineAt|id` from the previous page. */
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
  assigneeName: string | null;
  redacted: boolean;
  platform: string;
  /** 0 safeguarding, 1 threat, 2 the rest (inbox-urgency.ts). */
  urgency: number;
  /** The most severe label's severity, for the row's badge; null when nothing was flagged. */
  severity: Severity | null;
  /** What the row may say about its deadline: only `due` and `breached` count down. */
  dueState: DueState;
  /** The platform holds it back until an account admin publishes or rejects it (YouTube). */
  heldByPlatform: boolean;
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
  assigneeName: z.string().nullable(),
  redacted: z.boolean(),
  platform: z.string(),
  urgency: z.number(),
  severity: z.enum(['high', 'medium', 'low']).nullable(),
  dueState: z.enum(['responded', 'closed', 'breached', 'due', 'unset']),
  heldByPlatform: z.boolean(),
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
  if (filter.platform) where.push(eq(comments.platform, filter.platform));
  if (filter.category) where.push(sql`${filter.category} = any(${comments.categories})`);
  const q = filter.q?.trim();
  if (q) where.push(sql`${SEARCHED} ilike ${`%${likeEscape(q)}%`}`);
  if (filter.assignee === 'none') where.push(isNull(comments.assigneeId));
  else if (filter.assignee === 'me' && ctx.actor.type === 'user')
    where.push(eq(comments.assigneeId, ctx.actor.id));
  else if (filter.assignee && filter.assignee !== 'me') where.push(eq(comments.assigneeId, filter.assignee));
  const deadline = sql`coalesce(${comments.deadlineAt}, ${FAR_FUTURE.toISOString()}::timestamptz)`;
  if (filter.after) {
    const [rank, at, id] = filter.after.split('|');
    const urgency = Number(rank);
    const when = new Date(at ?? '');
    if (
      !id ||
      !cursorId.safeParse(id).success ||
      !/^[0-2]$/.test(rank ?? '') ||
      Number.isNaN(when.getTime()) ||
      !isStorableDate(when)
    )
      throw invalidInput('after must be the cursor from the previous page');
    where.push(
      or(
        gt(comments.urgency, urgency),
        and(
          eq(comments.urgency, urgency),
          or(gt(deadline, when), and(eq(deadline, when), gt(comments.id, id))),
        ),
      )!,
    );
  }
  return where;
}

/** What the inbox search looks in; the same expression as the comments_search_trgm_idx index. */
const SEARCHED = sql`(${comments.authorHandle} || ' ' || ${comments.authorName} || ' ' || ${comments.text})`;

/** A search as a LIKE pattern's literal part: %, _ and the escape character match themselves. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// Urgency first (inbox-urgency.ts), then coalesce(deadline, far future), then id, written so the
// (school, status, urgency, deadline, id) index serves it: an index scan in this order stopping at
// the limit, instead of sorting every open comment of the school on each request.
const INBOX_ORDER = sql`${comments.urgency} asc, ${comments.deadlineAt} asc nulls last, ${comments.id} asc`;

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
  assigneeName: users.displayName,
  redactedAt: comments.redactedAt,
  platform: comments.platform,
  urgency: comments.urgency,
  heldByPlatformAt: comments.heldByPlatformAt,
};

type InboxRow = Omit<InboxItem, 'redacted' | 'severity' | 'dueState' | 'assigneeName' | 'heldByPlatform'> & {
  assigneeName: string | null;
  redactedAt: Date | null;
  heldByPlatformAt: Date | null;
};

/** An InboxItem from an INBOX_ROW row. */
export function inboxItemOf({ redactedAt, heldByPlatformAt, ...r }: InboxRow): InboxItem {
  return {
    ...r,
    heldByPlatform: heldByPlatformAt !== null,
    assigneeName: r.assigneeName ?? null,
    redacted: redactedAt !== null,
    severity: severityOf(r.labels),
    dueState: dueStateOf(r),
  };
}

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
    .leftJoin(users, eq(users.id, comments.assigneeId))
    .where(and(...where))
    .orderBy(INBOX_ORDER)
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  const items: InboxItem[] = page.map(inboxItemOf);
  return {
    items,
    next:
      rows.length > filter.limit && last
        ? `${last.urgency}|${(last.deadlineAt ?? FAR_FUTURE).toISOString()}|${last.id}`
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
  ${comments.assigneeId} as "assigneeId", ${users.displayName} as "assigneeName",
  ${comments.redactedAt} is not null as "redacted", ${comments.platform} as "platform",
  ${comments.urgency} as "urgency",
  case when ${comments.labels} @> '[{"severity":"high"}]' then 'high'
    when ${comments.labels} @> '[{"severity":"medium"}]' then 'medium'
    when ${comments.labels} @> '[{"severity":"low"}]' then 'low' end as "severity",
  case when ${comments.status} = 'responded' then 'responded' when ${comments.status} = 'closed' then 'closed'
    when ${comments.breachedAt} is not null then 'breached' when ${comments.deadlineAt} is not null then 'due'
    else 'unset' end as "dueState",
  ${comments.heldByPlatformAt} is not null as "heldByPlatform") i)`;

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
      filter.platform ?? '',
      filter.q?.trim() ?? '',
      filter.after ?? '',
      filter.limit,
    ]);
    const found = cache.lookup(key, schools);
    if ('json' in found) return found.json;
    pending = found.pending;
  }
  const query = sql`select coalesce(json_agg(p.item order by p.n) filter (where p.n <= ${filter.limit}), '[]')::text as items,
      count(*)::int as fetched, min(p.cursor) filter (where p.n = ${filter.limit}) as cursor
    from (select q.*, row_number() over (order by q.urgency, q.deadline_at asc nulls last, q.id) as n from (
      select ${comments.id} as id, ${comments.urgency} as urgency, ${comments.deadlineAt} as deadline_at,
        ${comments.urgency} || '|' || coalesce(${iso(comments.deadlineAt)}, ${FAR_FUTURE.toISOString()}) || '|' || ${comments.id} as cursor,
        ${ITEM_JSON} as item
      from ${comments} inner join ${socialAccounts} on ${socialAccounts.id} = ${comments.accountId}
      left join ${users} on ${users.id} = ${comments.assigneeId}
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

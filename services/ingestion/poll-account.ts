import { createHash } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import {
  comments,
  coverageGaps,
  pollFailures,
  quarantinedItems,
  socialAccounts,
} from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import {
  accountQuotaPlan,
  addQuotaUnits,
  hasUnitQuota,
  type QuotaSettings,
} from '../accounts/account-quota.js';
import { openAccountAdapter } from '../accounts/open-account-adapter.js';
import { jsonSafe } from '../audit/canonical-json.js';
import { emitAudit } from '../audit/emit-audit.js';
import { metrics } from '../core/metrics.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { readBackParentRequests } from '../moderation/parent-requests.js';
import { accountAdminIds, notifyUsers } from '../notifications/notify-users.js';
import {
  type FetchPage,
  isPlatformError,
  type PollCursor,
  type QuarantinedItem,
} from '../platforms/adapter.js';
import type { AdapterFactory } from '../platforms/adapter-factory.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { ASYNC_COMMIT } from './process-comment.js';
import { readBackHeld } from './read-back-held.js';
import {
  backstopPollDue,
  type PollIntervalSettings,
  pollIntervalInUse,
  type WebhookHealthStore,
} from './webhook-health.js';

export interface PollDeps {
  encryptionKey: Buffer;
  adapterFor: AdapterFactory;
  /** Called after each page commits with the ids it inserted (enqueue their process jobs). */
  onInserted: (commentIds: string[]) => Promise<void>;
  maxPages?: number;
  /** How long the poll's lease on the account lasts without a page committed (renewed per page). */
  leaseMs?: number;
  /** Polls failing in a row before the account's admins are told, once (POLL_FAILURE_ALERT_AFTER). */
  failureAlertAfter?: number;
  /**
   * A scheduled poll of a platform that pushes: skipped while its webhooks are healthy and the
   * longer backstop interval has not passed since the last poll. Absent: always poll.
   */
  backstop?: { settings: PollIntervalSettings; health: WebhookHealthStore };
  /**
   * A platform with a daily unit quota (YouTube): polls are spaced so the day's polling stays out
   * of the moderation reserve. Absent, such an account is polled on every round.
   */
  unitQuota?: QuotaSettings;
}

export const DEFAULT_FAILURE_ALERT_AFTER = 5;

export type PollResult =
  | {
      status: 'polled';
      pages: number;
      inserted: number;
      /** Items that failed validation on their own, newly kept aside; the rest of their page is stored. */
      quarantined: number;
      /** The poll stopped at its page cap: there may be more to fetch now (a backlog). */
      more: boolean;
    }
  | {
      status: 'skipped';
      reason: 'not_active' | 'needs_reauth' | 'busy' | 'not_found' | 'webhooks_healthy';
    }
  /** the account's share of the platform's daily quota allows its next poll at `until` */
  | { status: 'skipped'; reason: 'quota'; until: Date }
  | { status: 'rate_limited'; until: Date }
  | { status: 'failed'; kind: string; message: string };

/**
 * One poll of one account. Each page is stored with the cursor after it in one transaction, so a
 * crash between fetch and commit re-fetches the page and loses nothing; inserts ignore conflicts
 * (per account and external id), so nothing is stored twice. An item that fails validation is
 * quarantined on its own. A lease on the row keeps two polls of one account apart.
 */
export async function pollAccount(
  ctx: ServiceContext,
  input: { accountId: string },
  deps: PollDeps,
): Promise<PollResult> {
  const leaseMs = deps.leaseMs ?? POLL_LEASE_MS;
  const [account] = await ctx.db.select().from(socialAccounts).where(eq(socialAccounts.id, input.accountId));
  if (!account) return { status: 'skipped', reason: 'not_found' };
  if (account.status !== 'active') return { status: 'skipped', reason: 'not_active' };
  if (account.credentialStatus !== 'valid' || !account.credentialsEncrypted) {
    return { status: 'skipped', reason: 'needs_reauth' };
  }
  if (account.rateLimitedUntil && account.rateLimitedUntil > new Date()) {
    metrics.rateLimitWaits.inc({ platform: account.platform });
    return { status: 'rate_limited', until: account.rateLimitedUntil };
  }
  if (deps.backstop && platformProfile(account.platform).webhooks) {
    const health = await deps.backstop.health.read().catch(() => null);
    const interval = pollIntervalInUse(account, deps.backstop.settings, health);
    const tick = account.settings.pollIntervalSeconds ?? deps.backstop.settings.defaultIntervalSeconds;
    if (!backstopPollDue(account.lastPolledAt, interval, tick)) {
      metrics.pollsSkipped.inc({ platform: account.platform, reason: 'webhooks_healthy' });
      return { status: 'skipped', reason: 'webhooks_healthy' };
    }
  }

  if (deps.unitQuota && hasUnitQuota(account.platform)) {
    const plan = await accountQuotaPlan(ctx.db, account.id, deps.unitQuota);
    const next = plan.pollingPaused
      ? plan.resetsAt
      : new Date((account.lastPolledAt?.getTime() ?? 0) + plan.intervalSeconds * 1000);
    if (next.getTime() > Date.now()) return { status: 'skipped', reason: 'quota', until: next };
  }

  const leased = await ctx.db
    .update(socialAccounts)
    .set({ pollLeaseUntil: new Date(Date.now() + leaseMs) })
    .where(
      and(
        eq(socialAccounts.id, account.id),
        eq(socialAccounts.status, 'active'),
        or(isNull(socialAccounts.pollLeaseUntil), lt(socialAccounts.pollLeaseUntil, new Date())),
      ),
    )
    .returning({ id: socialAccounts.id });
  if (leased.length === 0) return { status: 'skipped', reason: 'busy' };

  const subject = { type: 'account', id: account.id, label: accountLabel(account) };
  const adapter = openAccountAdapter(ctx, account, deps, 'poll');

  const maxPages = deps.maxPages ?? 10;
  let pages = 0;
  let inserted = 0;
  let quarantined = 0;
  let leaseReleased = false;
  // A fresh adapter per poll forgets an exhausted window, so it is remembered on the account.
  let exhaustedUntil: Date | null = null;
  try {
    for await (const page of adapter.fetchPages(account.cursor as PollCursor | null, {
      maxPages,
      conversationBackstop: account.settings.conversationBackstop,
    })) {
      const { ids, quarantinedNow } = await storePage(ctx, account, subject, page, leaseMs);
      pages += 1;
      inserted += ids.length;
      quarantined += quarantinedNow;
      if (page.rateLimit && page.rateLimit.remaining === 0) exhaustedUntil = page.rateLimit.resetAt;
      metrics.pollPages.inc({ platform: account.platform });
      metrics.commentsIngested.inc({ platform: account.platform }, ids.length);
      if (quarantinedNow > 0) metrics.itemsQuarantined.inc({ platform: account.platform }, quarantinedNow);
      // After commit: if this enqueue is lost, the relay finds the rows still unprocessed.
      await deps.onInserted(ids).catch(() => {});
    }
    // P9: a comment a parent was asked to remove is read back from the platform on each poll.
    await readBackParentRequests(ctx, account, adapter).catch(() => {});
    // A comment the platform held back: published or rejected in the platform's own app since.
    await readBackHeld(ctx, account, adapter).catch(() => {});
    // One audit entry per round, not per page: each page's comments get their own entries when
    // processed (comment.deadline_set records when each arrived), and every transaction that writes
    // to the chain queues on its head, so a per-page entry halved how fast a backlog goes through.
    await withTransaction(ctx, async (tx) => {
      await tx
        .update(socialAccounts)
        .set({
          lastPolledAt: new Date(),
          lastPollError: null,
          consecutivePollFailures: 0,
          rateLimitedUntil: exhaustedUntil,
          pollLeaseUntil: null,
        })
        .where(eq(socialAccounts.id, account.id));
      await auditIngested(tx, ctx, account, subject, inserted, pages);
    });
    leaseReleased = true;
    metrics.polls.inc({ platform: account.platform, outcome: 'ok' });
    return {
      status: 'polled',
      pages,
      inserted,
      quarantined,
      more: pages >= maxPages && exhaustedUntil === null,
    };
  } catch (error) {
    // Pages stored before the failure are committed: their round is audited all the same.
    if (inserted > 0)
      await withTransaction(ctx, (tx) => auditIngested(tx, ctx, account, subject, inserted, pages));
    await countFailure(ctx, account, subject, error, deps.failureAlertAfter ?? DEFAULT_FAILURE_ALERT_AFTER);
    return await recordPollFailure(ctx, account, subject, error);
  } finally {
    adapter.close();
    if (!leaseReleased) await releaseLease(ctx, account.id);
    await addQuotaUnits(ctx.db, account.id, adapter.quotaUnitsSpent?.() ?? 0).catch(() => {});
  }
}

/**
 * A poll's lease lasts two minutes past its last committed page: longer than a page's fetch and
 * commit take (the platform clients time out at 30 s), short enough that a worker killed mid-poll
 * leaves the account unpolled for two minutes at most.
 */
export const POLL_LEASE_MS = 2 * 60_000;

/**
 * Releases the lease after a failed poll. The failure is often the database itself (a restart, a
 * failover): one attempt that meets the same outage would leave the account unpolled until the
 * lease ran out, so the release is retried for a few seconds before the lease is left to expire.
 */
async function releaseLease(ctx: ServiceContext, accountId: string): Promise<void> {
  for (let attempt = 0; attempt < LEASE_RELEASE_ATTEMPTS; attempt++) {
    try {
      await ctx.db
        .update(socialAccounts)
        .set({ pollLeaseUntil: null })
        .where(eq(socialAccounts.id, accountId));
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}
const LEASE_RELEASE_ATTEMPTS = 7;

export type AccountRow = typeof socialAccounts.$inferSelect;

async function auditIngested(
  tx: Transaction,
  ctx: ServiceContext,
  account: AccountRow,
  subject: Subject,
  inserted: number,
  pages: number,
): Promise<void> {
  if (inserted === 0) return;
  await emitAudit(tx, ctx, {
    action: 'account.comments_ingested',
    schoolId: account.schoolId,
    subject,
    details: { count: inserted, pages },
  });
}
type Subject = { type: string; id: string; label: string };

/**
 * Stores comments that reached us without a poll (a webhook delivery) through the same path as a
 * poll's page: the same insert ignoring (account, external id) conflicts, so a comment that comes
 * by webhook and by poll is stored once; the same quarantine; no cursor change. Returns the ids of
 * the rows it inserted (enqueue their processing after this resolves).
 */
export async function storeDelivered(
  ctx: ServiceContext,
  account: AccountRow,
  page: Pick<FetchPage, 'comments' | 'quarantined'>,
): Promise<{ ids: string[]; quarantinedNow: number }> {
  const subject = { type: 'account', id: account.id, label: accountLabel(account) };
  const stored = await storePage(ctx, account, subject, page, null);
  if (stored.ids.length > 0) {
    await withTransaction(ctx, (tx) => auditIngested(tx, ctx, account, subject, stored.ids.length, 1));
    metrics.commentsIngested.inc({ platform: account.platform }, stored.ids.length);
  }
  if (stored.quarantinedNow > 0)
    metrics.itemsQuarantined.inc({ platform: account.platform }, stored.quarantinedNow);
  return stored;
}

async function storePage(
  ctx: ServiceContext,
  account: AccountRow,
  subject: Subject,
  page: Pick<FetchPage, 'comments' | 'quarantined' | 'coverageGap'> & {
    cursorAfter?: FetchPage['cursorAfter'];
  },
  /** a poll's lease, renewed with its cursor; null for comments that came without a poll */
  leaseMs: number | null,
): Promise<{ ids: string[]; quarantinedNow: number }> {
  return withTransaction(ctx, async (tx) => {
    // Rows and cursor commit or vanish together, so a commit lost in a server crash is fetched
    // again (a process job for a vanished row finds nothing): no need to wait for the WAL flush.
    if (!ctx.tx) await tx.execute(ASYNC_COMMIT);
    // The page travels as one JSON parameter read back as `comments` records: a multi-row INSERT
    // with a bind parameter per value cost more client CPU than the write itself.
    const heldAt = new Date();
    const records = page.comments.map((c) =>
      commentRecord({
        schoolId: account.schoolId,
        accountId: account.id,
        platform: account.platform,
        externalId: c.externalId,
        conversationId: c.conversationId,
        inReplyToExternalId: c.inReplyToExternalId ?? null,
        authorExternalId: c.authorExternalId,
        authorHandle: c.authorHandle,
        authorName: c.authorName,
        text: c.text,
        textTruncated: c.textTruncated,
        url: c.url,
        postedAt: c.createdAt,
        heldByPlatformAt: c.heldByPlatform ? heldAt : null,
      }),
    );
    const rows = records.length
      ? (
          await tx.execute<{ id: string }>(
            sql`insert into comments (${INSERTED_COLUMN_LIST})
                select ${INSERTED_COLUMN_LIST}
                from jsonb_populate_recordset(null::comments, ${JSON.stringify(records)}::jsonb)
                on conflict (account_id, external_id) do nothing
                returning id`,
          )
        ).rows
      : [];
    if (page.cursorAfter !== undefined && leaseMs !== null)
      await tx
        .update(socialAccounts)
        .set({
          cursor: page.cursorAfter as Record<string, unknown>,
          // The lease is renewed with each page, so a long backlog keeps it and a dead poll loses it soon.
          pollLeaseUntil: new Date(Date.now() + leaseMs),
          updatedAt: new Date(),
        })
        .where(eq(socialAccounts.id, account.id));
    if (page.coverageGap) {
      const note = `Mentions between ${page.coverageGap.fromId} and ${page.coverageGap.toId} may not have been fetched: the platform serves only the most recent mentions.`;
      await tx.insert(coverageGaps).values({
        accountId: account.id,
        fromExternalId: page.coverageGap.fromId,
        toExternalId: page.coverageGap.toId,
        note,
      });
      await emitAudit(tx, ctx, {
        action: 'account.coverage_gap',
        schoolId: account.schoolId,
        subject,
        details: { ...page.coverageGap },
      });
      await notifyUsers(tx, {
        schoolId: account.schoolId,
        userIds: await accountAdminIds(tx, account.id),
        event: 'account.coverage_gap',
        urgency: 'normal',
        title: `Some comments on ${subject.label} may have been missed`,
        body: `${note} Check the account in the platform's own app for comments in that range.`,
        link: `/accounts/${account.id}`,
        subject: { type: 'account', id: account.id },
      });
    }
    const quarantinedNow = await quarantine(tx, ctx, account, subject, page.quarantined ?? []);
    return { ids: rows.map((r) => r.id), quarantinedNow };
  });
}

/**
 * Keeps a page's malformed items aside, raw, for the account's admins: the rest of the page is
 * stored and the cursor moves past them. An item already kept (the page fetched again) is not kept,
 * counted or announced twice.
 */
async function quarantine(
  tx: Transaction,
  ctx: ServiceContext,
  account: AccountRow,
  subject: Subject,
  items: readonly QuarantinedItem[],
): Promise<number> {
  if (items.length === 0) return 0;
  const kept = await tx
    .insert(quarantinedItems)
    .values(
      items.map((item) => ({
        accountId: account.id,
        itemKey: item.externalId ?? `sha256:${createHash('sha256').update(item.raw).digest('hex')}`,
        externalId: item.externalId,
        reason: item.reason,
        rawItem: item.raw,
      })),
    )
    .onConflictDoNothing()
    .returning({ externalId: quarantinedItems.externalId, reason: quarantinedItems.reason });
  if (kept.length === 0) return 0;
  await emitAudit(tx, ctx, {
    action: 'account.item_quarantined',
    schoolId: account.schoolId,
    subject,
    details: { count: kept.length, items: kept.map((k) => ({ externalId: k.externalId, reason: k.reason })) },
  });
  const what = kept.length === 1 ? 'A comment' : `${kept.length} comments`;
  await notifyUsers(tx, {
    schoolId: account.schoolId,
    userIds: await accountAdminIds(tx, account.id),
    event: 'account.item_quarantined',
    urgency: 'normal',
    title: `${what} on ${subject.label} could not be read`,
    body: `The platform sent ${kept.length === 1 ? 'an item' : 'items'} that failed validation. The rest were stored as usual; these are kept, as sent, on the account's page for you to read there or in the platform's own app.`,
    link: `/accounts/${account.id}#quarantined-h`,
    subject: { type: 'account', id: account.id },
  });
  return kept.length;
}

/**
 * Counts a failed poll; a success resets the count. When the count reaches the alert threshold
 * the account's admins are told, and it is audited, once for the run of failures. A rate limit
 * is waited out and a refused credential has its own notice, so neither counts.
 */
async function countFailure(
  ctx: ServiceContext,
  account: AccountRow,
  subject: Subject,
  error: unknown,
  alertAfter: number,
): Promise<void> {
  if (isPlatformError(error, 'rate_limited') || isPlatformError(error, 'auth')) return;
  const kind = isPlatformError(error) ? error.kind : 'internal';
  // The platform's messages never carry comment text or tokens; anything else stays in the logs.
  const message = isPlatformError(error) ? error.message : 'an internal error (see the worker logs)';
  await withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .update(socialAccounts)
      .set({ consecutivePollFailures: sql`${socialAccounts.consecutivePollFailures} + 1` })
      .where(eq(socialAccounts.id, account.id))
      .returning({ failures: socialAccounts.consecutivePollFailures });
    if (row?.failures !== alertAfter) return;
    await emitAudit(tx, ctx, {
      action: 'account.polling_failing',
      schoolId: account.schoolId,
      subject,
      details: { consecutiveFailures: row.failures, kind, message },
    });
    await notifyUsers(tx, {
      schoolId: account.schoolId,
      userIds: await accountAdminIds(tx, account.id),
      event: 'account.polling_failing',
      urgency: 'normal',
      title: `Comments on ${subject.label} are not coming in`,
      body: `The last ${row.failures} polls of the account failed (latest: ${message}). New comments may be waiting on the platform: check it in its own app until polling recovers.`,
      link: `/accounts/${account.id}`,
      subject: { type: 'account', id: account.id },
    });
  }).catch(() => {
    // The failure being counted matters more than the count: it is rethrown or recorded next.
  });
}

async function recordPollFailure(
  ctx: ServiceContext,
  account: AccountRow,
  subject: Subject,
  error: unknown,
): Promise<PollResult> {
  if (!isPlatformError(error)) throw error;
  metrics.pollFailures.inc({ platform: account.platform, kind: error.kind });
  metrics.polls.inc({ platform: account.platform, outcome: error.kind });
  switch (error.kind) {
    case 'rate_limited': {
      const until = error.resetAt ?? new Date(Date.now() + 60_000);
      await ctx.db
        .update(socialAccounts)
        .set({ rateLimitedUntil: until, lastPollError: `rate limited until ${until.toISOString()}` })
        .where(eq(socialAccounts.id, account.id));
      return { status: 'rate_limited', until };
    }
    case 'auth': {
      await withTransaction(ctx, async (tx) => {
        const changed = await tx
          .update(socialAccounts)
          .set({ credentialStatus: 'needs_reauth', lastPollError: error.message, updatedAt: new Date() })
          .where(and(eq(socialAccounts.id, account.id), eq(socialAccounts.credentialStatus, 'valid')))
          .returning({ id: socialAccounts.id });
        if (changed.length === 0) return;
        await emitAudit(tx, ctx, {
          action: 'account.needs_reauth',
          schoolId: account.schoolId,
          subject,
          details: { status: error.status ?? null, reason: error.reason ?? error.message },
        });
        await notifyUsers(tx, {
          schoolId: account.schoolId,
          userIds: await accountAdminIds(tx, account.id),
          event: 'account.needs_reauth',
          urgency: 'normal',
          title: `${subject.label} needs re-connecting`,
          body: `The platform refused the stored credentials (${error.status ?? 'auth'}). Polling has stopped until an admin connects the account again.`,
          link: `/accounts/${account.id}`,
          subject: { type: 'account', id: account.id },
        });
      });
      return { status: 'failed', kind: 'auth', message: error.message };
    }
    case 'transient':
      await ctx.db
        .update(socialAccounts)
        .set({ lastPollError: error.message })
        .where(eq(socialAccounts.id, account.id));
      // The job retries with exponential backoff and jitter.
      throw error;
    default: {
      await withTransaction(ctx, async (tx) => {
        await tx.insert(pollFailures).values({
          accountId: account.id,
          kind: error.kind,
          message: error.message,
          rawBody: error.rawBody ?? null,
        });
        await tx
          .update(socialAccounts)
          .set({ lastPollError: error.message })
          .where(eq(socialAccounts.id, account.id));
        await emitAudit(tx, ctx, {
          action: 'account.poll_failed',
          schoolId: account.schoolId,
          subject,
          details: { kind: error.kind, message: error.message, endpoint: error.endpoint ?? null },
        });
      });
      return { status: 'failed', kind: error.kind, message: error.message };
    }
  }
}

type NewComment = typeof comments.$inferInsert;

/** The columns a poll writes; the rest keep their defaults (id, ingested_at, status, ...). */
const INSERTED_COLUMNS = [
  'schoolId',
  'accountId',
  'platform',
  'externalId',
  'conversationId',
  'inReplyToExternalId',
  'authorExternalId',
  'authorHandle',
  'authorName',
  'text',
  'textTruncated',
  'url',
  'postedAt',
  'heldByPlatformAt',
] as const satisfies readonly (keyof NewComment)[];
const INSERTED_COLUMN_LIST = sql.join(
  INSERTED_COLUMNS.map((key) => sql.identifier(comments[key].name)),
  sql`, `,
);

function commentRecord(row: Pick<NewComment, (typeof INSERTED_COLUMNS)[number]>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const key of INSERTED_COLUMNS) {
    const value = row[key];
    // As the driver would store them: no NUL, no lone surrogate (jsonb refuses both), ISO dates.
    record[comments[key].name] = jsonSafe(value ?? null);
  }
  return record;
}

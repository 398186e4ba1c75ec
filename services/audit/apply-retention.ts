import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { comments, retentionRuns, schools } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { ServiceError } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { retentionOf } from '../deadlines/retention-settings.js';
import { emitAudit } from './emit-audit.js';
import { redactComments } from './redact-comments.js';

const BATCH = 500;

/** `months` calendar months before `now` (the same day of the month, clamped at its end). */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export interface RetentionOutcome {
  schoolId: string;
  retentionMonths: number;
  cutoff: string;
  comments: number;
  personalRecords: number;
  /** P12: raw platform bodies (quarantined items), notifications and delivery log rows destroyed. */
  quarantinedItems: number;
  notifications: number;
  deliveryLog: number;
}

/** Days before `now`. */
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

/**
 * Comments past the school's retention, not yet redacted: those that concern safeguarding (flagged
 * as safeguarding, or with a safeguarding escalation) only once past the safeguarding records
 * period instead (P12).
 */
async function commentsPastRetention(
  tx: Transaction,
  schoolId: string,
  cutoff: Date,
  safeguardingCutoff: Date,
  limit: number,
): Promise<string[]> {
  const rows = await tx
    .select({ id: comments.id })
    .from(comments)
    .where(
      and(
        eq(comments.schoolId, schoolId),
        isNull(comments.redactedAt),
        sql`${comments.postedAt} < ${cutoff}`,
        sql`(${comments.postedAt} < ${safeguardingCutoff} or not (
          'safeguarding' = any(${comments.categories})
          or exists (select 1 from escalations e where e.comment_id = ${comments.id} and e.kind = 'safeguarding')))`,
      ),
    )
    .orderBy(comments.postedAt)
    .limit(limit)
    .for('update', { skipLocked: true });
  return rows.map((r) => r.id);
}

/**
 * Destroys the school's other records past their periods (P12): quarantined raw platform bodies,
 * finished notification deliveries, and notifications (with their items and deliveries) none of
 * whose deliveries is still pending. Returns the counts.
 */
async function destroyOtherRecords(
  tx: Transaction,
  schoolId: string,
  cutoffs: { quarantined: Date; notifications: Date; deliveryLog: Date },
): Promise<{ quarantinedItems: number; notifications: number; deliveryLog: number }> {
  const quarantined = await tx.execute(sql`
    delete from quarantined_items q using social_accounts a
    where a.id = q.account_id and a.school_id = ${schoolId} and q.created_at < ${cutoffs.quarantined}`);
  const deliveries = await tx.execute(sql`
    delete from notification_deliveries
    where school_id = ${schoolId} and status not in ('pending', 'digest') and created_at < ${cutoffs.deliveryLog}`);
  const old = sql`select n.id from notifications n
    where n.school_id = ${schoolId} and n.created_at < ${cutoffs.notifications}
      and not exists (select 1 from notification_deliveries d
        where d.notification_id = n.id and d.status in ('pending', 'digest'))`;
  await tx.execute(sql`delete from notification_items where notification_id in (${old})`);
  const moreDeliveries = await tx.execute(
    sql`delete from notification_deliveries where notification_id in (${old})`,
  );
  const notificationRows = await tx.execute(sql`delete from notifications where id in (${old})`);
  return {
    quarantinedItems: quarantined.rowCount ?? 0,
    notifications: notificationRows.rowCount ?? 0,
    deliveryLog: (deliveries.rowCount ?? 0) + (moreDeliveries.rowCount ?? 0),
  };
}

/**
 * The daily retention job (P12): for each school, comments posted more than `retentionMonths`
 * ago (24 by default) lose their text and author identity through the one redaction path, in
 * batches of 500, each batch its own transaction (comments that concern safeguarding are kept
 * until the safeguarding records period ends); then quarantined raw platform bodies,
 * notifications and the delivery log past their periods are deleted. Each run records its counts
 * per kind in retention_runs (the retention report), audited as `retention.redacted` and
 * `retention.destroyed`. System only.
 */
export async function applyRetention(ctx: ServiceContext, now = new Date()): Promise<RetentionOutcome[]> {
  if (ctx.actor.type !== 'system') throw new ServiceError('FORBIDDEN', 'Retention runs as a system job');
  const list = await ctx.db
    .select({ id: schools.id, months: schools.retentionMonths, retention: schools.retention })
    .from(schools)
    .where(ctx.schoolIds === null ? undefined : inArray(schools.id, [...ctx.schoolIds]));
  const outcomes: RetentionOutcome[] = [];
  for (const school of list) {
    const cutoff = monthsBefore(now, school.months);
    const periods = retentionOf(school.retention);
    const safeguardingCutoff = monthsBefore(now, periods.safeguardingYears * 12);
    const detail = `comments older than ${school.months} months (posted before ${cutoff.toISOString().slice(0, 10)})`;
    let total = 0;
    let personalRecords = 0;
    for (;;) {
      const done = await withTransaction(ctx, async (tx) => {
        const ids = await commentsPastRetention(tx, school.id, cutoff, safeguardingCutoff, BATCH);
        return { ...(await redactComments(tx, ctx, ids, { kind: 'retention', detail })), asked: ids.length };
      });
      total += done.comments.length;
      personalRecords += done.personalRecords;
      if (done.asked < BATCH) break;
    }
    const cutoffs = {
      comments: cutoff,
      safeguarding: safeguardingCutoff,
      quarantined: daysBefore(now, periods.quarantinedDays),
      notifications: monthsBefore(now, periods.notificationMonths),
      deliveryLog: daysBefore(now, periods.deliveryLogDays),
    };
    const destroyed = await withTransaction(ctx, async (tx) => {
      const other = await destroyOtherRecords(tx, school.id, cutoffs);
      const counts = { comments: total, personalRecords, ...other };
      const isoCutoffs = Object.fromEntries(Object.entries(cutoffs).map(([k, v]) => [k, v.toISOString()]));
      // Every run is kept, nothing destroyed included: the report shows the job ran (P12).
      const [run] = await tx
        .insert(retentionRuns)
        .values({ schoolId: school.id, counts, cutoffs: isoCutoffs, ranAt: now })
        .returning({ id: retentionRuns.id });
      if (total > 0) {
        await emitAudit(tx, ctx, {
          action: 'retention.redacted',
          schoolId: school.id,
          subject: { type: 'school', id: school.id, label: 'Retention policy' },
          details: {
            reason: `Retention policy: ${detail}`,
            retentionMonths: school.months,
            cutoff: cutoff.toISOString(),
            comments: total,
            personalRecords,
          },
        });
      }
      if (other.quarantinedItems + other.notifications + other.deliveryLog > 0) {
        await emitAudit(tx, ctx, {
          action: 'retention.destroyed',
          schoolId: school.id,
          subject: { type: 'school', id: school.id, label: 'Retention policy' },
          details: { runId: run?.id ?? null, ...other, cutoffs: isoCutoffs, periods },
        });
      }
      return other;
    });
    outcomes.push({
      schoolId: school.id,
      retentionMonths: school.months,
      cutoff: cutoff.toISOString(),
      comments: total,
      personalRecords,
      ...destroyed,
    });
  }
  return outcomes;
}

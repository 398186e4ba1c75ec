import { inArray } from 'drizzle-orm';
import { schools } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { ServiceError } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { emitAudit } from './emit-audit.js';
import { commentsOlderThan, redactComments } from './redact-comments.js';

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
}

/**
 * The daily retention job (P12): for each school, comments posted more than `retentionMonths`
 * ago (24 by default) lose their text and author identity through the one redaction path, in
 * batches of 500, each batch its own transaction; then one `retention.redacted` entry per school
 * says how many. System only.
 */
export async function applyRetention(ctx: ServiceContext, now = new Date()): Promise<RetentionOutcome[]> {
  if (ctx.actor.type !== 'system') throw new ServiceError('FORBIDDEN', 'Retention runs as a system job');
  const list = await ctx.db
    .select({ id: schools.id, months: schools.retentionMonths })
    .from(schools)
    .where(ctx.schoolIds === null ? undefined : inArray(schools.id, [...ctx.schoolIds]));
  const outcomes: RetentionOutcome[] = [];
  for (const school of list) {
    const cutoff = monthsBefore(now, school.months);
    const detail = `comments older than ${school.months} months (posted before ${cutoff.toISOString().slice(0, 10)})`;
    let total = 0;
    let personalRecords = 0;
    for (;;) {
      const done = await withTransaction(ctx, async (tx) => {
        const ids = await commentsOlderThan(tx, school.id, cutoff, BATCH);
        return { ...(await redactComments(tx, ctx, ids, { kind: 'retention', detail })), asked: ids.length };
      });
      total += done.comments.length;
      personalRecords += done.personalRecords;
      if (done.asked < BATCH) break;
    }
    if (total > 0) {
      await withTransaction(ctx, (tx) =>
        emitAudit(tx, ctx, {
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
        }),
      );
    }
    outcomes.push({
      schoolId: school.id,
      retentionMonths: school.months,
      cutoff: cutoff.toISOString(),
      comments: total,
      personalRecords,
    });
  }
  return outcomes;
}

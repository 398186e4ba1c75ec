import { desc, eq } from 'drizzle-orm';
import { retentionRuns, schools } from '../../db/schema/index.js';
import { assertRole } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { notFound } from '../core/service-error.js';
import { type RetentionSettings, retentionOf } from './retention-settings.js';

/** Most runs the report lists (about a year of nightly runs). */
export const MAX_RETENTION_RUNS = 400;

export interface RetentionReport {
  schoolId: string;
  schoolName: string;
  retentionMonths: number;
  periods: RetentionSettings;
  runs: { id: string; ranAt: Date; counts: Record<string, number>; cutoffs: Record<string, string> }[];
}

/** P12: what the retention job destroyed at a school, run by run, newest first, with today's periods. */
export async function retentionReport(ctx: ServiceContext, schoolId: string): Promise<RetentionReport> {
  assertRole(ctx, schoolId, ['senior_leader', 'trust_admin', 'auditor'], 'read the retention report');
  const db = queryable(ctx);
  const [school] = await db.select().from(schools).where(eq(schools.id, schoolId));
  if (!school) throw notFound('That school');
  const runs = await db
    .select()
    .from(retentionRuns)
    .where(eq(retentionRuns.schoolId, schoolId))
    .orderBy(desc(retentionRuns.ranAt))
    .limit(MAX_RETENTION_RUNS);
  return {
    schoolId,
    schoolName: school.name,
    retentionMonths: school.retentionMonths,
    periods: retentionOf(school.retention),
    runs: runs.map((r) => ({ id: r.id, ranAt: r.ranAt, counts: r.counts, cutoffs: r.cutoffs })),
  };
}

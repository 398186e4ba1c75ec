import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { classifierCorrections, schools } from '../../../db/schema/index.js';
import type { ServiceContext } from '../../core/service-context.js';
import { queryable } from '../../core/service-context.js';
import { invalidInputFrom, notFound } from '../../core/service-error.js';
import { SCHOOL_TERM_CATEGORIES } from '../add-school-term.js';
import { loadSchoolFor } from '../school-lexicon-access.js';
import { QUALITY_REPORT_READERS } from './correction-access.js';

export const qualityReportInput = z.object({
  /** "2026-11": a calendar month in the school's time zone. */
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is written YYYY-MM, e.g. 2026-11')
    .refine((m) => m >= '2000-01' && m <= '2999-12', 'a month between 2000-01 and 2999-12'),
});

export interface QualityRow {
  category: string;
  /** Staff agreed with the classifier's flag. */
  confirmed: number;
  /** Staff said the flag was not a problem. */
  overturned: number;
  /** Staff flagged what the classifier had not. */
  missed: number;
}

export interface QualityReport {
  school: { id: string; name: string; timeZone: string };
  month: string;
  from: Date;
  to: Date;
  rows: QualityRow[];
  totals: Omit<QualityRow, 'category'>;
}

/**
 * A school's classifier quality for one month, from staff corrections made in it: flags confirmed,
 * flags overturned and misses reported, by category. Senior leaders, trust admins and auditors.
 */
export async function correctionQualityReport(
  ctx: ServiceContext,
  schoolId: string,
  raw: unknown,
): Promise<QualityReport> {
  const parsed = qualityReportInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const db = queryable(ctx);
  const school = await loadSchoolFor(
    ctx,
    db,
    schoolId,
    QUALITY_REPORT_READERS,
    'read the classifier quality report',
  );
  const [zone] = await db
    .select({ timeZone: schools.timeZone })
    .from(schools)
    .where(eq(schools.id, school.id));
  if (!zone) throw notFound('That school');
  const start = DateTime.fromISO(`${parsed.data.month}-01`, { zone: zone.timeZone });
  const from = start.toJSDate();
  const to = start.plus({ months: 1 }).toJSDate();
  const counts = await db
    .select({
      category: classifierCorrections.category,
      kind: classifierCorrections.kind,
      n: sql<number>`count(*)::int`,
    })
    .from(classifierCorrections)
    .where(
      and(
        eq(classifierCorrections.schoolId, schoolId),
        gte(classifierCorrections.createdAt, from),
        lt(classifierCorrections.createdAt, to),
      ),
    )
    .groupBy(classifierCorrections.category, classifierCorrections.kind);
  const rows: QualityRow[] = SCHOOL_TERM_CATEGORIES.map((category) => ({
    category,
    confirmed: 0,
    overturned: 0,
    missed: 0,
  }));
  for (const c of counts) {
    const row = rows.find((r) => r.category === c.category);
    if (row) row[c.kind] += c.n;
  }
  const totals = { confirmed: 0, overturned: 0, missed: 0 };
  for (const r of rows) {
    totals.confirmed += r.confirmed;
    totals.overturned += r.overturned;
    totals.missed += r.missed;
  }
  return {
    school: { ...school, timeZone: zone.timeZone },
    month: parsed.data.month,
    from,
    to,
    rows,
    totals,
  };
}

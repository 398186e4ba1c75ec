import { index, jsonb, pgTable, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from './columns.js';
import { schools } from './schools.js';

/** P12: what one run of the retention job destroyed at one school, per kind of record, and the cut-offs. */
export const retentionRuns = pgTable(
  'retention_runs',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    counts: jsonb('counts').$type<Record<string, number>>().notNull(),
    cutoffs: jsonb('cutoffs').$type<Record<string, string>>().notNull(),
    ranAt: createdAt(),
  },
  (t) => [index('retention_runs_school_idx').on(t.schoolId, t.ranAt)],
);

export type RetentionRun = typeof retentionRuns.$inferSelect;

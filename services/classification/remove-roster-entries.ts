import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { rosterEntries } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInputFrom, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { bumpLexiconVersion } from './school-classifier-cache.js';
import { loadSchoolFor, ROSTER_KEEPERS } from './school-lexicon-access.js';

export const removeRosterInput = z.union([
  z.object({ ids: z.array(z.uuid()).min(1).max(5_000) }),
  z.object({ all: z.literal(true) }),
]);

/**
 * Removes pupils from the roster (a pupil who left), or the whole roster. The audit entry holds
 * the count and the row ids, never a name. Safeguarding leads and trust admins only.
 */
export async function removeRosterEntries(
  ctx: ServiceContext,
  schoolId: string,
  raw: unknown,
): Promise<{ removed: number }> {
  const parsed = removeRosterInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const input = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const school = await loadSchoolFor(
      ctx,
      tx,
      schoolId,
      ROSTER_KEEPERS,
      "change the school's pupil roster",
      {
        forUpdate: true,
      },
    );
    const removed = await tx
      .delete(rosterEntries)
      .where(
        and(
          eq(rosterEntries.schoolId, schoolId),
          'ids' in input ? inArray(rosterEntries.id, input.ids) : undefined,
        ),
      )
      .returning({ id: rosterEntries.id });
    if ('ids' in input && removed.length === 0) throw notFound('That roster entry');
    await bumpLexiconVersion(tx, schoolId);
    await emitAudit(tx, ctx, {
      action: 'school.roster_changed',
      schoolId,
      subject: { type: 'school', id: schoolId, label: school.name },
      details: {
        change: 'removed',
        removed: removed.length,
        all: 'all' in input,
        entryIds: 'ids' in input ? removed.map((r) => r.id) : undefined,
      },
    });
    return { removed: removed.length };
  });
}

import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { rosterEntries } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { decryptSecret, encryptSecret } from '../core/secret-box.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, invalidInputFrom } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { MAX_ROSTER_CSV_CHARS, MAX_ROSTER_ROWS, parseRosterCsv, rosterKey } from './roster-csv.js';
import { bumpLexiconVersion } from './school-classifier-cache.js';
import { loadSchoolFor, ROSTER_KEEPERS } from './school-lexicon-access.js';
import type { RosterEntry } from './types.js';

export const importRosterInput = z.object({
  /** CSV text: first name, last name, year group or class (header row optional). */
  csv: z.string().min(1).max(MAX_ROSTER_CSV_CHARS),
  /** replace: the new list is the whole roster (the start of a school year); append: adds to it. */
  mode: z.enum(['append', 'replace']).default('append'),
});
export type ImportRosterInput = z.input<typeof importRosterInput>;

export interface ImportRosterResult {
  imported: number;
  duplicates: number;
  removed: number;
  total: number;
  problems: { row: number; reason: string }[];
}

/**
 * Imports the school's pupil roster so comments naming a pupil are escalated as safeguarding
 * (P11), and staff replies naming one are refused. Each entry is encrypted under ENCRYPTION_KEY;
 * names never reach a log, an error message or the audit log (which records counts only).
 * Safeguarding leads and trust admins only. A file with any bad row is refused whole, by row number.
 */
export async function importRoster(
  ctx: ServiceContext,
  schoolId: string,
  raw: unknown,
  encryptionKey: Buffer,
): Promise<ImportRosterResult> {
  const parsedInput = importRosterInput.safeParse(raw);
  if (!parsedInput.success) throw invalidInputFrom(parsedInput.error);
  const input = parsedInput.data;
  return withTransaction(ctx, async (tx) => {
    const school = await loadSchoolFor(
      ctx,
      tx,
      schoolId,
      ROSTER_KEEPERS,
      "import the school's pupil roster",
      {
        forUpdate: true,
      },
    );
    const { entries, problems } = parseRosterCsv(input.csv);
    if (problems.length) {
      throw invalidInput(
        `The roster has ${problems.length} row(s) that cannot be read; nothing was imported`,
        {
          problems: problems.slice(0, 50),
        },
      );
    }
    if (entries.length === 0) throw invalidInput('The roster has no pupils in it');

    const existing = await tx
      .select({ id: rosterEntries.id, sealed: rosterEntries.entryEncrypted })
      .from(rosterEntries)
      .where(eq(rosterEntries.schoolId, schoolId));
    let removed = 0;
    const seen = new Set<string>();
    if (input.mode === 'replace') {
      if (existing.length) await tx.delete(rosterEntries).where(eq(rosterEntries.schoolId, schoolId));
      removed = existing.length;
    } else {
      for (const row of existing) {
        seen.add(rosterKey(JSON.parse(decryptSecret(encryptionKey, row.sealed)) as RosterEntry));
      }
    }
    const fresh: RosterEntry[] = [];
    let duplicates = 0;
    for (const entry of entries) {
      const key = rosterKey(entry);
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      fresh.push(entry);
    }
    const total = (input.mode === 'replace' ? 0 : existing.length) + fresh.length;
    if (total > MAX_ROSTER_ROWS) {
      throw invalidInput(`A roster holds at most ${MAX_ROSTER_ROWS} pupils; this would make ${total}`);
    }
    for (let i = 0; i < fresh.length; i += 500) {
      await tx.insert(rosterEntries).values(
        fresh.slice(i, i + 500).map((entry) => ({
          schoolId,
          entryEncrypted: encryptSecret(encryptionKey, JSON.stringify(entry)),
        })),
      );
    }
    await bumpLexiconVersion(tx, schoolId);
    await emitAudit(tx, ctx, {
      action: 'school.roster_changed',
      schoolId,
      subject: { type: 'school', id: schoolId, label: school.name },
      details: { change: 'imported', mode: input.mode, imported: fresh.length, duplicates, removed, total },
    });
    return { imported: fresh.length, duplicates, removed, total, problems: [] };
  });
}

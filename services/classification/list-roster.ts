import { asc, eq } from 'drizzle-orm';
import { rosterEntries } from '../../db/schema/index.js';
import { decryptSecret } from '../core/secret-box.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { loadSchoolFor, ROSTER_KEEPERS } from './school-lexicon-access.js';
import type { RosterEntry } from './types.js';

export interface RosterEntryView extends RosterEntry {
  id: string;
  createdAt: Date;
}

/**
 * The school's pupil roster, decrypted, for the safeguarding lead and trust admins only (anyone
 * else is refused). Not audited per read (it changes nothing), but the route is not cached.
 */
export async function listRoster(
  ctx: ServiceContext,
  schoolId: string,
  encryptionKey: Buffer,
): Promise<{ count: number; entries: RosterEntryView[] }> {
  const db = queryable(ctx);
  await loadSchoolFor(ctx, db, schoolId, ROSTER_KEEPERS, "see the school's pupil roster");
  const rows = await db
    .select()
    .from(rosterEntries)
    .where(eq(rosterEntries.schoolId, schoolId))
    .orderBy(asc(rosterEntries.createdAt), asc(rosterEntries.id));
  const entries = rows.map((r) => {
    const entry = JSON.parse(decryptSecret(encryptionKey, r.entryEncrypted)) as RosterEntry;
    return {
      id: r.id,
      firstName: entry.firstName,
      lastName: entry.lastName,
      ...(entry.yearGroup ? { yearGroup: entry.yearGroup } : {}),
      ...(entry.className ? { className: entry.className } : {}),
      createdAt: r.createdAt,
    };
  });
  entries.sort(
    (a, b) =>
      a.lastName.localeCompare(b.lastName, 'en-GB') || a.firstName.localeCompare(b.firstName, 'en-GB'),
  );
  return { count: entries.length, entries };
}

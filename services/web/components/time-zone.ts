import { AsyncLocalStorage } from 'node:async_hooks';
import { DateTime } from 'luxon';

/**
 * The time zone a page shows its times in, for the request being rendered. The page kit's
 * renderPage sets it (services/api/page-kit.ts) so `<Time>` needs no prop threaded through pages.
 * Outside a page render (a job, a test rendering a component alone) times show in Europe/London,
 * every school's default.
 */
export const DEFAULT_TIME_ZONE = 'Europe/London';

interface ZoneStore {
  zone: string;
  /** The zones of the viewer's schools, so a page can switch to its subject's school. */
  bySchool: ReadonlyMap<string, string>;
}

const storage = new AsyncLocalStorage<ZoneStore>();

/** Runs `fn` with `zone` as the zone its `<Time>`s show. */
export function runInTimeZone<T>(
  zone: string,
  fn: () => T,
  bySchool: ReadonlyMap<string, string> = new Map(),
): T {
  return storage.run({ zone: validZone(zone), bySchool }, fn);
}

/**
 * The page's subject belongs to `schoolId` (a comment, an account): show its times in that
 * school's zone, when it is one of the viewer's schools (otherwise the viewer's zone stays).
 */
export function showTimesForSchool(schoolId: string | null | undefined): void {
  const store = storage.getStore();
  const zone = schoolId ? store?.bySchool.get(schoolId) : undefined;
  if (store && zone) store.zone = validZone(zone);
}

export function currentTimeZone(): string {
  return storage.getStore()?.zone ?? DEFAULT_TIME_ZONE;
}

function validZone(zone: string): string {
  return DateTime.local().setZone(zone).isValid ? zone : DEFAULT_TIME_ZONE;
}

/** "2026-07-02 00:30 BST": a point in time in the page's zone, with the zone's abbreviation. */
export function formatInZone(at: Date, zone = currentTimeZone(), withSeconds = false): string {
  const t = DateTime.fromJSDate(at, { zone });
  return t.toFormat(withSeconds ? 'yyyy-MM-dd HH:mm:ss ZZZZ' : 'yyyy-MM-dd HH:mm ZZZZ', { locale: 'en-GB' });
}

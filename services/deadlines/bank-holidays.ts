import { z } from 'zod';
import englandAndWales from '../../config/holidays/england-and-wales.json' with { type: 'json' };
import northernIreland from '../../config/holidays/northern-ireland.json' with { type: 'json' };
import scotland from '../../config/holidays/scotland.json' with { type: 'json' };

export const HOLIDAY_REGIONS = ['england-and-wales', 'scotland', 'northern-ireland'] as const;
export type HolidayRegion = (typeof HOLIDAY_REGIONS)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const holidayFileSchema = z.object({
  region: z.enum(HOLIDAY_REGIONS),
  source: z.string().min(1),
  covers: z.object({ from: isoDate, to: isoDate }),
  dates: z.array(z.object({ date: isoDate, title: z.string().min(1) })).min(1),
});
export type HolidayFile = z.infer<typeof holidayFileSchema>;

export interface RegionHolidays {
  readonly region: HolidayRegion;
  /** First and last date (inclusive, YYYY-MM-DD) the data is complete for. */
  readonly covers: { readonly from: string; readonly to: string };
  readonly dates: ReadonlySet<string>;
  readonly titles: ReadonlyMap<string, string>;
}

function load(raw: unknown, expected: HolidayRegion): RegionHolidays {
  // Parsed at import so a bad edit to the data stops start-up rather than moving deadlines.
  const file = holidayFileSchema.parse(raw);
  if (file.region !== expected) {
    throw new Error(`config/holidays/${expected}.json says region '${file.region}'`);
  }
  const titles = new Map(file.dates.map((d) => [d.date, d.title] as const));
  return Object.freeze({
    region: file.region,
    covers: Object.freeze({ ...file.covers }),
    dates: new Set(titles.keys()),
    titles,
  });
}

const byRegion: Readonly<Record<HolidayRegion, RegionHolidays>> = Object.freeze({
  'england-and-wales': load(englandAndWales, 'england-and-wales'),
  scotland: load(scotland, 'scotland'),
  'northern-ireland': load(northernIreland, 'northern-ireland'),
});

export function bankHolidays(region: HolidayRegion): RegionHolidays {
  return byRegion[region];
}

/** True when `isoDate` (YYYY-MM-DD, local to the school) is a bank holiday in `region`. */
export function isBankHoliday(isoDate: string, region: HolidayRegion | 'none'): boolean {
  return region !== 'none' && byRegion[region].dates.has(isoDate);
}

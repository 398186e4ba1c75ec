import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  bankHolidays,
  HOLIDAY_REGIONS,
  type HolidayRegion,
  holidayFileSchema,
  isBankHoliday,
} from '../../../services/deadlines/bank-holidays.js';

// The data is typed in by hand from GOV.UK; this test recomputes every year from the statutory
// rules (Easter, first/last Mondays, substitute days) so a slip in either shows up as a diff.

const YEARS = [2024, 2025, 2026, 2027, 2028];

// One-off royal proclamations the rules cannot know about.
const PROCLAMATIONS: Record<HolidayRegion, string[]> = {
  'england-and-wales': [],
  scotland: ['2026-06-15'],
  'northern-ireland': [],
};

function d(year: number, month: number, day: number): DateTime {
  return DateTime.utc(year, month, day);
}

/** Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
function easterSunday(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const dd = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - dd - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return d(year, month, day);
}

function firstMonday(year: number, month: number): DateTime {
  const first = d(year, month, 1);
  return first.plus({ days: (8 - first.weekday) % 7 });
}

function lastMonday(year: number, month: number): DateTime {
  const last = d(year, month, 1).endOf('month').startOf('day');
  return last.minus({ days: (last.weekday + 6) % 7 });
}

const isWeekend = (x: DateTime) => x.weekday >= 6;

function expectedDates(region: HolidayRegion, year: number): string[] {
  const easter = easterSunday(year);
  const movable = [easter.minus({ days: 2 }), firstMonday(year, 5), lastMonday(year, 5)];
  if (region !== 'scotland') movable.push(easter.plus({ days: 1 }), lastMonday(year, 8));
  else movable.push(firstMonday(year, 8));

  const fixed = [d(year, 1, 1), d(year, 12, 25), d(year, 12, 26)];
  if (region === 'scotland') fixed.push(d(year, 1, 2), d(year, 11, 30));
  if (region === 'northern-ireland') fixed.push(d(year, 3, 17), d(year, 7, 12));
  fixed.sort((a, b) => a.toMillis() - b.toMillis());

  // A fixed holiday at a weekend moves to the next weekday not already a holiday.
  const taken = new Set(movable.map((x) => x.toISODate()));
  for (const date of fixed) {
    let day = date;
    while (isWeekend(day) || (day.toMillis() !== date.toMillis() && taken.has(day.toISODate()))) {
      day = day.plus({ days: 1 });
    }
    taken.add(day.toISODate());
  }
  for (const p of PROCLAMATIONS[region]) if (p.startsWith(`${year}-`)) taken.add(p);
  return [...taken].filter((x): x is string => x !== null).sort();
}

function rawFile(region: HolidayRegion): unknown {
  return JSON.parse(
    readFileSync(new URL(`../../../config/holidays/${region}.json`, import.meta.url), 'utf8'),
  );
}

describe('Easter (the movable feasts everything else hangs on)', () => {
  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
  ])('%i: Easter Sunday is %s', (year, date) => {
    expect(easterSunday(year).toISODate()).toBe(date);
  });
});

describe.each(HOLIDAY_REGIONS)('bank holidays: %s', (region) => {
  const file = holidayFileSchema.parse(rawFile(region));

  it('is a well-formed file for its own region, covering 2024–2028', () => {
    expect(file.region).toBe(region);
    expect(file.source).toMatch(/gov\.uk/i);
    expect(file.covers).toEqual({ from: '2024-01-01', to: '2028-12-31' });
  });

  it('has real dates, all weekdays, all in 2024–2028, sorted, no duplicates, each titled', () => {
    const dates = file.dates.map((x) => x.date);
    for (const { date, title } of file.dates) {
      const parsed = DateTime.fromISO(date, { zone: 'utc' });
      expect(parsed.isValid, date).toBe(true);
      expect(parsed.weekday, `${date} ${title} falls at a weekend`).toBeLessThanOrEqual(5);
      expect(parsed.year).toBeGreaterThanOrEqual(2024);
      expect(parsed.year).toBeLessThanOrEqual(2028);
      expect(title.trim()).not.toBe('');
    }
    expect(new Set(dates).size).toBe(dates.length);
    expect(dates).toEqual([...dates].sort());
  });

  it.each(YEARS)('%i matches the statutory rules with substitute days', (year) => {
    const listed = file.dates.map((x) => x.date).filter((x) => x.startsWith(`${year}-`));
    expect(listed).toEqual(expectedDates(region, year));
  });

  it('is what the loader serves', () => {
    expect([...bankHolidays(region).dates].sort()).toEqual(file.dates.map((x) => x.date));
  });
});

describe('known dates', () => {
  it.each<[HolidayRegion, string, boolean]>([
    ['england-and-wales', '2026-08-31', true], // summer bank holiday, last Monday of August
    ['england-and-wales', '2026-08-03', false],
    ['scotland', '2026-08-03', true], // first Monday of August
    ['scotland', '2026-08-31', false],
    ['northern-ireland', '2026-07-13', true], // Boyne: 12 July 2026 is a Sunday
    ['northern-ireland', '2026-07-12', false],
    ['england-and-wales', '2026-12-28', true], // Boxing Day substitute
    ['england-and-wales', '2027-12-27', true],
    ['england-and-wales', '2027-12-28', true],
    ['england-and-wales', '2028-01-03', true],
    ['england-and-wales', '2026-04-06', true], // Easter Monday
    ['northern-ireland', '2026-04-06', true],
    ['scotland', '2026-04-06', false], // no Easter Monday in Scotland
    ['scotland', '2026-04-03', true], // but Good Friday
    ['scotland', '2026-01-02', true],
    ['england-and-wales', '2026-01-02', false],
    ['scotland', '2027-01-04', true], // 2 January 2027 is a Saturday
    ['scotland', '2028-01-04', true], // 1 and 2 January 2028 at a weekend: 3rd and 4th
    ['scotland', '2024-12-02', true], // St Andrew's Day substitute
    ['scotland', '2025-12-01', true],
    ['scotland', '2026-11-30', true],
    ['england-and-wales', '2026-11-30', false],
    ['northern-ireland', '2024-03-18', true], // St Patrick's Day substitute
    ['northern-ireland', '2026-03-17', true],
    ['england-and-wales', '2026-03-17', false],
    ['england-and-wales', '2026-05-25', true], // late May bank holiday
    ['scotland', '2026-06-15', true], // proclaimed for the World Cup
    ['england-and-wales', '2026-06-15', false],
  ])('%s %s → %s', (region, date, expected) => {
    expect(isBankHoliday(date, region)).toBe(expected);
  });

  it("region 'none' has no bank holidays", () => {
    expect(isBankHoliday('2026-12-25', 'none')).toBe(false);
  });
});

import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { bankHolidays } from '../../../services/deadlines/bank-holidays.js';
import { computeDeadline } from '../../../services/deadlines/compute-deadline.js';
import { parseSchoolCalendar, type SchoolCalendar } from '../../../services/deadlines/school-calendar.js';

// Properties of rule P2 over random instants in 2024–2028 and random valid calendars. Working
// days are recomputed here from first principles rather than through the module under test.

const ZONES = [
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Sao_Paulo',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Asia/Kolkata',
];
const HOUR = 3_600_000;
const FROM = Date.UTC(2024, 0, 1);
const TO = Date.UTC(2028, 11, 1);

const isoDay = fc
  .integer({ min: 0, max: 365 * 5 - 40 })
  .map((n) => DateTime.utc(2024, 1, 1).plus({ days: n }));
const closure = fc
  .record({ start: isoDay, length: fc.integer({ min: 0, max: 20 }) })
  .map(({ start, length }) => ({
    from: start.toISODate() ?? '',
    to: start.plus({ days: length }).toISODate() ?? '',
    label: 'closure',
  }));
const clock = (minHour: number, maxHour: number) =>
  fc
    .record({ h: fc.integer({ min: minHour, max: maxHour }), m: fc.constantFrom(0, 15, 30, 45) })
    .map(({ h, m }) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

function calendarArb(mode: 'elapsed' | 'working_hours', maxHours: number): fc.Arbitrary<SchoolCalendar> {
  return fc
    .record({
      timeZone: fc.constantFrom(...ZONES),
      workingDays: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
      workdayStart: clock(6, 10),
      workdayEnd: clock(12, 20),
      region: fc.constantFrom('england-and-wales', 'scotland', 'northern-ireland', 'none') as fc.Arbitrary<
        SchoolCalendar['region']
      >,
      closures: fc.array(closure, { maxLength: 6 }),
      responseHours: fc.oneof(
        fc.constant(24),
        fc.integer({ min: 1, max: maxHours }),
        fc.constantFrom(0.5, 7.5),
      ),
      holidaysCountAsWeekend: fc.boolean(),
      warnAtFraction: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    })
    .map((c) => parseSchoolCalendar({ ...c, mode }));
}

const instant = fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms));

function isWorkingRef(day: DateTime, cal: SchoolCalendar): boolean {
  const iso = day.toISODate() ?? '';
  if (!cal.workingDays.includes(day.weekday)) return false;
  if (cal.holidaysCountAsWeekend && cal.region !== 'none' && bankHolidays(cal.region).dates.has(iso))
    return false;
  return !cal.closures.some((c) => c.from <= iso && iso <= c.to);
}

function localDay(date: Date, cal: SchoolCalendar): DateTime {
  const l = DateTime.fromJSDate(date, { zone: cal.timeZone });
  return DateTime.utc(l.year, l.month, l.day);
}

function nextWorkingRef(day: DateTime, cal: SchoolCalendar): DateTime | undefined {
  let d = day;
  for (let i = 0; i < 366; i++) {
    d = d.plus({ days: 1 });
    if (isWorkingRef(d, cal)) return d;
  }
  return undefined;
}

function wall(day: DateTime, hhmm: string, zone: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: h, minute: m },
    { zone },
  ).toMillis();
}

/** Runs the property only where the calendar has a working day within reach of `at`. */
function reachable(at: Date, cal: SchoolCalendar): boolean {
  return isWorkingRef(localDay(at, cal), cal) || nextWorkingRef(localDay(at, cal), cal) !== undefined;
}

describe('rule P2 properties (elapsed mode)', () => {
  it('received on a working day: the deadline is never earlier than received + responseHours', () => {
    fc.assert(
      fc.property(instant, calendarArb('elapsed', 72), (at, cal) => {
        fc.pre(isWorkingRef(localDay(at, cal), cal));
        const r = computeDeadline(at, cal);
        expect(r.receivedOnWorkingDay).toBe(true);
        expect(r.deadline.getTime()).toBeGreaterThanOrEqual(at.getTime() + cal.responseHours * HOUR);
      }),
      { numRuns: 300 },
    );
  });

  it('received on a non-working day: due on the next working day, no later than its workdayEnd', () => {
    fc.assert(
      fc.property(instant, calendarArb('elapsed', 72), (at, cal) => {
        const day = localDay(at, cal);
        fc.pre(!isWorkingRef(day, cal));
        const next = nextWorkingRef(day, cal);
        fc.pre(next !== undefined);
        const r = computeDeadline(at, cal);
        expect(r.receivedOnWorkingDay).toBe(false);
        expect(r.deadline.getTime()).toBeLessThanOrEqual(wall(next!, cal.workdayEnd, cal.timeZone));
        expect(localDay(r.deadline, cal).toISODate()).toBe(next!.toISODate());
        expect(isWorkingRef(localDay(r.deadline, cal), cal)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('is monotonic: a later comment never gets an earlier deadline (windows up to 24 h)', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 96 * HOUR }),
        calendarArb('elapsed', 24),
        (a, delta, cal) => {
          const b = new Date(a.getTime() + delta);
          fc.pre(reachable(a, cal) && reachable(b, cal));
          expect(computeDeadline(b, cal).deadline.getTime()).toBeGreaterThanOrEqual(
            computeDeadline(a, cal).deadline.getTime(),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('warnAt lies between received and the deadline, which is after received', () => {
    fc.assert(
      fc.property(instant, calendarArb('elapsed', 72), (at, cal) => {
        fc.pre(reachable(at, cal));
        const r = computeDeadline(at, cal);
        expect(r.deadline.getTime()).toBeGreaterThan(at.getTime());
        expect(r.warnAt.getTime()).toBeGreaterThanOrEqual(at.getTime());
        expect(r.warnAt.getTime()).toBeLessThanOrEqual(r.deadline.getTime());
      }),
      { numRuns: 300 },
    );
  });
});

describe('rule P2 properties (working_hours mode)', () => {
  const reachableHours = (at: Date, cal: SchoolCalendar) => {
    try {
      computeDeadline(at, cal);
      return true;
    } catch {
      return false;
    }
  };

  it('lands inside working hours of a working day, after received, with warnAt between', () => {
    fc.assert(
      fc.property(instant, calendarArb('working_hours', 48), (at, cal) => {
        fc.pre(reachableHours(at, cal));
        const r = computeDeadline(at, cal);
        const day = localDay(r.deadline, cal);
        expect(isWorkingRef(day, cal)).toBe(true);
        expect(r.deadline.getTime()).toBeGreaterThan(
          Math.max(at.getTime(), wall(day, cal.workdayStart, cal.timeZone)),
        );
        expect(r.deadline.getTime()).toBeLessThanOrEqual(wall(day, cal.workdayEnd, cal.timeZone));
        expect(r.warnAt.getTime()).toBeGreaterThanOrEqual(at.getTime());
        expect(r.warnAt.getTime()).toBeLessThanOrEqual(r.deadline.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('is monotonic in the received time', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 96 * HOUR }),
        calendarArb('working_hours', 48),
        (a, delta, cal) => {
          const b = new Date(a.getTime() + delta);
          fc.pre(reachableHours(a, cal) && reachableHours(b, cal));
          expect(computeDeadline(b, cal).deadline.getTime()).toBeGreaterThanOrEqual(
            computeDeadline(a, cal).deadline.getTime(),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never gives less working time than elapsed time would (deadline ≥ received + responseHours)', () => {
    fc.assert(
      fc.property(instant, calendarArb('working_hours', 48), (at, cal) => {
        fc.pre(reachableHours(at, cal));
        expect(computeDeadline(at, cal).deadline.getTime()).toBeGreaterThanOrEqual(
          at.getTime() + cal.responseHours * HOUR,
        );
      }),
      { numRuns: 300 },
    );
  });
});

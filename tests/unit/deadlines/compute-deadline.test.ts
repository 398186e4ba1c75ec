import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { computeDeadline, ruleVersionOf } from '../../../services/deadlines/compute-deadline.js';
import {
  parseSchoolCalendar,
  type SchoolCalendar,
  type SchoolCalendarInput,
} from '../../../services/deadlines/school-calendar.js';
import { DeadlineCalendarError } from '../../../services/deadlines/working-days.js';

/** An instant given as wall-clock time in `zone`, e.g. '2026-06-12T16:00'. */
function at(local: string, zone = 'Europe/London'): Date {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`bad test time ${local}`);
  return dt.toJSDate();
}

/** The deadline as the school's wall clock shows it, with its UTC offset. */
function local(date: Date, zone = 'Europe/London'): string {
  return DateTime.fromJSDate(date, { zone }).toISO({ suppressMilliseconds: true }) ?? 'invalid';
}

function cal(input: SchoolCalendarInput = {}): SchoolCalendar {
  return parseSchoolCalendar(input);
}

const HOUR = 3_600_000;

describe('the literal policy in Europe/London (24 hours, or the next working day after a weekend)', () => {
  it.each<[string, string, string, boolean]>([
    [
      'Friday 16:00 → Saturday 16:00 (24 elapsed hours)',
      '2026-06-12T16:00',
      '2026-06-13T16:00:00+01:00',
      true,
    ],
    ['Saturday 10:00 → Monday 17:00', '2026-06-13T10:00', '2026-06-15T17:00:00+01:00', false],
    ['Sunday 23:59 → Monday 17:00', '2026-06-14T23:59', '2026-06-15T17:00:00+01:00', false],
    ['Monday 00:00 → Tuesday 00:00', '2026-06-15T00:00', '2026-06-16T00:00:00+01:00', true],
    ['Wednesday 09:15 → Thursday 09:15', '2026-06-10T09:15', '2026-06-11T09:15:00+01:00', true],
    ['early May bank holiday Monday → Tuesday 17:00', '2026-05-04T09:00', '2026-05-05T17:00:00+01:00', false],
    [
      'Saturday before a bank holiday → Tuesday 17:00',
      '2026-05-02T11:00',
      '2026-05-05T17:00:00+01:00',
      false,
    ],
    ['Good Friday → Tuesday after Easter Monday', '2026-04-03T12:00', '2026-04-07T17:00:00+01:00', false],
    ['Christmas Eve (working) → Christmas Day', '2026-12-24T10:00', '2026-12-25T10:00:00+00:00', true],
    [
      'Christmas Day → Tuesday 29th (Boxing Day substitute on 28th)',
      '2026-12-25T10:00',
      '2026-12-29T17:00:00+00:00',
      false,
    ],
  ])('%s', (_, received, expected, onWorkingDay) => {
    const result = computeDeadline(at(received), cal());
    expect(local(result.deadline)).toBe(expected);
    expect(result.receivedOnWorkingDay).toBe(onWorkingDay);
  });

  it('reads the received instant in the school zone, not UTC (23:30 UTC Friday is Saturday in BST)', () => {
    const result = computeDeadline(new Date('2026-06-12T23:30:00+00:00'), cal());
    expect(result.receivedOnWorkingDay).toBe(false);
    expect(local(result.deadline)).toBe('2026-06-15T17:00:00+01:00');
  });

  it('keeps millisecond precision of a working-day receipt', () => {
    const received = new Date('2026-06-10T08:15:30.123Z');
    expect(computeDeadline(received, cal()).deadline.getTime()).toBe(received.getTime() + 24 * HOUR);
  });
});

describe('closures', () => {
  const christmas = { from: '2026-12-21', to: '2027-01-01', label: 'Christmas closure' };

  it('a comment during the Christmas closure is due on the first working day, 2027-01-04 17:00', () => {
    const result = computeDeadline(at('2026-12-22T10:00'), cal({ closures: [christmas] }));
    expect(local(result.deadline)).toBe('2027-01-04T17:00:00+00:00');
    expect(result.receivedOnWorkingDay).toBe(false);
  });

  it('gives the same answer when the closure stops on 31 December (1 January is a bank holiday anyway)', () => {
    const result = computeDeadline(
      at('2026-12-22T10:00'),
      cal({ closures: [{ ...christmas, to: '2026-12-31' }] }),
    );
    expect(local(result.deadline)).toBe('2027-01-04T17:00:00+00:00');
  });

  it('in Scotland the same closure runs on to Tuesday 5 January (4 January is 2 January substitute)', () => {
    const calendar = cal({ region: 'scotland', closures: [{ ...christmas, to: '2026-12-31' }] });
    expect(local(computeDeadline(at('2026-12-22T10:00'), calendar).deadline)).toBe(
      '2027-01-05T17:00:00+00:00',
    );
  });

  it('a working day just before the closure still gets 24 elapsed hours, into the closure', () => {
    const result = computeDeadline(at('2026-12-18T16:00'), cal({ closures: [christmas] }));
    expect(local(result.deadline)).toBe('2026-12-19T16:00:00+00:00');
  });

  it('an INSET day on a Monday moves a weekend comment to Tuesday', () => {
    const calendar = cal({ closures: [{ from: '2026-06-15', to: '2026-06-15', label: 'INSET day' }] });
    expect(local(computeDeadline(at('2026-06-13T10:00'), calendar).deadline)).toBe(
      '2026-06-16T17:00:00+01:00',
    );
  });
});

describe('regions: Scotland, Northern Ireland and England & Wales differ', () => {
  it.each<[string, SchoolCalendarInput['region'], string, string]>([
    [
      '2 January 2026 (Friday): working in E&W',
      'england-and-wales',
      '2026-01-02T10:00',
      '2026-01-03T10:00:00+00:00',
    ],
    [
      '2 January 2026 (Friday): holiday in Scotland',
      'scotland',
      '2026-01-02T10:00',
      '2026-01-05T17:00:00+00:00',
    ],
    [
      "St Andrew's Day 2026 (Monday): working in E&W",
      'england-and-wales',
      '2026-11-30T10:00',
      '2026-12-01T10:00:00+00:00',
    ],
    [
      "St Andrew's Day 2026 (Monday): holiday in Scotland",
      'scotland',
      '2026-11-30T10:00',
      '2026-12-01T17:00:00+00:00',
    ],
    [
      "St Andrew's Day substitute 2025-12-01 in Scotland",
      'scotland',
      '2025-12-01T10:00',
      '2025-12-02T17:00:00+00:00',
    ],
    [
      'Easter Monday 2026: holiday in E&W',
      'england-and-wales',
      '2026-04-06T10:00',
      '2026-04-07T17:00:00+01:00',
    ],
    ['Easter Monday 2026: working in Scotland', 'scotland', '2026-04-06T10:00', '2026-04-07T10:00:00+01:00'],
    [
      'Saturday before the Scottish World Cup holiday',
      'scotland',
      '2026-06-13T10:00',
      '2026-06-16T17:00:00+01:00',
    ],
    ['summer holiday 2026-08-03: Scotland', 'scotland', '2026-08-03T10:00', '2026-08-04T17:00:00+01:00'],
    [
      'summer holiday 2026-08-03: working in E&W',
      'england-and-wales',
      '2026-08-03T10:00',
      '2026-08-04T10:00:00+01:00',
    ],
    [
      "St Patrick's Day 2026 (Tuesday): NI",
      'northern-ireland',
      '2026-03-17T10:00',
      '2026-03-18T17:00:00+00:00',
    ],
    ['Boyne substitute 2026-07-13: NI', 'northern-ireland', '2026-07-13T10:00', '2026-07-14T17:00:00+01:00'],
    [
      'Boyne substitute 2026-07-13: working in E&W',
      'england-and-wales',
      '2026-07-13T10:00',
      '2026-07-14T10:00:00+01:00',
    ],
    ['no region: Christmas Day is a working Friday', 'none', '2026-12-25T10:00', '2026-12-26T10:00:00+00:00'],
  ])('%s', (_, region, received, expected) => {
    expect(local(computeDeadline(at(received), cal({ region })).deadline)).toBe(expected);
  });
});

describe('daylight saving (the clocks change on 2026-03-29 and 2026-10-25)', () => {
  it('Saturday 28 March 01:30 GMT → Monday 30 March 17:00 BST', () => {
    const result = computeDeadline(at('2026-03-28T01:30'), cal());
    expect(local(result.deadline)).toBe('2026-03-30T17:00:00+01:00');
    expect(result.deadline.toISOString()).toBe('2026-03-30T16:00:00.000Z');
  });

  it('Friday 23 October 02:30 BST → 24 real hours later', () => {
    const received = at('2026-10-23T02:30');
    const result = computeDeadline(received, cal());
    expect(result.deadline.getTime() - received.getTime()).toBe(24 * HOUR);
    expect(local(result.deadline)).toBe('2026-10-24T02:30:00+01:00');
  });

  it('Friday 23 October 12:00 BST with a 48-hour window crosses the change: 48 real hours is Sunday 11:00 GMT', () => {
    const received = at('2026-10-23T12:00');
    const result = computeDeadline(received, cal({ responseHours: 48 }));
    expect(result.deadline.getTime() - received.getTime()).toBe(48 * HOUR);
    expect(local(result.deadline)).toBe('2026-10-25T11:00:00+00:00');
  });

  it.each<[string, string, string]>([
    ['seven-day week, Saturday before spring forward', '2026-03-28T12:00', '2026-03-29T13:00:00+01:00'],
    ['seven-day week, Saturday before fall back', '2026-10-24T12:00', '2026-10-25T11:00:00+00:00'],
  ])('%s: 24 real hours, so the wall clock moves by an hour', (_, received, expected) => {
    const result = computeDeadline(at(received), cal({ workingDays: [1, 2, 3, 4, 5, 6, 7] }));
    expect(local(result.deadline)).toBe(expected);
  });

  it.each<[string, Date, string]>([
    [
      'Sunday 29 March 00:30 GMT (before spring forward)',
      at('2026-03-29T00:30'),
      '2026-03-30T17:00:00+01:00',
    ],
    ['Sunday 29 March 03:30 BST (after spring forward)', at('2026-03-29T03:30'), '2026-03-30T17:00:00+01:00'],
    [
      'Sunday 25 October 01:30 BST (first 01:30)',
      new Date('2026-10-25T00:30:00+00:00'),
      '2026-10-26T17:00:00+00:00',
    ],
    [
      'Sunday 25 October 01:30 GMT (second 01:30)',
      new Date('2026-10-25T01:30:00+00:00'),
      '2026-10-26T17:00:00+00:00',
    ],
    ['Sunday 25 October 23:00 GMT', at('2026-10-25T23:00'), '2026-10-26T17:00:00+00:00'],
  ])('%s → Monday 17:00 local wall-clock time', (_, received, expected) => {
    expect(local(computeDeadline(received, cal()).deadline)).toBe(expected);
  });
});

describe('holidaysCountAsWeekend: false', () => {
  const calendar = cal({ holidaysCountAsWeekend: false });

  it('a bank-holiday Monday is a working day: 24 elapsed hours', () => {
    const result = computeDeadline(at('2026-05-04T09:00'), calendar);
    expect(result.receivedOnWorkingDay).toBe(true);
    expect(local(result.deadline)).toBe('2026-05-05T09:00:00+01:00');
  });

  it('a weekend comment is due on the bank holiday', () => {
    expect(local(computeDeadline(at('2026-05-02T10:00'), calendar).deadline)).toBe(
      '2026-05-04T17:00:00+01:00',
    );
  });

  it('closures still close', () => {
    const closed = cal({
      holidaysCountAsWeekend: false,
      closures: [{ from: '2026-05-04', to: '2026-05-04', label: 'INSET' }],
    });
    expect(local(computeDeadline(at('2026-05-02T10:00'), closed).deadline)).toBe('2026-05-05T17:00:00+01:00');
  });
});

describe('working_hours mode (only 08:00–17:00 on working days count)', () => {
  it.each<[string, SchoolCalendarInput, string, string]>([
    ['24 working hours from Monday 10:00: 7 + 9 + 8', {}, '2026-06-08T10:00', '2026-06-10T16:00:00+01:00'],
    [
      '9 hours from Monday 08:00 ends at 17:00 that day, not 08:00 next day',
      { responseHours: 9 },
      '2026-06-08T08:00',
      '2026-06-08T17:00:00+01:00',
    ],
    ['before hours starts at 08:00', { responseHours: 4 }, '2026-06-08T06:00', '2026-06-08T12:00:00+01:00'],
    [
      'after hours starts at next 08:00',
      { responseHours: 4 },
      '2026-06-08T18:00',
      '2026-06-09T12:00:00+01:00',
    ],
    [
      'Friday 16:00 with 8 hours: 1 on Friday, 7 on Monday',
      { responseHours: 8 },
      '2026-06-12T16:00',
      '2026-06-15T15:00:00+01:00',
    ],
    [
      'Saturday starts at Monday 08:00',
      { responseHours: 3 },
      '2026-06-13T10:00',
      '2026-06-15T11:00:00+01:00',
    ],
    ['skips a bank holiday Monday', { responseHours: 4 }, '2026-05-01T15:00', '2026-05-05T10:00:00+01:00'],
    ['across the spring clock change', { responseHours: 2 }, '2026-03-27T16:00', '2026-03-30T09:00:00+01:00'],
    [
      'custom hours 09:00–15:30',
      { responseHours: 7, workdayStart: '09:00', workdayEnd: '15:30' },
      '2026-06-08T14:00',
      '2026-06-09T14:30:00+01:00',
    ],
  ])('%s', (_, input, received, expected) => {
    const result = computeDeadline(at(received), cal({ mode: 'working_hours', ...input }));
    expect(local(result.deadline)).toBe(expected);
  });
});

describe('custom responseHours (elapsed)', () => {
  it('48 hours from Friday 16:00 is Sunday 16:00', () => {
    expect(local(computeDeadline(at('2026-06-12T16:00'), cal({ responseHours: 48 })).deadline)).toBe(
      '2026-06-14T16:00:00+01:00',
    );
  });

  it('4 hours from Monday 10:00 is 14:00', () => {
    expect(local(computeDeadline(at('2026-06-15T10:00'), cal({ responseHours: 4 })).deadline)).toBe(
      '2026-06-15T14:00:00+01:00',
    );
  });

  it('a window shorter than the day counts from the next working day’s first moment after a weekend', () => {
    const calendar = cal({ responseHours: 4 });
    const sunday = computeDeadline(at('2026-06-14T23:59'), calendar).deadline;
    const monday = computeDeadline(at('2026-06-15T00:01'), calendar).deadline;
    expect(local(sunday)).toBe('2026-06-15T04:00:00+01:00');
    expect(sunday.getTime()).toBeLessThanOrEqual(monday.getTime());
  });
});

describe('a school outside London', () => {
  it('New York, 48 hours across the US spring change (8 March 2026): Sunday 17:00 EDT', () => {
    const zone = 'America/New_York';
    const calendar = cal({ timeZone: zone, region: 'none', responseHours: 48 });
    const received = at('2026-03-06T16:00', zone);
    const result = computeDeadline(received, calendar);
    expect(result.deadline.getTime() - received.getTime()).toBe(48 * HOUR);
    expect(local(result.deadline, zone)).toBe('2026-03-08T17:00:00-04:00');
  });

  it('New York, Saturday → Monday 17:00 New York time', () => {
    const zone = 'America/New_York';
    const calendar = cal({ timeZone: zone, region: 'none' });
    expect(local(computeDeadline(at('2026-03-07T10:00', zone), calendar).deadline, zone)).toBe(
      '2026-03-09T17:00:00-04:00',
    );
  });

  it('Jerusalem with a Sunday–Thursday week: Friday → Sunday 17:00', () => {
    const zone = 'Asia/Jerusalem';
    const calendar = cal({ timeZone: zone, region: 'none', workingDays: [7, 1, 2, 3, 4] });
    const result = computeDeadline(at('2026-06-12T10:00', zone), calendar);
    expect(result.receivedOnWorkingDay).toBe(false);
    expect(local(result.deadline, zone)).toBe('2026-06-14T17:00:00+03:00');
  });
});

describe('warnAt and ruleVersion', () => {
  it('warns at 75% of the window by default', () => {
    const friday = computeDeadline(at('2026-06-12T16:00'), cal());
    expect(local(friday.warnAt)).toBe('2026-06-13T10:00:00+01:00');
    const saturday = computeDeadline(at('2026-06-13T10:00'), cal()); // 55 h window
    expect(local(saturday.warnAt)).toBe('2026-06-15T03:15:00+01:00');
  });

  it('uses the configured fraction', () => {
    const result = computeDeadline(at('2026-06-12T16:00'), cal({ warnAtFraction: 0.5 }));
    expect(local(result.warnAt)).toBe('2026-06-13T04:00:00+01:00');
  });

  it('names the rule and the settings that made the deadline', () => {
    expect(computeDeadline(at('2026-06-12T16:00'), cal()).ruleVersion).toBe(
      'p2-v1:elapsed:24h:hol=weekend:ew:wd=12345:0800-1700:warn=0.75',
    );
    expect(
      ruleVersionOf(
        cal({
          mode: 'working_hours',
          responseHours: 9,
          holidaysCountAsWeekend: false,
          region: 'scotland',
          workingDays: [5, 1, 3],
          workdayStart: '09:30',
        }),
      ),
    ).toBe('p2-v1:working_hours:9h:hol=workday:sc:wd=135:0930-1700:warn=0.75');
  });
});

describe('pathological calendars and input', () => {
  it('a closure covering years stops the search with a clear error', () => {
    const calendar = cal({ closures: [{ from: '2026-01-01', to: '2028-12-31', label: 'closed' }] });
    expect(() => computeDeadline(at('2026-06-13T10:00'), calendar)).toThrow(DeadlineCalendarError);
    expect(() => computeDeadline(at('2026-06-13T10:00'), calendar)).toThrow(
      /no working day in the 366 days after 2026-06-13/,
    );
  });

  it('a working-hours window that never fits stops with a clear error', () => {
    const calendar = cal({
      mode: 'working_hours',
      closures: [{ from: '2026-06-16', to: '2029-12-31', label: 'closed' }],
    });
    expect(() => computeDeadline(at('2026-06-15T10:00'), calendar)).toThrow(/24 working hours do not fit/);
  });

  it('a working day receipt with everything else closed still works (no search needed)', () => {
    const calendar = cal({ closures: [{ from: '2026-06-16', to: '2029-12-31', label: 'closed' }] });
    expect(local(computeDeadline(at('2026-06-15T10:00'), calendar).deadline)).toBe(
      '2026-06-16T10:00:00+01:00',
    );
  });

  it('rejects an invalid Date', () => {
    expect(() => computeDeadline(new Date('nope'), cal())).toThrow(RangeError);
  });
});

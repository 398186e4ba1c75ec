import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCHOOL_CALENDAR,
  parseSchoolCalendar,
  schoolCalendarSchema,
} from '../../../services/deadlines/school-calendar.js';

describe('school calendar settings', () => {
  it("defaults to the policy's literal reading", () => {
    expect(parseSchoolCalendar({})).toEqual({
      timeZone: 'Europe/London',
      workingDays: [1, 2, 3, 4, 5],
      workdayStart: '08:00',
      workdayEnd: '17:00',
      region: 'england-and-wales',
      closures: [],
      responseHours: 24,
      holidaysCountAsWeekend: true,
      mode: 'elapsed',
      warnAtFraction: 0.75,
    });
    expect(parseSchoolCalendar(undefined)).toEqual(DEFAULT_SCHOOL_CALENDAR);
  });

  it('does not share default arrays between parsed calendars', () => {
    const a = parseSchoolCalendar({});
    a.workingDays.push(6);
    expect(parseSchoolCalendar({}).workingDays).toEqual([1, 2, 3, 4, 5]);
    expect(Object.isFrozen(DEFAULT_SCHOOL_CALENDAR.workingDays)).toBe(true);
  });

  it('accepts a full custom calendar', () => {
    const cal = parseSchoolCalendar({
      timeZone: 'America/New_York',
      workingDays: [7, 1, 2, 3, 4],
      workdayStart: '07:30',
      workdayEnd: '15:45',
      region: 'none',
      closures: [{ from: '2026-12-21', to: '2027-01-01', label: 'Christmas closure' }],
      responseHours: 12.5,
      holidaysCountAsWeekend: false,
      mode: 'working_hours',
      warnAtFraction: 0.5,
    });
    expect(cal.timeZone).toBe('America/New_York');
    expect(cal.closures).toHaveLength(1);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no working days', { workingDays: [] }, 'workingDays'],
    ['a weekday out of range', { workingDays: [0, 1] }, 'workingDays'],
    ['repeated working days', { workingDays: [1, 1, 2] }, 'workingDays'],
    ['an unknown time zone', { timeZone: 'Europe/Londres' }, 'timeZone'],
    ['a fixed offset written as a zone name', { timeZone: 'GMT Standard Time' }, 'timeZone'],
    ['a time that is not HH:MM', { workdayStart: '8am' }, 'workdayStart'],
    ['24:00', { workdayEnd: '24:00' }, 'workdayEnd'],
    ['a day that ends before it starts', { workdayStart: '17:00', workdayEnd: '08:00' }, 'workdayEnd'],
    ['an unknown region', { region: 'wales' }, 'region'],
    [
      'a closure that ends before it starts',
      { closures: [{ from: '2026-12-21', to: '2026-12-01', label: 'x' }] },
      'closures',
    ],
    [
      'a closure on 30 February',
      { closures: [{ from: '2026-02-30', to: '2026-03-01', label: 'x' }] },
      'closures',
    ],
    [
      'a closure with no label',
      { closures: [{ from: '2026-02-02', to: '2026-02-02', label: ' ' }] },
      'closures',
    ],
    ['a zero response window', { responseHours: 0 }, 'responseHours'],
    ['a response window over two weeks', { responseHours: 24 * 15 }, 'responseHours'],
    ['warning at the deadline itself', { warnAtFraction: 1 }, 'warnAtFraction'],
    ['an unknown mode', { mode: 'business' }, 'mode'],
  ])('rejects %s', (_, input, path) => {
    const result = schoolCalendarSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path[0])).toContain(path);
  });
});

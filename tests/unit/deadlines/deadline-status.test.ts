import { describe, expect, it } from 'vitest';
import { isWorkingDay, timeLeft } from '../../../services/deadlines/deadline-status.js';
import { parseSchoolCalendar } from '../../../services/deadlines/school-calendar.js';

const HOUR = 3_600_000;
const received = new Date('2026-06-12T15:00:00Z');
const deadline = new Date(received.getTime() + 24 * HOUR);
const after = (hours: number) => new Date(received.getTime() + hours * HOUR);

describe('timeLeft', () => {
  it.each<[string, number, number, string]>([
    ['just received', 0, 24 * HOUR, 'ok'],
    ['half the window left', 12, 12 * HOUR, 'ok'],
    ['just under half left', 12.5, 11.5 * HOUR, 'under_50pct'],
    ['a quarter left (the 75% warning)', 18, 6 * HOUR, 'under_50pct'],
    ['just under a quarter left', 18.5, 5.5 * HOUR, 'under_25pct'],
    ['at the deadline itself: still in time', 24, 0, 'under_25pct'],
    ['an hour late', 25, -HOUR, 'breached'],
  ])('%s', (_, hours, ms, band) => {
    expect(timeLeft(deadline, after(hours), received)).toEqual({ ms, band });
  });

  it('one millisecond after the deadline is breached', () => {
    expect(timeLeft(deadline, new Date(deadline.getTime() + 1), received)).toEqual({
      ms: -1,
      band: 'breached',
    });
  });

  it('rejects an invalid date', () => {
    expect(() => timeLeft(deadline, new Date('x'), received)).toThrow(RangeError);
  });
});

describe('isWorkingDay', () => {
  const calendar = parseSchoolCalendar({
    closures: [{ from: '2026-09-01', to: '2026-09-01', label: 'INSET' }],
  });

  it.each<[string, string, boolean]>([
    ['a Friday', '2026-06-12T12:00:00Z', true],
    ['a Saturday', '2026-06-13T12:00:00Z', false],
    ['23:30 UTC on a Friday is Saturday in London (BST)', '2026-06-12T23:30:00Z', false],
    ['a bank holiday', '2026-05-04T12:00:00Z', false],
    ['an INSET closure', '2026-09-01T12:00:00Z', false],
  ])('%s', (_, iso, expected) => {
    expect(isWorkingDay(new Date(iso), calendar)).toBe(expected);
  });

  it('a bank holiday is a working day when holidays do not count as weekend', () => {
    const cal = parseSchoolCalendar({ holidaysCountAsWeekend: false });
    expect(isWorkingDay(new Date('2026-05-04T12:00:00Z'), cal)).toBe(true);
  });
});

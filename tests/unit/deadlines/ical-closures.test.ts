import { describe, expect, it } from 'vitest';
import { computeDeadline } from '../../../services/deadlines/compute-deadline.js';
import { IcsParseError, MAX_ICS_BYTES, parseClosuresIcs } from '../../../services/deadlines/ical-closures.js';
import { parseSchoolCalendar } from '../../../services/deadlines/school-calendar.js';

const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

// Shaped like a Google Calendar / Outlook export of a school's closures calendar.
const EXPORT = crlf([
  'BEGIN:VCALENDAR',
  'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
  'VERSION:2.0',
  'CALSCALE:GREGORIAN',
  'METHOD:PUBLISH',
  'X-WR-CALNAME:Oakfield Primary – closures',
  'X-WR-TIMEZONE:Europe/London',
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'DTSTART:19700329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'DTSTART:19701025T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
  'BEGIN:VEVENT',
  'DTSTART;VALUE=DATE:20261221',
  'DTEND;VALUE=DATE:20270102',
  'DTSTAMP:20260901T120000Z',
  'UID:christmas-2026@oakfield.sch.uk',
  'SUMMARY:Christmas closure – school and office closed\\, back on Monday 4 J',
  ' anuary',
  'BEGIN:VALARM',
  'ACTION:DISPLAY',
  'DESCRIPTION:Reminder',
  'TRIGGER:-P1D',
  'END:VALARM',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'DTSTART;TZID=Europe/London:20260901T083000',
  'DTEND;TZID=Europe/London:20260901T153000',
  'UID:inset-1@oakfield.sch.uk',
  'SUMMARY:INSET day',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'DTSTART:20260612T230000Z',
  'DTEND:20260613T010000Z',
  'UID:late@oakfield.sch.uk',
  'SUMMARY:Site maintenance (overnight)',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'DTSTART;VALUE=DATE:20270215',
  'DURATION:P5D',
  'UID:half-term@oakfield.sch.uk',
  'summary:February half term',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'DTSTART;TZID="GMT Standard Time":20261023T133000',
  'DTEND;TZID="GMT Standard Time":20261023T170000',
  'UID:outlook@oakfield.sch.uk',
  'SUMMARY:Early closure',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'DTSTART;VALUE=DATE:20261102',
  'UID:one-day@oakfield.sch.uk',
  'SUMMARY:',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'DTSTART;VALUE=DATE:20261103',
  'STATUS:CANCELLED',
  'UID:cancelled@oakfield.sch.uk',
  'SUMMARY:Cancelled INSET',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'DTSTART;TZID=Europe/London:20260907T160000',
  'DTEND;TZID=Europe/London:20260907T170000',
  'RRULE:FREQ=WEEKLY;BYDAY=MO',
  'UID:meeting@oakfield.sch.uk',
  'SUMMARY:Staff meeting',
  'END:VEVENT',
  'END:VCALENDAR',
]);

describe('parseClosuresIcs', () => {
  it('reads all-day, timed, UTC, duration and Outlook-zoned events from a real-looking export', () => {
    const { closures, skipped } = parseClosuresIcs(EXPORT);
    expect(closures).toEqual([
      // DTEND of an all-day event is exclusive; the folded, escaped summary is joined.
      {
        from: '2026-12-21',
        to: '2027-01-01',
        label: 'Christmas closure – school and office closed, back on Monday 4 January',
      },
      { from: '2026-09-01', to: '2026-09-01', label: 'INSET day' },
      // 23:00Z–01:00Z in June is 00:00–02:00 BST on the 13th.
      { from: '2026-06-13', to: '2026-06-13', label: 'Site maintenance (overnight)' },
      { from: '2027-02-15', to: '2027-02-19', label: 'February half term' },
      { from: '2026-10-23', to: '2026-10-23', label: 'Early closure' },
      { from: '2026-11-02', to: '2026-11-02', label: 'Closure' },
    ]);
    expect(skipped).toEqual([
      { line: 65, summary: 'Cancelled INSET', reason: 'the event is cancelled' },
      expect.objectContaining({
        line: 71,
        summary: 'Staff meeting',
        reason: expect.stringMatching(/repeating/),
      }),
    ]);
  });

  it('gives closures a school calendar accepts and the deadline rule uses', () => {
    const { closures } = parseClosuresIcs(EXPORT);
    const calendar = parseSchoolCalendar({ closures });
    const received = new Date('2026-12-22T10:00:00Z');
    expect(computeDeadline(received, calendar).deadline.toISOString()).toBe('2027-01-04T17:00:00.000Z');
  });

  it('accepts LF line endings, a byte-order mark and a tab-folded line', () => {
    const text =
      '\uFEFFBEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260525\nSUMMARY:Spring\n\tclosure\nEND:VEVENT\nEND:VCALENDAR\n';
    expect(parseClosuresIcs(text).closures).toEqual([
      { from: '2026-05-25', to: '2026-05-25', label: 'Springclosure' },
    ]);
  });

  it('converts UTC times to the school zone it is given', () => {
    const text = crlf([
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'DTSTART:20260612T230000Z',
      'DTEND:20260612T233000Z',
      'SUMMARY:x',
      'END:VEVENT',
      'END:VCALENDAR',
    ]);
    expect(parseClosuresIcs(text, { timeZone: 'America/New_York' }).closures[0]?.from).toBe('2026-06-12');
    expect(parseClosuresIcs(text).closures[0]?.from).toBe('2026-06-13');
  });

  it('an event ending at midnight does not close the next day', () => {
    const text = crlf([
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'DTSTART;TZID=Europe/London:20260720T000000',
      'DTEND;TZID=Europe/London:20260722T000000',
      'SUMMARY:Two days',
      'END:VEVENT',
      'END:VCALENDAR',
    ]);
    expect(parseClosuresIcs(text).closures).toEqual([
      { from: '2026-07-20', to: '2026-07-21', label: 'Two days' },
    ]);
  });

  it('an empty calendar has no closures', () => {
    expect(parseClosuresIcs(crlf(['BEGIN:VCALENDAR', 'VERSION:2.0', 'END:VCALENDAR']))).toEqual({
      closures: [],
      skipped: [],
    });
  });
});

describe('parseClosuresIcs rejects a malformed file, naming what and which line', () => {
  const event = (...props: string[]) =>
    crlf(['BEGIN:VCALENDAR', 'BEGIN:VEVENT', ...props, 'END:VEVENT', 'END:VCALENDAR']);

  it.each<[string, string, number, RegExp]>([
    [
      'a line with no colon',
      event('DTSTART;VALUE=DATE:20260525', 'SUMMARY Spring'),
      4,
      /expected NAME:value/,
    ],
    ['an impossible date', event('DTSTART;VALUE=DATE:20261331'), 3, /DTSTART '20261331' is not a real date/],
    ['a date that is not a date', event('DTSTART;VALUE=DATE:2026-05-25'), 3, /not a YYYYMMDD value/],
    [
      'a timed value marked as a date',
      event('DTSTART;VALUE=DATE:20260525T090000'),
      3,
      /not a YYYYMMDD value/,
    ],
    ['an unsupported value type', event('DTSTART;VALUE=PERIOD:20260525T090000Z/PT1H'), 3, /VALUE=PERIOD/],
    [
      'DTEND before DTSTART',
      event('DTSTART;VALUE=DATE:20260525', 'DTEND;VALUE=DATE:20260520'),
      4,
      /DTEND is before DTSTART/,
    ],
    [
      'a date DTEND with a date-time DTSTART',
      event('DTSTART:20260525T090000Z', 'DTEND;VALUE=DATE:20260526'),
      4,
      /DTEND must be a date/,
    ],
    [
      'both DTEND and DURATION',
      event('DTSTART;VALUE=DATE:20260525', 'DTEND;VALUE=DATE:20260526', 'DURATION:P1D'),
      5,
      /both DTEND and DURATION/,
    ],
    ['a negative duration', event('DTSTART;VALUE=DATE:20260525', 'DURATION:-P1D'), 4, /DURATION '-P1D'/],
    ['an event without DTSTART', event('SUMMARY:No start'), 2, /no DTSTART/],
    [
      'DTSTART twice',
      event('DTSTART;VALUE=DATE:20260525', 'DTSTART;VALUE=DATE:20260526'),
      4,
      /DTSTART appears twice/,
    ],
    ['a bad parameter', event('DTSTART;VALUE:20260525'), 3, /expected NAME:value|bad parameter/],
    [
      'END that does not match BEGIN',
      crlf(['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'END:VTODO', 'END:VCALENDAR']),
      3,
      /END:VTODO does not close BEGIN:VEVENT \(line 2\)/,
    ],
    [
      'an event never closed',
      crlf(['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'DTSTART;VALUE=DATE:20260525']),
      2,
      /BEGIN:VEVENT is never closed/,
    ],
    [
      'a property before BEGIN:VCALENDAR',
      crlf(['VERSION:2.0', 'BEGIN:VCALENDAR', 'END:VCALENDAR']),
      1,
      /outside BEGIN:VCALENDAR/,
    ],
    ['a file that starts with an event', crlf(['BEGIN:VEVENT', 'END:VEVENT']), 1, /expected BEGIN:VCALENDAR/],
    ['a folded line with nothing before it', ' DTSTART:20260525\r\n', 1, /folded continuation line/],
    [
      'END with no BEGIN',
      crlf(['BEGIN:VCALENDAR', 'END:VCALENDAR', 'END:VCALENDAR']),
      3,
      /without a matching BEGIN/,
    ],
  ])('%s', (_, text, line, message) => {
    let error: unknown;
    try {
      parseClosuresIcs(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IcsParseError);
    expect((error as IcsParseError).line).toBe(line);
    expect((error as IcsParseError).message).toMatch(new RegExp(`^line ${line}: `));
    expect((error as IcsParseError).message).toMatch(message);
  });

  it('a file that is not iCalendar at all', () => {
    expect(() => parseClosuresIcs('')).toThrow(/not an iCalendar file/);
    expect(() => parseClosuresIcs('hello: world')).toThrow(/line 1: .*outside BEGIN:VCALENDAR/);
  });

  it('a file over 1 MB, counted in UTF-8 bytes', () => {
    const pad = (n: number) => `X-PAD:${'é'.repeat(n)}\r\n`;
    const head = 'BEGIN:VCALENDAR\r\n';
    const tail = 'END:VCALENDAR\r\n';
    // Under the limit in characters, over it in bytes (é is two bytes).
    const big = head + pad(MAX_ICS_BYTES / 2) + tail;
    expect(big.length).toBeLessThan(MAX_ICS_BYTES);
    expect(() => parseClosuresIcs(big)).toThrow(/larger than 1048576 bytes/);
    expect(() => parseClosuresIcs(head + pad(1000) + tail)).not.toThrow();
  });
});

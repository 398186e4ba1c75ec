import { DateTime, IANAZone } from 'luxon';
import { type Closure, MAX_CLOSURES } from './school-calendar.js';

// Imports a school's closure calendar (INSET days, Christmas closure) exported as iCalendar
// (RFC 5545). Closures are whole days: an event closes every day it touches in the school's zone.

export const MAX_ICS_BYTES = 1024 * 1024;
const MAX_LABEL = 200;

export class IcsParseError extends Error {
  readonly code = 'INVALID_INPUT' as const;
  override readonly name = 'IcsParseError';
  /** 1-based physical line the problem starts on; 0 when it concerns the whole file. */
  readonly line: number;

  constructor(line: number, what: string) {
    super(line > 0 ? `line ${line}: ${what}` : what);
    this.line = line;
  }
}

export interface SkippedEvent {
  line: number;
  summary: string;
  reason: string;
}

export interface ParsedClosures {
  closures: Closure[];
  /** Events that are well formed but not imported (cancelled, repeating). */
  skipped: SkippedEvent[];
}

interface ContentLine {
  line: number;
  name: string;
  params: Map<string, string>;
  value: string;
}

interface EventProps {
  line: number;
  props: Map<string, ContentLine>;
}

export function parseClosuresIcs(text: string, options: { timeZone?: string } = {}): ParsedClosures {
  const timeZone = options.timeZone ?? 'Europe/London';
  if (!IANAZone.isValidZone(timeZone)) throw new RangeError(`not an IANA time zone: ${timeZone}`);
  if (text.length > MAX_ICS_BYTES || Buffer.byteLength(text, 'utf8') > MAX_ICS_BYTES) {
    throw new IcsParseError(0, `the file is larger than ${MAX_ICS_BYTES} bytes (1 MB)`);
  }

  const closures: Closure[] = [];
  const skipped: SkippedEvent[] = [];
  const stack: { name: string; line: number }[] = [];
  let event: EventProps | undefined;
  let sawCalendar = false;

  for (const cl of contentLines(text)) {
    if (cl.name === 'BEGIN' || cl.name === 'END') {
      const component = cl.value.trim().toUpperCase();
      if (!/^[A-Z0-9-]+$/.test(component))
        throw new IcsParseError(cl.line, `bad component name '${cl.value}'`);
      if (cl.name === 'BEGIN') {
        if (stack.length === 0 && component !== 'VCALENDAR') {
          throw new IcsParseError(cl.line, `expected BEGIN:VCALENDAR, found BEGIN:${component}`);
        }
        if (component === 'VEVENT' && stack.length === 1) event = { line: cl.line, props: new Map() };
        stack.push({ name: component, line: cl.line });
        sawCalendar = true;
        continue;
      }
      const open = stack.pop();
      if (!open) throw new IcsParseError(cl.line, `END:${component} without a matching BEGIN`);
      if (open.name !== component) {
        throw new IcsParseError(
          cl.line,
          `END:${component} does not close BEGIN:${open.name} (line ${open.line})`,
        );
      }
      if (component === 'VEVENT' && stack.length === 1 && event) {
        const result = toClosure(event, timeZone);
        if ('reason' in result) skipped.push(result);
        else closures.push(result);
        event = undefined;
        if (closures.length > MAX_CLOSURES) {
          throw new IcsParseError(cl.line, `more than ${MAX_CLOSURES} closures in one file`);
        }
      }
      continue;
    }
    const top = stack[stack.length - 1];
    if (!top) throw new IcsParseError(cl.line, `${cl.name} is outside BEGIN:VCALENDAR … END:VCALENDAR`);
    // Only the event's own properties; those of a nested VALARM are not the closure's.
    if (event && stack.length === 2 && top.name === 'VEVENT') {
      if (event.props.has(cl.name) && SINGLE_PROPS.has(cl.name)) {
        throw new IcsParseError(
          cl.line,
          `${cl.name} appears twice in the event that starts on line ${event.line}`,
        );
      }
      if (!event.props.has(cl.name)) event.props.set(cl.name, cl);
    }
  }

  const unclosed = stack.pop();
  if (unclosed)
    throw new IcsParseError(
      unclosed.line,
      `BEGIN:${unclosed.name} is never closed with END:${unclosed.name}`,
    );
  if (!sawCalendar) throw new IcsParseError(0, 'no BEGIN:VCALENDAR found: not an iCalendar file');
  return { closures, skipped };
}

const SINGLE_PROPS = new Set(['DTSTART', 'DTEND', 'DURATION', 'SUMMARY', 'STATUS']);

/** Unfolds physical lines (CRLF, LF or CR; continuation lines start with a space or tab). */
function* contentLines(text: string): Generator<ContentLine> {
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let current: { text: string; line: number } | undefined;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i] ?? '';
    if (raw.startsWith(' ') || raw.startsWith('\t')) {
      if (!current) throw new IcsParseError(i + 1, 'a folded continuation line with no line before it');
      current.text += raw.slice(1);
      continue;
    }
    if (current) yield parseContentLine(current.text, current.line);
    current = raw === '' ? undefined : { text: raw, line: i + 1 };
  }
  if (current) yield parseContentLine(current.text, current.line);
}

function parseContentLine(text: string, line: number): ContentLine {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  let colon = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ';') {
      parts.push(text.slice(start, i));
      start = i + 1;
    } else if (!quoted && ch === ':') {
      colon = i;
      break;
    }
  }
  if (colon < 0) throw new IcsParseError(line, `expected NAME:value, found '${preview(text)}'`);
  parts.push(text.slice(start, colon));
  const [rawName = '', ...rawParams] = parts;
  const name = rawName.toUpperCase();
  if (!/^[A-Z0-9-]+$/.test(name)) throw new IcsParseError(line, `bad property name '${preview(rawName)}'`);
  const params = new Map<string, string>();
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new IcsParseError(line, `bad parameter '${preview(p)}' on ${name}`);
    params.set(p.slice(0, eq).toUpperCase(), p.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
  }
  return { line, name, params, value: text.slice(colon + 1) };
}

function preview(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function toClosure(event: EventProps, timeZone: string): Closure | SkippedEvent {
  const summaryLine = event.props.get('SUMMARY');
  const label = summaryLine ? unescapeText(summaryLine.value) : '';
  const summary = label === '' ? 'Closure' : label.slice(0, MAX_LABEL);
  const skip = (reason: string): SkippedEvent => ({ line: event.line, summary, reason });

  const startLine = event.props.get('DTSTART');
  if (!startLine) throw new IcsParseError(event.line, 'the event has no DTSTART');
  if (event.props.get('STATUS')?.value.trim().toUpperCase() === 'CANCELLED')
    return skip('the event is cancelled');
  if (event.props.has('RRULE') || event.props.has('RDATE') || event.props.has('RECURRENCE-ID')) {
    return skip('repeating events are not imported; add each closure as its own event');
  }

  const start = parseDateValue(startLine, timeZone);
  const endLine = event.props.get('DTEND');
  const durationLine = event.props.get('DURATION');
  if (endLine && durationLine)
    throw new IcsParseError(durationLine.line, 'an event has both DTEND and DURATION');

  let end: DateTime<true>;
  if (endLine) {
    const parsed = parseDateValue(endLine, timeZone);
    if (parsed.allDay !== start.allDay) {
      throw new IcsParseError(
        endLine.line,
        'DTEND must be a date when DTSTART is a date, and a date-time otherwise',
      );
    }
    if (parsed.at < start.at) throw new IcsParseError(endLine.line, 'DTEND is before DTSTART');
    end = parsed.at;
  } else if (durationLine) {
    end = start.at.plus(parseDuration(durationLine));
  } else {
    // RFC 5545: no end means one day for a date, an instant for a date-time.
    end = start.allDay ? start.at.plus({ days: 1 }) : start.at;
  }

  const lastMoment = end > start.at ? end.minus({ milliseconds: 1 }) : start.at;
  return { from: start.at.toISODate(), to: lastMoment.toISODate(), label: summary };
}

interface DateValue {
  allDay: boolean;
  /** For a date, midnight UTC of that date; for a date-time, the time in the school's zone. */
  at: DateTime<true>;
}

function parseDateValue(cl: ContentLine, schoolZone: string): DateValue {
  const value = cl.value.trim();
  const type = cl.params.get('VALUE')?.toUpperCase();
  if (type !== undefined && type !== 'DATE' && type !== 'DATE-TIME') {
    throw new IcsParseError(cl.line, `${cl.name} has VALUE=${type}; only DATE and DATE-TIME are understood`);
  }
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(value);
  const isDate = m !== null && m[4] === undefined;
  if (!m || (type === 'DATE' && !isDate) || (type === 'DATE-TIME' && isDate)) {
    const expected =
      type === 'DATE' || (type === undefined && value.length === 8) ? 'YYYYMMDD' : 'YYYYMMDDTHHMMSS[Z]';
    throw new IcsParseError(cl.line, `${cl.name} '${preview(value)}' is not a ${expected} value`);
  }
  const fields = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    // A leap second (60) is allowed by RFC 5545 but not by luxon; it changes no date here.
    second: Math.min(Number(m[6] ?? 0), 59),
  };
  if (isDate) {
    return { allDay: true, at: valid(DateTime.fromObject(fields, { zone: 'utc' }), cl, value) };
  }
  // The event's own zone when it names one luxon knows; a Windows zone name (Outlook) or a
  // floating time is read as the school's wall clock, which gives the same date in practice.
  const zone = m[7] === 'Z' ? 'utc' : (ianaZone(cl.params.get('TZID')) ?? schoolZone);
  const at = valid(DateTime.fromObject(fields, { zone }), cl, value);
  return { allDay: false, at: valid(at.setZone(schoolZone), cl, value) };
}

function valid(dt: DateTime<true> | DateTime<false>, cl: ContentLine, value: string): DateTime<true> {
  if (!dt.isValid)
    throw new IcsParseError(cl.line, `${cl.name} '${preview(value)}' is not a real date or time`);
  return dt;
}

function ianaZone(tzid: string | undefined): string | undefined {
  if (!tzid) return undefined;
  // Some producers prefix the zone with a path, e.g. /mozilla.org/20050126_1/Europe/London.
  const segments = tzid.split('/').filter((s) => s !== '');
  for (let i = 0; i < segments.length; i++) {
    const candidate = segments.slice(i).join('/');
    if (IANAZone.isValidZone(candidate)) return candidate;
  }
  return undefined;
}

function parseDuration(cl: ContentLine): { days: number; hours: number; minutes: number; seconds: number } {
  const m = /^\+?P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/.exec(cl.value.trim());
  if (!m || cl.value.trim() === 'P' || cl.value.trim().endsWith('T')) {
    throw new IcsParseError(
      cl.line,
      `DURATION '${preview(cl.value)}' is not a positive duration such as P1D or PT8H`,
    );
  }
  return {
    days: Number(m[1] ?? 0) * 7 + Number(m[2] ?? 0),
    hours: Number(m[3] ?? 0),
    minutes: Number(m[4] ?? 0),
    seconds: Number(m[5] ?? 0),
  };
}

function unescapeText(value: string): string {
  return value
    .replace(/\\([\\;,nN])/g, (_, ch: string) => (ch === 'n' || ch === 'N' ? ' ' : ch))
    .replace(/\s+/g, ' ')
    .trim();
}

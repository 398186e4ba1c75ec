import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { HOLIDAY_REGIONS } from './bank-holidays.js';

// Defaults are the literal reading of policy 002 §5 Monitoring (rule P2): 24 hours, or the next
// working day when received at a weekend; the school changes what the policy leaves open.

export const MAX_CLOSURES = 1000;
export const MAX_RESPONSE_HOURS = 24 * 14;

export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => DateTime.fromISO(s, { zone: 'utc' }).isValid, 'not a real calendar date');

const clockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time as HH:MM (24-hour)');

export const closureSchema = z
  .object({
    from: isoDateSchema,
    to: isoDateSchema,
    label: z.string().trim().min(1).max(200),
  })
  .refine((c) => c.from <= c.to, { message: "'to' is before 'from'", path: ['to'] });
export type Closure = z.infer<typeof closureSchema>;

export const calendarRegionSchema = z.enum([...HOLIDAY_REGIONS, 'none']);
export type CalendarRegion = z.infer<typeof calendarRegionSchema>;

export const deadlineModeSchema = z.enum(['elapsed', 'working_hours']);
export type DeadlineMode = z.infer<typeof deadlineModeSchema>;

export const schoolCalendarSchema = z
  .object({
    timeZone: z
      .string()
      .refine((zone) => IANAZone.isValidZone(zone), 'not an IANA time zone (e.g. Europe/London)')
      .default('Europe/London'),
    workingDays: z
      .array(z.number().int().min(1).max(7))
      .min(1, 'at least one working day is needed')
      .max(7)
      .refine((days) => new Set(days).size === days.length, 'working days repeat')
      .default(() => [1, 2, 3, 4, 5]),
    workdayStart: clockTimeSchema.default('08:00'),
    workdayEnd: clockTimeSchema.default('17:00'),
    region: calendarRegionSchema.default('england-and-wales'),
    closures: z
      .array(closureSchema)
      .max(MAX_CLOSURES)
      .default(() => []),
    responseHours: z.number().positive().max(MAX_RESPONSE_HOURS).default(24),
    holidaysCountAsWeekend: z.boolean().default(true),
    mode: deadlineModeSchema.default('elapsed'),
    warnAtFraction: z.number().gt(0).lt(1).default(0.75),
  })
  .refine((c) => c.workdayStart < c.workdayEnd, {
    message: 'workdayEnd must be after workdayStart',
    path: ['workdayEnd'],
  });

export type SchoolCalendar = z.output<typeof schoolCalendarSchema>;
export type SchoolCalendarInput = z.input<typeof schoolCalendarSchema>;

export function parseSchoolCalendar(input: unknown): SchoolCalendar {
  return schoolCalendarSchema.parse(input ?? {});
}

const defaults = parseSchoolCalendar({});
export const DEFAULT_SCHOOL_CALENDAR: Readonly<SchoolCalendar> = Object.freeze({
  ...defaults,
  workingDays: Object.freeze(defaults.workingDays) as number[],
  closures: Object.freeze(defaults.closures) as Closure[],
});

import { z } from 'zod';

/**
 * The dates a query can carry: a JS Date goes to Postgres as its ISO text, which has a four-digit
 * year only from year 1 to 9999 (year 0, negative and six-digit years are refused there as a 500).
 */
export function isStorableDate(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999;
}

export const STORABLE_DATE_MESSAGE = 'must be a date between the years 1 and 9999';

/** A calendar date (YYYY-MM-DD) a query can carry. */
export const storableIsoDate = z.iso
  .date()
  .refine((date) => isStorableDate(new Date(`${date}T00:00:00Z`)), STORABLE_DATE_MESSAGE);

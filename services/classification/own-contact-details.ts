import { z } from 'zod';

/**
 * The school's own published contact details. They are public by the school's choice, so a reply
 * (or a comment) that gives them out publishes nobody's personal data.
 */
export interface SchoolContactDetails {
  emails: string[];
  phones: string[];
  address: string;
  website: string;
}

export const EMPTY_CONTACT_DETAILS: SchoolContactDetails = Object.freeze({
  emails: [],
  phones: [],
  address: '',
  website: '',
}) as SchoolContactDetails;

const PHONE_SHAPE = /^[+\d][\d\s().-]{8,20}$/;

export const schoolContactDetailsSchema = z.object({
  emails: z
    .array(z.email('an email address such as office@school.sch.uk').max(254))
    .max(5, 'at most 5 emails'),
  phones: z
    .array(
      z
        .string()
        .regex(PHONE_SHAPE, 'a phone number such as 01632 960123')
        .refine(
          (p) => digitsOf(p).length >= 10 && digitsOf(p).length <= 13,
          'a phone number of 10 to 13 digits',
        ),
    )
    .max(5, 'at most 5 phone numbers'),
  address: z.string().max(300, 'an address of at most 300 characters'),
  website: z
    .string()
    .max(200)
    .refine(
      (w) => w === '' || /^(https?:\/\/)?[a-z0-9-]+(\.[a-z0-9-]+)+(\/\S*)?$/i.test(w),
      'a web address such as https://www.school.sch.uk',
    ),
});

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

/** UK numbers compare as their national form: +44 1632 960123 is 01632 960123. */
function phoneKey(s: string): string {
  const d = digitsOf(s);
  // "+44 (0)1632 960123" keeps the trunk 0 after the country code.
  if (d.startsWith('0044')) return `0${d.slice(4).replace(/^0/, '')}`;
  if (d.startsWith('44') && d.length >= 12) return `0${d.slice(2).replace(/^0/, '')}`;
  return d;
}

/** Letters and digits only, lower case: "12 Church Road," and "12, church road" are one address. */
function addressKey(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function hostOf(website: string): string {
  return website
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/.*$/, '');
}

/**
 * Decides whether a personal-data finding (its subcategory and the text it matched) is one of the
 * school's own published details. Built once per classifier.
 */
export function ownContactMatcher(
  details: SchoolContactDetails | undefined,
): (subcategory: string, matched: string) => boolean {
  if (details === undefined) return () => false;
  const emails = new Set(details.emails.map((e) => e.trim().toLowerCase()));
  const phones = new Set(details.phones.map(phoneKey));
  const address = addressKey(details.address);
  const addressCompact = address.replaceAll(' ', '');
  const host = details.website ? hostOf(details.website) : '';
  if (emails.size === 0 && phones.size === 0 && address === '' && host === '') return () => false;
  return (subcategory, matched) => {
    switch (subcategory) {
      case 'email': {
        const email = matched.trim().toLowerCase();
        return emails.has(email);
      }
      case 'phone':
        return phones.has(phoneKey(matched));
      case 'address': {
        const key = addressKey(matched);
        return key !== '' && address !== '' && ` ${address} `.includes(` ${key} `);
      }
      case 'postcode': {
        // "OF1 2AB" and "OF12AB" are one postcode.
        const key = addressKey(matched).replaceAll(' ', '');
        return key.length >= 5 && addressCompact.includes(key);
      }
      case 'website':
        return host !== '' && hostOf(matched).endsWith(host);
      default:
        return false;
    }
  };
}

/** The stored document with every field present (a school that never set them has none). */
export function contactDetailsOf(
  stored: Partial<SchoolContactDetails> | null | undefined,
): SchoolContactDetails {
  return {
    emails: stored?.emails ?? [],
    phones: stored?.phones ?? [],
    address: stored?.address ?? '',
    website: stored?.website ?? '',
  };
}

export function hasContactDetails(details: SchoolContactDetails): boolean {
  return (
    details.emails.length + details.phones.length > 0 || details.address !== '' || details.website !== ''
  );
}

import { and, inArray, isNotNull, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../../db/client.js';
import { type TrustDomain, trustDomains } from '../../db/schema/index.js';
import { forbidden } from '../core/service-error.js';

/** Looks up a name's TXT records, as node:dns/promises `resolveTxt` does; injectable for tests. */
export type ResolveTxt = (name: string) => Promise<string[][]>;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A domain as a trust admin types it: lower-cased, no trailing dot, at least two labels. */
export const emailDomain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .transform((d) => d.replace(/\.$/, ''))
  .refine((d) => d.includes('.') && d.split('.').every((label) => LABEL.test(label)), {
    message: 'a domain name such as example-trust.org.uk',
  });

/** The domain of an email address, lower case. */
export const domainOfEmail = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** `a.b.example.org` → itself and every domain above it: a claim covers its subdomains. */
export function domainAndParents(domain: string): string[] {
  const labels = domain.split('.');
  return labels.map((_, i) => labels.slice(i).join('.'));
}

/** The DNS TXT record that proves a trust holds a domain. */
export function proofRecord(claim: Pick<TrustDomain, 'domain' | 'token'>) {
  return {
    name: `_hallmonitor-challenge.${claim.domain}`,
    value: `hallmonitor-domain-verification=${claim.token}`,
  };
}

/** The verified claim of another trust on this domain or one above it, if any. */
export async function claimOfAnotherTrust(
  db: Queryable,
  trustId: string,
  domain: string,
): Promise<TrustDomain | undefined> {
  const [claim] = await db
    .select()
    .from(trustDomains)
    .where(
      and(
        inArray(trustDomains.domain, domainAndParents(domain)),
        isNotNull(trustDomains.verifiedAt),
        ne(trustDomains.trustId, trustId),
      ),
    )
    .limit(1);
  return claim;
}

/**
 * Refuses an address at a domain another trust has proved it holds. This tells the caller the
 * domain is claimed, which DNS tells anyone anyway; it never tells them whether the address has an
 * account.
 */
export async function assertEmailDomainOpenTo(db: Queryable, trustId: string, email: string): Promise<void> {
  const domain = domainOfEmail(email);
  const claim = await claimOfAnotherTrust(db, trustId, domain);
  if (claim) {
    throw forbidden(
      `The email domain ${domain} belongs to another organisation: only its own trust can invite people at it`,
    );
  }
}

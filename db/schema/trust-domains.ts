import { sql } from 'drizzle-orm';
import { pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createSelectSchema } from 'drizzle-zod';
import { at, createdAt } from './columns.js';
import { trusts } from './trusts.js';
import { users } from './users.js';

/**
 * Email domains a trust claims. A claim is `pending` until the trust proves it holds the domain
 * (a DNS TXT record carrying `token`); once `verified`, no other trust may invite or create an
 * address at the domain or under it. Several trusts may have a pending claim on one domain; only
 * one can hold it verified.
 */
export const trustDomains = pgTable(
  'trust_domains',
  {
    trustId: uuid('trust_id')
      .notNull()
      .references(() => trusts.id),
    /** Lower case, no trailing dot. */
    domain: text('domain').notNull(),
    token: text('token').notNull(),
    claimedBy: uuid('claimed_by').references(() => users.id),
    verifiedAt: at('verified_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('trust_domains_trust_domain_unique').on(t.trustId, t.domain),
    uniqueIndex('trust_domains_verified_unique').on(t.domain).where(sql`${t.verifiedAt} is not null`),
  ],
);

export const trustDomainSelectSchema = createSelectSchema(trustDomains);
export type TrustDomain = typeof trustDomains.$inferSelect;

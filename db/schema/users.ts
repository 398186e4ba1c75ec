import { sql } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { at, createdAt, id } from './columns.js';
import { trusts } from './trusts.js';

export const users = pgTable(
  'users',
  {
    id: id(),
    trustId: uuid('trust_id')
      .notNull()
      .references(() => trusts.id),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    /** argon2id; null for users who only sign in with SSO or have not set a password yet. */
    passwordHash: text('password_hash'),
    ssoIssuer: text('sso_issuer'),
    ssoSubject: text('sso_subject'),
    disabledAt: at('disabled_at'),
    createdAt: createdAt(),
  },
  (t) => [
    // Unique within a trust, not across trusts: another trust inviting the same address gets its
    // own account, so an invitation never tells one trust whom another has (docs/sign-in.md).
    uniqueIndex('users_trust_email_unique').on(t.trustId, sql`lower(${t.email})`),
    index('users_email_idx').on(sql`lower(${t.email})`),
    uniqueIndex('users_trust_sso_unique').on(t.trustId, t.ssoIssuer, t.ssoSubject),
    index('users_trust_idx').on(t.trustId),
  ],
);

export const userInsertSchema = createInsertSchema(users);
export const userSelectSchema = createSelectSchema(users).omit({ passwordHash: true });
export type User = typeof users.$inferSelect;

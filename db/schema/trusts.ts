import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { createdAt, id } from './columns.js';

/** Sign-in settings of a trust (OpenID Connect providers); secrets inside are encrypted. */
export type TrustSignInSettings = {
  oidc?: { issuer: string; clientId: string; clientSecretEncrypted?: string; label: string }[];
};

export const trusts = pgTable('trusts', {
  id: id(),
  name: text('name').notNull(),
  signIn: jsonb('sign_in').$type<TrustSignInSettings>().notNull().default({}),
  createdAt: createdAt(),
});

export const trustInsertSchema = createInsertSchema(trusts);
export const trustSelectSchema = createSelectSchema(trusts);
export type Trust = typeof trusts.$inferSelect;

import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { createdAt, id } from './columns.js';

/** Sign-in settings of a trust (OpenID Connect providers); secrets inside are encrypted. */
export type TrustSignInSettings = {
  oidc?: { issuer: string; clientId: string; clientSecretEncrypted?: string; label: string }[];
};

/**
 * Which outside classification tiers may receive this trust's comment text, as a trust admin
 * turned them on. Each records the endpoint host it was turned on for: when the installation's
 * configured host differs, nothing is sent until a trust admin turns it on again.
 */
export type TrustExternalClassification = {
  moderation?: { host: string; changedAt: string };
  guard?: { host: string; changedAt: string };
};

export const trusts = pgTable('trusts', {
  id: id(),
  name: text('name').notNull(),
  signIn: jsonb('sign_in').$type<TrustSignInSettings>().notNull().default({}),
  externalClassification: jsonb('external_classification')
    .$type<TrustExternalClassification>()
    .notNull()
    .default({}),
  createdAt: createdAt(),
});

export const trustInsertSchema = createInsertSchema(trusts);
export const trustSelectSchema = createSelectSchema(trusts);
export type Trust = typeof trusts.$inferSelect;

import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createInsertSchema, createSelectSchema } from 'drizzle-zod';
import { at, createdAt, id, updatedAt } from './columns.js';
import { schools } from './schools.js';
import { users } from './users.js';

/** Kept equal to PlatformName (services/platforms/adapter.ts); a text column, so adding one needs no migration. */
export const PLATFORMS = ['x', 'facebook', 'instagram', 'youtube', 'bluesky'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The lifecycle of P4: nothing is polled until an account is active. */
export const ACCOUNT_STATUSES = [
  'proposed',
  'approved',
  'rejected',
  'connected',
  'active',
  'suspended',
  'retired',
] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** Whether the stored platform credentials work; polling stops at needs_reauth. */
export const CREDENTIAL_STATUSES = ['none', 'valid', 'needs_reauth'] as const;

export type AccountSettings = {
  offensiveThreshold: 'low' | 'medium' | 'high';
  autoHide: boolean;
  twoAdminHide: boolean;
  pollIntervalSeconds?: number;
  conversationBackstop: boolean;
  proposalExpiryHours: number;
};

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  offensiveThreshold: 'medium',
  autoHide: false,
  twoAdminHide: false,
  conversationBackstop: false,
  proposalExpiryHours: 24,
};

export const socialAccounts = pgTable(
  'social_accounts',
  {
    id: id(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    handle: text('handle').notNull(),
    platformUserId: text('platform_user_id'),
    status: text('status', { enum: ACCOUNT_STATUSES }).notNull().default('proposed'),
    purpose: text('purpose').notNull().default(''),
    audience: text('audience').notNull().default(''),
    settings: jsonb('settings').$type<AccountSettings>().notNull().default(DEFAULT_ACCOUNT_SETTINGS),
    /** Platform-specific polling position (e.g. X since_id and any page in progress). */
    cursor: jsonb('cursor').$type<Record<string, unknown>>(),
    /** AES-256-GCM under ENCRYPTION_KEY; never selected into API responses. */
    credentialsEncrypted: text('credentials_encrypted'),
    credentialsExpiresAt: at('credentials_expires_at'),
    credentialStatus: text('credential_status', { enum: CREDENTIAL_STATUSES }).notNull().default('none'),
    proposedBy: uuid('proposed_by').references(() => users.id),
    decidedBy: uuid('decided_by').references(() => users.id),
    decisionNote: text('decision_note'),
    decidedAt: at('decided_at'),
    reviewDueAt: at('review_due_at'),
    /**
     * When the account last went active. Monitoring starts here: the deadline of a comment posted
     * before it counts from this moment, since nobody could have answered it earlier.
     */
    activatedAt: at('activated_at'),
    lastPolledAt: at('last_polled_at'),
    lastPollError: text('last_poll_error'),
    /** Polls failed in a row; reset by a poll that succeeds. Its admins are told once it reaches the alert threshold. */
    consecutivePollFailures: integer('consecutive_poll_failures').notNull().default(0),
    rateLimitedUntil: at('rate_limited_until'),
    /** Held by the poll in progress, so one account is never polled twice at once. */
    pollLeaseUntil: at('poll_lease_until'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('social_accounts_school_idx').on(t.schoolId, t.status),
    uniqueIndex('social_accounts_platform_user_unique').on(t.platform, t.platformUserId),
  ],
);

export const socialAccountInsertSchema = createInsertSchema(socialAccounts);
export const socialAccountSelectSchema = createSelectSchema(socialAccounts).omit({
  credentialsEncrypted: true,
});
export type SocialAccount = typeof socialAccounts.$inferSelect;

import { z } from 'zod';

/**
 * P12: how long each kind of record is kept, besides comment text and author identity (the
 * school's retentionMonths). What concerns safeguarding (a comment flagged or escalated as
 * safeguarding, and its responses) follows the school's safeguarding records policy instead: a
 * long default, since such records are commonly kept until the child is 25.
 */
export const retentionSettingsSchema = z.object({
  /** Raw platform bodies kept for diagnosis: items a poll quarantined as unreadable. */
  quarantinedDays: z.coerce.number().int().min(1).max(3650).default(30),
  /** In-app notifications (read or not). */
  notificationMonths: z.coerce.number().int().min(1).max(120).default(12),
  /** The log of email and webhook deliveries of notifications. */
  deliveryLogDays: z.coerce.number().int().min(1).max(3650).default(90),
  /** Safeguarding comments and their records, per the school's safeguarding records policy. */
  safeguardingYears: z.coerce.number().int().min(1).max(100).default(25),
});
export type RetentionSettings = z.output<typeof retentionSettingsSchema>;

/** The school's stored retention document with defaults for what it leaves out (bad values too). */
export function retentionOf(doc: unknown): RetentionSettings {
  const parsed = retentionSettingsSchema.safeParse(doc ?? {});
  return parsed.success ? parsed.data : retentionSettingsSchema.parse({});
}

/** The kinds of record the retention job destroys, as the page and the report name them. */
export const RETENTION_KINDS = {
  comments: 'Comment text and author identity (redacted)',
  quarantinedItems: 'Raw platform bodies kept for diagnosis (quarantined items)',
  notifications: 'Notifications',
  deliveryLog: 'Notification delivery log',
} as const;
export type RetentionKind = keyof typeof RETENTION_KINDS;

import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { notificationPreferences } from '../../db/schema/index.js';
import { mustStayOn } from './notification-events.js';

/** What a person wants for one event. No stored row means on, at once. */
export interface EventChoice {
  inApp: boolean;
  email: boolean;
  webhook: boolean;
  /** Non-urgent email is held for the digest instead of sent at once. */
  digest: boolean;
}

export const DEFAULT_CHOICE: Readonly<EventChoice> = Object.freeze({
  inApp: true,
  email: true,
  webhook: true,
  digest: false,
});

/** What a person gets for one notification: urgent ones ignore every preference. */
export function effectiveChoice(choice: EventChoice, urgent: boolean): EventChoice {
  return urgent ? { inApp: true, email: true, webhook: true, digest: false } : choice;
}

export const choiceKey = (userId: string, event: string) => `${userId} ${event}`;

/** The stored choices of these users for these events (defaults filled in). */
export async function loadChoices(
  db: Queryable,
  userIds: readonly string[],
  events: readonly string[],
): Promise<Map<string, EventChoice>> {
  const out = new Map<string, EventChoice>();
  for (const u of userIds) for (const e of events) out.set(choiceKey(u, e), { ...DEFAULT_CHOICE });
  if (userIds.length === 0 || events.length === 0) return out;
  const rows = await db
    .select()
    .from(notificationPreferences)
    .where(
      and(
        inArray(notificationPreferences.userId, [...userIds]),
        events.length === 1
          ? eq(notificationPreferences.event, events[0]!)
          : inArray(notificationPreferences.event, [...events]),
      ),
    );
  for (const row of rows) {
    const choice = out.get(choiceKey(row.userId, row.event));
    if (!choice) continue;
    // A choice stored before the rule (or written around it) never switches these off.
    const enabled = row.enabled || (mustStayOn(row.event) && row.channel !== 'webhook');
    if (row.channel === 'in_app') choice.inApp = enabled;
    if (row.channel === 'webhook') choice.webhook = enabled;
    if (row.channel === 'email') {
      choice.email = enabled;
      choice.digest = row.digest;
    }
  }
  return out;
}

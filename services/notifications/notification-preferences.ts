import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { notificationPreferences } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { requireUserId } from '../core/authorization.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { invalidInput } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import {
  isAlwaysUrgent,
  mustStayOn,
  NOTIFICATION_EVENT_NAMES,
  NOTIFICATION_EVENTS,
  type NotificationEvent,
} from './notification-events.js';
import { choiceKey, loadChoices } from './preference-rules.js';

export interface EventPreferenceView {
  event: string;
  label: string;
  /** Sent at once on every channel whatever is chosen here (safeguarding, breaches). */
  alwaysUrgent: boolean;
  /** Offensive flags on the person's own accounts: in the app and by email always (P3). */
  mustStayOn: boolean;
  inApp: boolean;
  email: boolean;
  webhook: boolean;
  digest: boolean;
}

/** The signed-in person's choices for every event (unset ones show the default: all on, at once). */
export async function getNotificationPreferences(
  ctx: ServiceContext,
): Promise<{ events: EventPreferenceView[] }> {
  const userId = requireUserId(ctx);
  const choices = await loadChoices(queryable(ctx), [userId], NOTIFICATION_EVENT_NAMES);
  return {
    events: NOTIFICATION_EVENT_NAMES.map((event) => ({
      event,
      label: NOTIFICATION_EVENTS[event].label,
      alwaysUrgent: isAlwaysUrgent(event),
      mustStayOn: mustStayOn(event),
      ...choices.get(choiceKey(userId, event))!,
    })),
  };
}

const eventName = z.enum(NOTIFICATION_EVENT_NAMES as [string, ...string[]], {
  message: 'not an event Hallmonitor notifies',
});

export const setNotificationPreferencesInput = z.object({
  preferences: z
    .array(
      z.object({
        event: eventName,
        inApp: z.boolean().optional(),
        email: z.boolean().optional(),
        webhook: z.boolean().optional(),
        /** Hold non-urgent emails for the digest instead of sending each at once. */
        digest: z.boolean().optional(),
      }),
    )
    .min(1)
    .max(100),
});
export type SetNotificationPreferencesInput = z.input<typeof setNotificationPreferencesInput>;

/** Changes the person's own choices; what is not mentioned stays as it was. */
export async function setNotificationPreferences(
  ctx: ServiceContext,
  raw: SetNotificationPreferencesInput,
): Promise<{ events: EventPreferenceView[] }> {
  const input = setNotificationPreferencesInput.parse(raw);
  const userId = requireUserId(ctx);
  const switchedOff = input.preferences.find(
    (p) => mustStayOn(p.event) && (p.inApp === false || p.email === false),
  );
  if (switchedOff) {
    throw invalidInput(
      `"${NOTIFICATION_EVENTS[switchedOff.event as NotificationEvent].label}" cannot be switched off: offensive comments on your own accounts must be handled swiftly (policy P3). You may take the emails in a digest.`,
    );
  }
  await withTransaction(ctx, async (tx, txCtx) => {
    const current = await loadChoices(tx, [userId], NOTIFICATION_EVENT_NAMES);
    const rows: (typeof notificationPreferences.$inferInsert)[] = [];
    // The same event twice in one request: the later entry wins.
    const byEvent = new Map(input.preferences.map((p) => [p.event, p]));
    for (const p of byEvent.values()) {
      const was = current.get(choiceKey(userId, p.event))!;
      const now = {
        inApp: p.inApp ?? was.inApp,
        email: p.email ?? was.email,
        webhook: p.webhook ?? was.webhook,
        digest: p.digest ?? was.digest,
      };
      rows.push(
        { userId, event: p.event, channel: 'in_app', enabled: now.inApp, digest: false },
        { userId, event: p.event, channel: 'email', enabled: now.email, digest: now.digest },
        { userId, event: p.event, channel: 'webhook', enabled: now.webhook, digest: false },
      );
    }
    await tx
      .insert(notificationPreferences)
      .values(rows)
      .onConflictDoUpdate({
        target: [
          notificationPreferences.userId,
          notificationPreferences.event,
          notificationPreferences.channel,
        ],
        set: { enabled: sql`excluded.enabled`, digest: sql`excluded.digest` },
      });
    await emitAudit(tx, txCtx, {
      action: 'user.notification_preferences_changed',
      schoolId: null,
      subject: { type: 'user', id: userId, label: ctx.actor.label },
      details: { preferences: input.preferences },
    });
  });
  return getNotificationPreferences(ctx);
}

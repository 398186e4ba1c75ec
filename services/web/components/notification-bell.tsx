import type { ServiceContext } from '../../core/service-context.js';
import { countUnread } from '../../notifications/list-notifications.js';

/** The bell beside sign-out: a link to /notifications with the unread count. */
export function NotificationBell({ unread }: { unread: number }): string {
  const label = unread === 0 ? 'Notifications, none unread' : `Notifications, ${unread} unread`;
  const shown = unread > 99 ? '99+' : String(unread);
  return (
    `<a class="bell${unread > 0 ? ' bell-unread' : ''}" href="/notifications" aria-label="${label}" title="${label}">` +
    '<span class="bell-icon" aria-hidden="true">&#128276;</span>' +
    (unread > 0 ? `<span class="bell-count" aria-hidden="true">${shown}</span>` : '') +
    '</a>'
  );
}

/** The rendered bell for the signed-in person, for a page's Layout `bell`. */
export async function bellFor(ctx: ServiceContext): Promise<string> {
  return NotificationBell(await countUnread(ctx));
}

/** A bell drawn in SVG (an emoji bell renders as an empty box where the font lacks it). */
const BELL_ICON =
  '<svg class="bell-icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="22" height="22">' +
  '<path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"/>' +
  '</svg>';

/** The bell beside sign-out: a link to /notifications with the unread count. */
export function NotificationBell({ unread }: { unread: number }): string {
  const label = unread === 0 ? 'Notifications, none unread' : `Notifications, ${unread} unread`;
  const shown = unread > 99 ? '99+' : String(unread);
  return (
    `<a class="bell${unread > 0 ? ' bell-unread' : ''}" href="/notifications" aria-label="${label}" title="${label}">` +
    BELL_ICON +
    (unread > 0 ? `<span class="bell-count" aria-hidden="true">${shown}</span>` : '') +
    '</a>'
  );
}

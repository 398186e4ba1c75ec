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

import type { SchoolRole } from '../../../db/schema/index.js';
import type { Principal } from '../../core/principal.js';
import { CsrfField } from './csrf-field.js';
import { NotificationBell } from './notification-bell.js';

/** What the navigation needs of the signed-in person: a name, and what they hold anywhere. */
export interface NavUser {
  /** Plain text; escaped here. */
  name: string;
  /** Every role the person holds at any of their schools (the pages check per school). */
  roles: ReadonlySet<SchoolRole>;
  /** Whether they administer at least one official account. */
  accountAdmin: boolean;
  /**
   * Unread notifications: with it the bar shows the notifications bell and its count. Page routes
   * get it from `app.pageChrome(request)` (services/api/plugins/page-chrome.ts).
   */
  unread?: number | undefined;
}

export type NavSection =
  | 'inbox'
  | 'flags'
  | 'safeguarding'
  | 'escalations'
  | 'approvals'
  | 'accounts'
  | 'deadlines'
  | 'corrections'
  | 'audit'
  | 'notifications'
  | 'settings'
  | 'policy'
  | 'people';

export function navUserOf(principal: Principal): NavUser {
  const roles = new Set<SchoolRole>();
  for (const held of principal.rolesBySchool.values()) for (const r of held) roles.add(r);
  return { name: principal.displayName, roles, accountAdmin: principal.adminOfAccounts.size > 0 };
}

const any = (user: NavUser, roles: readonly SchoolRole[]) => roles.some((r) => user.roles.has(r));

/** The sections a person may open; each page still refuses (403) what its verbs refuse. */
export function navItemsFor(user: NavUser): { section: NavSection; href: string; label: string }[] {
  const items: { section: NavSection; href: string; label: string; show: boolean }[] = [
    { section: 'inbox', href: '/', label: 'Inbox', show: true },
    {
      section: 'flags',
      href: '/flags',
      label: 'Flags',
      show: user.accountAdmin || any(user, ['trust_admin']),
    },
    {
      section: 'safeguarding',
      href: '/safeguarding',
      label: 'Safeguarding',
      show: any(user, ['safeguarding_lead']),
    },
    {
      section: 'escalations',
      href: '/escalations',
      label: 'Escalations',
      show: any(user, ['senior_leader', 'auditor']),
    },
    { section: 'approvals', href: '/approvals', label: 'Approvals', show: any(user, ['senior_leader']) },
    { section: 'accounts', href: '/accounts', label: 'Accounts', show: true },
    {
      section: 'deadlines',
      href: '/deadlines',
      label: 'Deadlines',
      show: any(user, ['senior_leader', 'comms', 'trust_admin', 'auditor']),
    },
    { section: 'corrections', href: '/corrections', label: 'Corrections', show: any(user, ['trust_admin']) },
    {
      section: 'audit',
      href: '/audit',
      label: 'Audit',
      show: any(user, ['auditor', 'trust_admin', 'senior_leader']),
    },
    { section: 'people', href: '/people', label: 'People', show: any(user, ['trust_admin']) },
    // Every member of staff reads and acknowledges the school's social media policy (P5).
    { section: 'policy', href: '/policy', label: 'Policy', show: user.roles.size > 0 },
    {
      section: 'settings',
      href: '/settings',
      label: 'Settings',
      show: any(user, ['trust_admin', 'senior_leader', 'safeguarding_lead']),
    },
  ];
  return items.filter((i) => i.show).map(({ show: _s, ...i }) => i);
}

export interface SiteHeaderProps {
  user: NavUser;
  /** The session's CSRF token, for the sign-out form. */
  csrfToken: string;
  current?: NavSection | undefined;
}

/** The bar on every signed-in page: the sections this person may use, the bell, and sign-out. */
export function SiteHeader({ user, csrfToken, current }: SiteHeaderProps): JSX.Element {
  return (
    <header class="site-header">
      <a class="brand" href="/">
        Hallmonitor
      </a>
      <nav class="site-nav" aria-label="Main">
        <ul>
          {navItemsFor(user).map((i) => (
            <li>
              <a href={i.href} aria-current={i.section === current ? 'page' : undefined} safe>
                {i.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="site-tools">
        {user.unread === undefined ? '' : <NotificationBell unread={user.unread} />}
        <form method="post" action="/auth/sign-out" class="sign-out">
          <CsrfField token={csrfToken} />
          <span class="user-name" safe>
            {user.name}
          </span>{' '}
          <button type="submit">Sign out</button>
        </form>
      </div>
    </header>
  );
}

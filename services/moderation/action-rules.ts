import type { AccountSettings, ActionKind, Platform } from '../../db/schema/index.js';
import type { Capabilities, CapabilityName } from '../platforms/adapter.js';
import { platformProfile } from '../platforms/platform-profiles.js';

/** What an action is carried out on: the comment itself, or the person who wrote it. */
export type ActionTarget = 'comment' | 'author';

export const ACTION_TARGET: Record<ActionKind, ActionTarget> = {
  hide: 'comment',
  unhide: 'comment',
  delete: 'comment',
  report: 'comment',
  notice: 'comment',
  block: 'author',
  unblock: 'author',
  mute: 'author',
  unmute: 'author',
};

/** The capability each kind needs on the platform; without it the action is done by hand. */
export const ACTION_CAPABILITY: Record<ActionKind, CapabilityName> = {
  hide: 'hide',
  unhide: 'unhide',
  delete: 'delete',
  report: 'report',
  notice: 'reply',
  block: 'block',
  unblock: 'unblock',
  mute: 'mute',
  unmute: 'unmute',
};

/** The state read before acting, so a retried job never acts twice; null where none applies. */
export const ACTION_STATE: Partial<
  Record<ActionKind, { kind: 'hidden' | 'muted' | 'blocked'; want: boolean }>
> = {
  hide: { kind: 'hidden', want: true },
  unhide: { kind: 'hidden', want: false },
  mute: { kind: 'muted', want: true },
  unmute: { kind: 'muted', want: false },
  block: { kind: 'blocked', want: true },
  unblock: { kind: 'blocked', want: false },
};

const READ_CAPABILITY = { hidden: 'readHidden', muted: 'readMuted', blocked: 'readBlocked' } as const;
export const readCapability = (kind: 'hidden' | 'muted' | 'blocked') => READ_CAPABILITY[kind];

/** Delete, block and report need a second admin (P3, P4); hide does when the account says so. */
const TWO_ADMIN_KINDS: ReadonlySet<ActionKind> = new Set(['delete', 'block', 'report']);

export function needsSecondAdmin(kind: ActionKind, settings: Pick<AccountSettings, 'twoAdminHide'>): boolean {
  return TWO_ADMIN_KINDS.has(kind) || (kind === 'hide' && settings.twoAdminHide);
}

/** A successful hide or delete means the comment needs no reply: its deadline closes. */
export const CLOSES_COMMENT: ReadonlySet<ActionKind> = new Set(['hide', 'delete']);

/**
 * What this deployment's adapter for a platform declares, without opening a connection: the
 * platform registry's static description (services/platforms/platform-profiles.ts).
 */
export function platformCapabilities(platform: Platform): Capabilities {
  return platformProfile(platform).capabilities;
}

export function actionMode(platform: Platform, kind: ActionKind): 'platform' | 'manual' {
  return platformCapabilities(platform)[ACTION_CAPABILITY[kind]] ? 'platform' : 'manual';
}

/** Every action carries one of these plus free text (P3, P7). */
export const REASON_CATEGORIES = [
  'offensive',
  'abusive',
  'harassment',
  'discriminatory',
  'defamatory',
  'personal_information',
  'safeguarding',
  'spam',
  'other',
] as const;
export type ReasonCategory = (typeof REASON_CATEGORIES)[number];

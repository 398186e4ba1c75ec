import type { SocialAccount } from '../../db/schema/index.js';

const PLATFORM_LABEL = { x: 'X', facebook: 'Facebook', instagram: 'Instagram', youtube: 'YouTube' } as const;

/** How an account is named to people and in audit entries: "@handle on X". */
export function accountLabel(account: Pick<SocialAccount, 'handle' | 'platform'>): string {
  return `@${account.handle.replace(/^@/, '')} on ${PLATFORM_LABEL[account.platform]}`;
}

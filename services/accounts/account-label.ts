import type { SocialAccount } from '../../db/schema/index.js';
import { accountDisplayName, platformDisplayName } from '../platforms/platform-profiles.js';

/** How an account is named to people and in audit entries: "@handle on X", "Oakfield Primary on Facebook". */
export function accountLabel(account: Pick<SocialAccount, 'handle' | 'platform'>): string {
  return `${accountDisplayName(account.platform, account.handle.replace(/^@/, ''))} on ${platformDisplayName(account.platform)}`;
}

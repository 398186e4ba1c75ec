import type { Comment, SocialAccount } from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';

/** How a comment is named in audit entries and notifications: never its text or its author. */
export function commentLabel(
  comment: Pick<Comment, 'externalId'>,
  account: Pick<SocialAccount, 'handle' | 'platform'>,
): string {
  return `Comment ${comment.externalId} on ${accountLabel(account)}`;
}

import { and, asc, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import { comments, socialAccounts } from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { queryable, type ServiceContext } from '../core/service-context.js';

/** Most rows the follow-up queue shows at once (oldest target first). */
export const MAX_FOLLOW_UPS = 200;

export interface FollowUpItem {
  id: string;
  schoolId: string;
  accountLabel: string;
  authorHandle: string;
  authorName: string;
  platform: string;
  text: string;
  redacted: boolean;
  firstResponseAt: Date | null;
  followUpDueAt: Date | null;
  overdue: boolean;
}

/**
 * P2: the follow-up queue: comments a holding reply (or a holding offline contact) acknowledged in
 * time that nobody has answered in full yet, the soonest follow-up target first. A reply, an
 * offline answer, a close with reason or a moderation takes a comment off it.
 */
export async function listFollowUps(ctx: ServiceContext, now = new Date()): Promise<FollowUpItem[]> {
  const where: SQL[] = [eq(comments.status, 'responded'), isNull(comments.answeredAt)];
  if (ctx.schoolIds !== null) {
    if (ctx.schoolIds.length === 0) return [];
    where.push(inArray(comments.schoolId, [...ctx.schoolIds]));
  }
  const rows = await queryable(ctx)
    .select({ comment: comments, account: socialAccounts })
    .from(comments)
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .where(and(...where))
    .orderBy(asc(comments.followUpDueAt), asc(comments.id))
    .limit(MAX_FOLLOW_UPS);
  return rows.map(({ comment: c, account }) => ({
    id: c.id,
    schoolId: c.schoolId,
    accountLabel: accountLabel(account),
    authorHandle: c.authorHandle,
    authorName: c.authorName,
    platform: account.platform,
    text: c.text,
    redacted: c.redactedAt !== null,
    firstResponseAt: c.firstResponseAt,
    followUpDueAt: c.followUpDueAt,
    overdue: c.followUpDueAt !== null && c.followUpDueAt < now,
  }));
}

import { and, asc, eq, isNotNull, isNull, lte } from 'drizzle-orm';
import { accountRisks, comments, socialAccounts } from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { RISK_WORDS } from '../accounts/account-risks.js';
import { emitAudit } from '../audit/emit-audit.js';
import { commentLabel } from '../comments/comment-label.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';
import { fallbackNote, recipientChain } from '../notifications/recipient-chain.js';

const LIMIT = 500;

/**
 * P2: a comment acknowledged but not yet answered in full is past its follow-up target. Its
 * assignee is told, or with nobody assigned the senior leaders; once per comment (the conditional
 * update on follow_up_overdue_notified_at is the claim, so two sweeps never tell twice).
 */
export async function notifyOverdueFollowUps(ctx: ServiceContext, now: Date = new Date()): Promise<number> {
  const due = await ctx.db
    .select({ id: comments.id })
    .from(comments)
    .where(
      and(
        isNull(comments.answeredAt),
        isNull(comments.followUpOverdueNotifiedAt),
        isNotNull(comments.followUpDueAt),
        lte(comments.followUpDueAt, now),
      ),
    )
    .orderBy(asc(comments.followUpDueAt))
    .limit(LIMIT);
  let told = 0;
  for (const { id } of due) {
    await withTransaction(ctx, async (tx) => {
      const [claimed] = await tx
        .update(comments)
        .set({ followUpOverdueNotifiedAt: now })
        .where(
          and(eq(comments.id, id), isNull(comments.followUpOverdueNotifiedAt), isNull(comments.answeredAt)),
        )
        .returning();
      if (!claimed) return;
      const [account] = await tx
        .select()
        .from(socialAccounts)
        .where(eq(socialAccounts.id, claimed.accountId));
      if (!account) return;
      const to = claimed.assigneeId
        ? { userIds: [claimed.assigneeId] }
        : await recipientChain(tx, claimed.schoolId, ['senior_leader']);
      const label = commentLabel(claimed, account);
      await notifyUsers(tx, {
        schoolId: claimed.schoolId,
        userIds: to.userIds,
        event: 'comment.follow_up_overdue',
        urgency: 'urgent',
        title: 'A follow-up is overdue',
        body: `${label} had a holding reply but has not been answered in full, and its follow-up target has passed.${claimed.assigneeId ? '' : ' Nobody is assigned to it.'}`,
        link: `/comments/${claimed.id}`,
        subject: { type: 'comment', id: claimed.id },
      });
      await emitAudit(tx, ctx, {
        action: 'comment.follow_up_overdue',
        schoolId: claimed.schoolId,
        subject: { type: 'comment', id: claimed.id, label },
        details: {
          followUpDueAt: claimed.followUpDueAt?.toISOString() ?? null,
          told: claimed.assigneeId ? 'assignee' : 'senior_leaders',
          recipients: to.userIds.length,
        },
      });
      told += 1;
    });
  }
  return told;
}

/**
 * P4/P8: an account at risk whose replacement deadline has passed is told again to the senior
 * leaders (or whoever the chain reaches), once per risk.
 */
export async function notifyOverdueRisks(ctx: ServiceContext, now: Date = new Date()): Promise<number> {
  const due = await ctx.db
    .select({ accountId: accountRisks.accountId })
    .from(accountRisks)
    .where(and(isNull(accountRisks.overdueNotifiedAt), lte(accountRisks.dueAt, now)))
    .limit(LIMIT);
  let told = 0;
  for (const { accountId } of due) {
    await withTransaction(ctx, async (tx) => {
      const [risk] = await tx
        .update(accountRisks)
        .set({ overdueNotifiedAt: now })
        .where(and(eq(accountRisks.accountId, accountId), isNull(accountRisks.overdueNotifiedAt)))
        .returning();
      if (!risk) return;
      const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, accountId));
      if (!account) return;
      const label = accountLabel(account);
      const to = await recipientChain(tx, risk.schoolId, ['senior_leader']);
      await notifyUsers(tx, {
        schoolId: risk.schoolId,
        userIds: to.userIds,
        event: 'account.risk_overdue',
        urgency: 'urgent',
        title: `${label} is past its replacement deadline`,
        body: `${label} still has ${risk.reasons.map((r) => RISK_WORDS[r]).join(' and ')}, and the time to name a replacement has run out: it is shown in red everywhere until someone is named.${to.fallback ? ` ${fallbackNote(to.via, 'senior leader')}` : ''}`,
        link: `/accounts/${accountId}`,
        subject: { type: 'account', id: accountId },
      });
      await emitAudit(tx, ctx, {
        action: 'account.risk_overdue',
        schoolId: risk.schoolId,
        subject: { type: 'account', id: accountId, label },
        details: { reasons: risk.reasons, dueAt: risk.dueAt.toISOString(), recipients: to.userIds.length },
      });
      told += 1;
    });
  }
  return told;
}

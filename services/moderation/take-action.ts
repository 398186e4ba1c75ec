import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { ACTION_KINDS, moderationActions, schools } from '../../db/schema/index.js';
import { type AuditEntryInput, emitAudit } from '../audit/emit-audit.js';
import { checkOutgoingReply, problemSummary } from '../classification/check-outgoing-reply.js';
import { type SchoolClassifierCache, shippedClassifier } from '../classification/school-classifier-cache.js';
import { assertAccountAdmin, assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidInput, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { accountAdminIds, notifyUsers } from '../notifications/notify-users.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import {
  type ActionDispatch,
  type ActionView,
  actionSubject,
  describeAction,
  dispatchAll,
  loadCommentWithAccount,
} from './action-access.js';
import { type ActionOutcome, describeOutcome } from './action-outcome.js';
import { ACTION_TARGET, actionMode, needsSecondAdmin, REASON_CATEGORIES } from './action-rules.js';
import { draftNotice, MAX_NOTICE_CHARS, NOTICE_TEMPLATE_IDS } from './notice-templates.js';

export const takeActionInput = z.object({
  commentId: z.uuid(),
  kind: z.enum(ACTION_KINDS),
  reasonCategory: z.enum(REASON_CATEGORIES),
  reasonText: z.string().trim().min(1, 'say why').max(2_000),
  /** Drafts the public notice from a template; `noticeText` (edited by the admin) wins over it. */
  noticeTemplate: z.enum(NOTICE_TEMPLATE_IDS).optional(),
  noticeText: z.string().trim().min(1).max(MAX_NOTICE_CHARS).optional(),
  complaintsUrl: z.url().optional(),
  /** A senior leader's reason to post a notice the outgoing check refused (P11); audited. */
  noticeOverrideReason: z.string().trim().min(5).max(2_000).optional(),
});
export type TakeActionInput = z.input<typeof takeActionInput>;

const OPEN_STATUSES = ['proposed', 'approved', 'queued', 'executing'] as const;

/**
 * An account admin acts on a comment or its author. Hide, unhide, mute and unmute are carried out
 * at once; delete, block and report (and hide, where the account requires it) are proposed and wait
 * for the other admin (P3, P4). What the platform cannot do is a manual action, recorded later.
 */
export async function takeAction(
  ctx: ServiceContext,
  raw: TakeActionInput,
  dispatch?: ActionDispatch,
  /** The school classifiers for the notice's outgoing check; without it, the shipped lexicons only. */
  classifiers?: SchoolClassifierCache,
): Promise<{ action: ActionView; needsConfirmation: boolean; outcome: ActionOutcome }> {
  const input = takeActionInput.parse(raw);
  const { created: action, platform } = await withTransaction(ctx, async (tx) => {
    const { comment, account } = await loadCommentWithAccount(ctx, tx, input.commentId);
    assertAccountAdmin(ctx, account.id, "act on this account's comments");
    const proposer = ctx.actor.type === 'user' ? ctx.actor.id : null;

    const open = await tx
      .select({ id: moderationActions.id })
      .from(moderationActions)
      .where(
        and(
          eq(moderationActions.commentId, comment.id),
          eq(moderationActions.kind, input.kind),
          inArray(moderationActions.status, [...OPEN_STATUSES]),
        ),
      );
    if (open.length)
      throw conflict(`A ${input.kind} of this comment is already under way`, { actionId: open[0]?.id });

    let noticeText = input.noticeText ?? null;
    if (!noticeText && input.noticeTemplate) {
      const [school] = await tx
        .select({ name: schools.name })
        .from(schools)
        .where(eq(schools.id, account.schoolId));
      noticeText = draftNotice(input.noticeTemplate, {
        school: school?.name ?? 'the school',
        complaintsUrl: input.complaintsUrl,
      });
    }
    const { maxNoticeChars, displayName } = platformProfile(account.platform);
    if (noticeText && noticeText.length > maxNoticeChars) {
      throw invalidInput(
        `The notice is ${noticeText.length} characters; a notice on ${displayName} may be at most ${maxNoticeChars}`,
      );
    }
    if (input.kind === 'notice' && !noticeText) throw invalidInput('A notice needs its text or a template');
    // A notice is a public reply by the school: the same outgoing check as any reply (P11).
    let noticeOverride: { reason: string; problems: Record<string, unknown>[] } | null = null;
    if (noticeText) {
      const classifier = classifiers
        ? await classifiers.forSchool(tx, account.schoolId)
        : shippedClassifier();
      const check = checkOutgoingReply(noticeText, classifier);
      if (!check.ok) {
        if (!input.noticeOverrideReason) {
          throw preconditionFailed(
            `This notice cannot be posted: ${check.problems.map((p) => p.message).join(' ')}`,
            { problems: problemSummary(check.problems) },
          );
        }
        assertRole(ctx, account.schoolId, ['senior_leader'], 'post a notice the outgoing check refused');
        noticeOverride = {
          reason: input.noticeOverrideReason,
          problems: check.problems.map(({ category, subcategory, spans }) => ({
            category,
            subcategory,
            spans,
          })),
        };
      }
    }

    const mode = actionMode(account.platform, input.kind);
    const twoAdmins = needsSecondAdmin(input.kind, account.settings);
    const now = new Date();
    const status = twoAdmins ? 'proposed' : mode === 'platform' ? 'queued' : 'approved';
    const [row] = await tx
      .insert(moderationActions)
      .values({
        schoolId: account.schoolId,
        accountId: account.id,
        commentId: comment.id,
        targetAuthorExternalId: ACTION_TARGET[input.kind] === 'author' ? comment.authorExternalId : null,
        kind: input.kind,
        mode,
        status,
        reasonCategory: input.reasonCategory,
        reasonText: input.reasonText,
        noticeText,
        proposedBy: proposer,
        system: ctx.actor.type === 'system',
        confirmedBy: twoAdmins ? null : proposer,
        expiresAt: twoAdmins
          ? new Date(now.getTime() + account.settings.proposalExpiryHours * 3_600_000)
          : null,
      })
      .returning();
    const created = row!;
    const subject = actionSubject(created, account);
    const reason = { reasonCategory: created.reasonCategory, reasonText: created.reasonText };
    const base = { schoolId: account.schoolId, subject };
    const entries: AuditEntryInput[] = [
      {
        ...base,
        action: 'action.proposed',
        details: {
          ...reason,
          kind: created.kind,
          mode,
          commentId: comment.id,
          // The notice is addressed to the person (it can name them): kept beside the chain, where
          // retention and erasure can remove it, not in the hashed details.
          hasNotice: noticeText !== null,
          ...(noticeOverride ? { noticeCheckOverridden: noticeOverride } : {}),
          ...(ctx.actor.type === 'system' ? { automatic: true } : {}),
          expiresAt: created.expiresAt,
        },
        ...(noticeText !== null ? { personal: { notice: noticeText } } : {}),
      },
    ];
    if (!twoAdmins) {
      entries.push({ ...base, action: 'action.approved', details: { ...reason, rule: 'one_admin' } });
      if (status === 'queued') entries.push({ ...base, action: 'action.queued', details: { attempt: 1 } });
    }
    await emitAudit(tx, ctx, entries);
    if (twoAdmins) {
      const others = (await accountAdminIds(tx, account.id)).filter((id) => id !== proposer);
      await notifyUsers(tx, {
        schoolId: account.schoolId,
        userIds: others,
        event: 'action.proposed',
        urgency: 'urgent',
        title: `A ${created.kind} needs your confirmation`,
        body: `${ctx.actor.label} proposed to ${created.kind} on ${subject.label.replace(/^\w+ on /, '')}: ${created.reasonCategory}. It expires in ${account.settings.proposalExpiryHours} hours.`,
        link: `/actions/${created.id}`,
        subject: { type: 'action', id: created.id },
      });
    }
    return { created, platform: account.platform };
  });
  if (action.status === 'queued') await dispatchAll(dispatch, [action.id]);
  return {
    action: describeAction(action),
    needsConfirmation: action.status === 'proposed',
    outcome: describeOutcome(action, { id: action.accountId, platform }),
  };
}

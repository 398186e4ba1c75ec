import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable, Transaction } from '../../db/client.js';
import { ACTION_KINDS, moderationActions, type SocialAccount } from '../../db/schema/index.js';
import { assertPolicyAcknowledged } from '../accounts/policy-gate.js';
import { type AuditEntryInput, emitAudit } from '../audit/emit-audit.js';
import { checkOutgoingReply, problemSummary } from '../classification/check-outgoing-reply.js';
import { type SchoolClassifierCache, shippedClassifier } from '../classification/school-classifier-cache.js';
import { type HouseRule, loadReplyPolicy, RULE_FOR_REASON } from '../comments/reply-policy.js';
import { assertAccountAdmin, assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidInput, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { accountAdminIds, notifyUsers } from '../notifications/notify-users.js';
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
import {
  houseRuleNotice,
  MAX_NOTICE_CHARS,
  NOTICE_BY_DEFAULT,
  NOTICE_TEMPLATE_IDS,
  NOTICE_WORDING_FOR,
  noticeTooLong,
  parentNotice,
} from './notice-templates.js';

export const takeActionInput = z.object({
  commentId: z.uuid(),
  kind: z.enum(ACTION_KINDS),
  reasonCategory: z.enum(REASON_CATEGORIES),
  reasonText: z.string().trim().min(1, 'say why').max(2_000),
  /**
   * Whether to tell the audience why (P3). Left out: hide and delete do when the school's
   * `noticeByDefault` is on (the default), other actions do not.
   */
  notice: z.boolean().optional(),
  /** The house rule the notice cites by name; left out, the rule for the reason category. */
  houseRule: z.string().trim().min(1).max(40).optional(),
  /** Drafts the public notice from a template; `noticeText` (edited by the admin) wins over it. */
  noticeTemplate: z.enum(NOTICE_TEMPLATE_IDS).optional(),
  noticeText: z.string().trim().min(1).max(MAX_NOTICE_CHARS).optional(),
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
    await assertPolicyAcknowledged(tx, ctx, account.schoolId, 'moderate comments');
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

    const drafted = await draftActionNotice(tx, input, account, comment.id);
    const noticeText = drafted.text;
    if (input.kind === 'notice' && !noticeText) throw invalidInput('A notice needs its text or a template');
    // A notice is a public reply by the school: the same outgoing check as any reply (P11).
    let noticeOverride: { reason: string; problems: Record<string, unknown>[] } | null = null;
    let noticeDropped: string | null = null;
    if (noticeText) {
      const classifier = classifiers
        ? await classifiers.forSchool(tx, account.schoolId)
        : shippedClassifier();
      const check = checkOutgoingReply(noticeText, classifier);
      if (!check.ok && ctx.actor.type === 'system' && input.kind !== 'notice') {
        // The system hides on the admins' behalf; it never overrides the check, nor fails the hide.
        noticeDropped = check.problems.map((p) => p.message).join(' ');
      } else if (!check.ok) {
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
        noticeText: noticeDropped ? null : noticeText,
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
          hasNotice: created.noticeText !== null,
          ...(drafted.houseRule && created.noticeText ? { houseRule: drafted.houseRule } : {}),
          ...(drafted.template && created.noticeText ? { noticeTemplate: drafted.template } : {}),
          ...(input.notice === false ? { noticeDeclined: true } : {}),
          ...(noticeDropped ? { noticeDropped } : {}),
          ...(noticeOverride ? { noticeCheckOverridden: noticeOverride } : {}),
          ...(ctx.actor.type === 'system' ? { automatic: true } : {}),
          expiresAt: created.expiresAt,
        },
        ...(created.noticeText !== null ? { personal: { notice: created.noticeText } } : {}),
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

type TakeActionParsed = z.output<typeof takeActionInput>;

/**
 * The notice an action carries (P3, P9), or none. A house-rule notice uses the words of the action
 * (hidden, removed, blocked) and cites the rule by name; a parent's notice asks them to remove the
 * comment, so it is refused once the comment is hidden or removed, or about to be.
 */
async function draftActionNotice(
  tx: Transaction,
  input: TakeActionParsed,
  account: Pick<SocialAccount, 'schoolId' | 'platform'>,
  commentId: string,
): Promise<{ text: string | null; houseRule?: HouseRule; template?: string }> {
  if (input.notice === false) {
    if (input.kind === 'notice') throw invalidInput('A notice is the notice: leave it on');
    return { text: null };
  }
  const policy = await loadReplyPolicy(tx, account.schoolId);
  const wording = NOTICE_WORDING_FOR[input.kind];
  const asked = input.notice === true || !!input.noticeText || !!input.noticeTemplate || !!input.houseRule;
  let rule: HouseRule | undefined;
  if (input.houseRule) {
    rule = policy.houseRules.find((r) => r.id === input.houseRule);
    if (!rule) throw invalidInput(`This school has no house rule "${input.houseRule}"`);
  }

  let text: string | null = null;
  let template: string | undefined;
  if (input.noticeTemplate === 'parent_remove_and_talk') {
    if (input.kind !== 'notice') {
      throw invalidInput(
        `A parent is asked to remove the comment while it is still up: post that notice on its own, not with a ${input.kind}`,
      );
    }
    if (await isHiddenOrGoing(tx, commentId)) {
      throw preconditionFailed(
        'This comment is already hidden or removed (or about to be): the parent can no longer remove it, so that notice would mislead',
      );
    }
    // The school cannot message an author privately through Hallmonitor on any platform yet.
    text = parentNotice(policy, false);
    template = 'parent_remove_and_talk';
  } else if (input.noticeText) {
    text = input.noticeText;
  } else if (asked || (policy.noticeByDefault && NOTICE_BY_DEFAULT.has(input.kind))) {
    if (!wording) {
      if (input.kind === 'notice') throw invalidInput('A notice needs its text or a template');
      if (asked) throw invalidInput(`A ${input.kind} carries no notice: only hide, delete and block do`);
      return { text: null };
    }
    rule ??=
      policy.houseRules.find((r) => r.id === RULE_FOR_REASON[input.reasonCategory]) ?? policy.houseRules[0]!;
    text = houseRuleNotice(policy, wording, rule);
    template = 'house_rule';
  }
  if (text) {
    const tooLong = noticeTooLong(text, account.platform);
    if (tooLong)
      throw invalidInput(
        template === 'house_rule'
          ? `${tooLong}: shorten the school's wording or the house rule's name`
          : tooLong,
      );
  }
  return {
    text,
    ...(rule && text && template === 'house_rule' ? { houseRule: rule } : {}),
    ...(template ? { template } : {}),
  };
}

/** A hide or delete that succeeded and was not undone, or one under way. */
export async function isHiddenOrGoing(tx: Queryable, commentId: string): Promise<boolean> {
  const rows = await tx
    .select({
      kind: moderationActions.kind,
      status: moderationActions.status,
      at: moderationActions.updatedAt,
    })
    .from(moderationActions)
    .where(
      and(
        eq(moderationActions.commentId, commentId),
        inArray(moderationActions.kind, ['hide', 'unhide', 'delete']),
        inArray(moderationActions.status, ['succeeded', ...OPEN_STATUSES]),
      ),
    );
  if (rows.some((r) => r.kind === 'delete')) return true;
  if (rows.some((r) => r.kind === 'hide' && r.status !== 'succeeded')) return true;
  const last = rows
    .filter((r) => r.status === 'succeeded')
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .at(-1);
  return last?.kind === 'hide';
}

import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { type SchoolRole, schools } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { loadSchoolFor } from '../classification/school-lexicon-access.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, invalidInputFrom } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { houseRuleNotice, NOTICE_WORDING_FOR, noticeTooLong } from '../moderation/notice-templates.js';
import { NOTICE_WORDINGS, type ReplyPolicy, replyPolicyOf, replyPolicySchema } from './reply-policy.js';

/** Who decides how the school answers in public: those who change its other settings. */
export const REPLY_POLICY_EDITORS: readonly SchoolRole[] = ['senior_leader', 'trust_admin'];

/** Any subset of the policy; what is left out stays as it was. */
export const setReplyPolicyInput = replyPolicySchema.partial();
export type SetReplyPolicyInput = z.input<typeof setReplyPolicyInput>;

/**
 * Changes how the school answers in public (house rules and their link, notice wording, the
 * offensive-flag target, sensitive topics, sign-off, complaints link). Every notice the new
 * wording can make must fit the platform, so a wording too long is refused here, not at 2am when
 * an admin hides a comment.
 */
export async function setReplyPolicy(
  ctx: ServiceContext,
  schoolId: string,
  rawInput: unknown,
): Promise<ReplyPolicy> {
  const parsed = setReplyPolicyInput.safeParse(rawInput);
  if (!parsed.success) throw invalidInputFrom(parsed.error, 'House rules and replies: ');
  return withTransaction(ctx, async (tx) => {
    const school = await loadSchoolFor(
      ctx,
      tx,
      schoolId,
      REPLY_POLICY_EDITORS,
      'change how the school replies',
      {
        forUpdate: true,
      },
    );
    const [row] = await tx
      .select({ replyPolicy: schools.replyPolicy })
      .from(schools)
      .where(eq(schools.id, schoolId));
    const before = replyPolicyOf(row?.replyPolicy);
    const after: ReplyPolicy = { ...before, ...parsed.data };
    for (const wording of NOTICE_WORDINGS) {
      for (const rule of after.houseRules) {
        const tooLong = noticeTooLong(houseRuleNotice({ ...after, school: school.name }, wording, rule));
        if (tooLong) {
          const kind = Object.entries(NOTICE_WORDING_FOR).find(([, w]) => w === wording)?.[0];
          throw invalidInput(`The ${kind} notice citing “${rule.name}” is too long: ${tooLong}`);
        }
      }
    }
    await tx.update(schools).set({ replyPolicy: after }).where(eq(schools.id, schoolId));
    const changed = Object.fromEntries(
      Object.keys(parsed.data)
        .filter(
          (k) =>
            JSON.stringify(before[k as keyof ReplyPolicy]) !== JSON.stringify(after[k as keyof ReplyPolicy]),
        )
        .map((k) => [k, { before: before[k as keyof ReplyPolicy], after: after[k as keyof ReplyPolicy] }]),
    );
    if (Object.keys(changed).length > 0) {
      await emitAudit(tx, ctx, {
        action: 'school.reply_policy_changed',
        schoolId,
        subject: { type: 'school', id: schoolId, label: school.name },
        details: { changed },
      });
    }
    return after;
  });
}

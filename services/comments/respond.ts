import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { responses, schools, socialAccounts } from '../../db/schema/index.js';
import { assertAdminOrRole, holdsRole } from '../accounts/account-access.js';
import { approverNames, mediaApprovers } from '../accounts/conduct-settings.js';
import { assertPolicyAcknowledged } from '../accounts/policy-gate.js';
import { emitAudit } from '../audit/emit-audit.js';
import { checkOutgoingReply, problemSummary } from '../classification/check-outgoing-reply.js';
import type { SchoolClassifierCache } from '../classification/school-classifier-cache.js';
import { assertRole, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput, invalidInputFrom, notFound, preconditionFailed } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';
import type { PlatformName } from '../platforms/adapter.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { xWeightedLength } from '../platforms/x/x-weighted-length.js';
import type { CommentEffects } from './comment-effects.js';
import { commentLabel } from './comment-label.js';
import { loadComment } from './load-comment.js';
import { meetDeadline } from './meet-deadline.js';
import { pupilAuthorOf } from './pupil-author.js';
import { loadReplyPolicy } from './reply-policy.js';
import { touchedTopics } from './sensitive-topics.js';
import { signatureOf, signReply } from './sign-off.js';

const note = z.string().trim().min(1).max(2_000);
/** A senior leader's reason to send a reply the outgoing check refused (P11), audited. */
const overrideReason = z.string().trim().min(5, 'say why the reply must go as written').max(2_000);
/** Ask a senior leader to approve this reply before it goes (P10), even if nothing requires it. */
const requestApproval = z.boolean();
/** A senior leader's reason to answer a pupil on the platform after all (002 §5 Pupils), audited. */
const pupilOverrideReason = z.string().trim().min(5, 'say why the school answers this pupil').max(2_000);

/**
 * The ways a comment is answered (P2). Each meets the deadline but `seen`, an internal note the
 * commenter never sees. An acknowledgement is a holding reply the commenter sees: the school's
 * holding-reply template (or the text given), posted through the reply path like a public reply;
 * it meets the deadline when the platform confirms it and leaves the comment in the follow-up
 * queue until it is answered in full. An offline contact records who was contacted and how;
 * `holding` marks it as a holding contact (the full answer still owed).
 */
export const respondInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('acknowledgement'),
    text: z.string().trim().max(2_000).optional(),
    overrideReason: overrideReason.optional(),
    requestApproval: requestApproval.optional(),
    pupilOverrideReason: pupilOverrideReason.optional(),
  }),
  z.object({ kind: z.literal('seen'), note: z.string().trim().max(2_000).optional() }),
  z.object({
    kind: z.literal('offline'),
    channel: z.enum(['phone', 'meeting', 'email']),
    contactPerson: z
      .string({ error: 'say who was contacted (for example "Mrs Shah, the parent")' })
      .trim()
      .min(1, 'say who was contacted (for example "Mrs Shah, the parent")')
      .max(200)
      .refine((v) => !v.includes('\u0000'), 'who was contacted must not contain a NUL character'),
    note,
    holding: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('private_reply'),
    text: z.string().trim().min(1).max(10_000),
    note: note.optional(),
    overrideReason: overrideReason.optional(),
    requestApproval: requestApproval.optional(),
    pupilOverrideReason: pupilOverrideReason.optional(),
  }),
  z.object({ kind: z.literal('no_response_needed'), reason: note }),
  z.object({
    kind: z.literal('public_reply'),
    text: z.string().trim().min(1).max(10_000),
    overrideReason: overrideReason.optional(),
    requestApproval: requestApproval.optional(),
    pupilOverrideReason: pupilOverrideReason.optional(),
  }),
]);
export type RespondInput = z.input<typeof respondInputSchema>;

export interface RespondResult {
  responseId: string;
  kind: RespondInput['kind'];
  responseStatus: 'sending' | 'recorded' | 'pending_approval';
  commentStatus: 'open' | 'responded' | 'closed';
  /**
   * Whether this response met the deadline; null while a public reply waits for the platform or
   * a reply waits for a senior leader's approval.
   */
  metDeadline: boolean | null;
  /**
   * False when the queue failed after the reply was saved: the reply relay sends it once the queue
   * is back, so the user must not reply again. `notice` says so.
   */
  queued?: boolean;
  notice?: string;
}

/** What respond needs besides the queues: the school's classifier, for the outgoing check. */
export interface RespondEffects extends CommentEffects {
  classifiers: SchoolClassifierCache;
}

/**
 * The check's problems with each reason once: several labels saying the same thing (one rule
 * firing on two spans) are one problem with both spans, so the refusal lists it once.
 */
export function distinctProblems(
  problems: ReturnType<typeof problemSummary>,
): ReturnType<typeof problemSummary> {
  const byReason = new Map<string, ReturnType<typeof problemSummary>[number]>();
  for (const p of problems) {
    const seen = byReason.get(p.reason);
    if (seen) seen.spans = [...seen.spans, ...p.spans];
    else byReason.set(p.reason, { ...p, spans: [...p.spans] });
  }
  return [...byReason.values()];
}

/**
 * A reply's length as its platform counts it: X weighs it (a link 23, CJK and emoji 2); the others
 * count characters as people do (an emoji is one).
 */
export const replyLength = (text: string, platform: PlatformName): number =>
  platform === 'x' ? xWeightedLength(text) : [...text].length;

/**
 * A reply that goes to the platform fits its limit, sign-off included (X 280 weighted, Instagram
 * 2,200, Facebook 8,000); a private reply fits the platform's message limit where it has one
 * (Messenger 2,000).
 */
function assertFitsPlatform(text: string, platform: PlatformName, kind: 'public' | 'private'): void {
  const profile = platformProfile(platform);
  const { displayName } = profile;
  const maxReplyChars = kind === 'private' ? profile.maxPrivateReplyChars : profile.maxReplyChars;
  if (maxReplyChars === undefined) return;
  const length = replyLength(text, platform);
  if (length <= maxReplyChars) return;
  const n = (v: number) => v.toLocaleString('en-GB');
  throw invalidInput(
    `This reply is ${n(length)} characters with its sign-off; ${displayName} allows ${n(maxReplyChars)}${kind === 'private' ? ' in a private reply' : ''}. Shorten it by ${n(length - maxReplyChars)} characters.`,
    { maxReplyChars, length },
  );
}

/** Replies to these categories wait for a senior leader (P6: a journalist's enquiry). */
export const APPROVAL_CATEGORIES: readonly string[] = ['media_enquiry'];

/**
 * Records a response to a comment. Offline, private and "no response needed" meet the deadline
 * now; a public reply or a holding reply (acknowledgement) is queued for the platform and meets it
 * when the platform confirms (send-reply); `seen` meets nothing. Comms, senior leaders and the account's admins respond; only comms and
 * senior leaders may close a comment as needing no response.
 *
 * Public and private replies first pass the outgoing check (P11): one that names a pupil, holds
 * personal data or offends is refused (422) with each problem's span, unless a senior leader sends
 * it anyway with `overrideReason` (audited). A reply to a media enquiry (P6), or one whose author
 * asks for it (P10), waits as pending_approval for a senior leader; a senior leader's own reply is
 * approved by its author. A media enquiry's replies and offline responses wait for the headteacher
 * or a deputy the school named (conduct-settings.ts), whose own are approved by their author.
 */
export async function respond(
  ctx: ServiceContext,
  commentId: string,
  rawInput: unknown,
  effects: RespondEffects,
): Promise<RespondResult> {
  const parsed = respondInputSchema.safeParse(rawInput);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const input = parsed.data;
  const now = new Date();
  // Checked before saving: a 503 after the row is saved would invite a retry that posts twice.
  if (input.kind === 'public_reply' || input.kind === 'acknowledgement')
    await effects.assertQueueReachable?.('the reply');

  const result = await withTransaction(ctx, async (tx) => {
    const comment = await loadComment(ctx, tx, commentId, { forUpdate: true });
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, comment.accountId));
    if (!account) throw notFound('That comment');
    if (input.kind === 'no_response_needed') {
      assertRole(ctx, comment.schoolId, ['senior_leader', 'comms'], 'close a comment as needing no response');
    } else {
      assertAdminOrRole(ctx, account, ['comms', 'senior_leader'], 'respond to comments');
      await assertPolicyAcknowledged(tx, ctx, comment.schoolId, 'respond to comments');
    }

    // A holding reply: the text given, or the school's editable template (P2).
    let text = 'text' in input ? (input.text ?? '') : '';
    if (input.kind === 'acknowledgement' && !text) {
      const [school] = await tx
        .select({ template: schools.holdingReplyTemplate })
        .from(schools)
        .where(eq(schools.id, comment.schoolId));
      text = school?.template.trim() ?? '';
      if (!text)
        throw invalidInput("The school's holding reply is empty: write one, or set it on the settings page");
    }
    const isReply =
      input.kind === 'public_reply' || input.kind === 'private_reply' || input.kind === 'acknowledgement';
    // 002 §5 Pupils: the school does not engage with a pupil on its accounts; the behaviour lead does.
    const pupil = isReply ? await pupilAuthorOf(tx, comment) : null;
    const pupilOverride = pupil && 'pupilOverrideReason' in input ? input.pupilOverrideReason : undefined;
    if (pupil) {
      if (!pupilOverride) {
        throw preconditionFailed(
          `This comment appears to come from a pupil (${pupil.marked ? 'staff marked its author as a pupil' : `it says “${pupil.signal}”`}). The school does not reply to pupils on its accounts (policy 002 §5 Pupils): it has gone to the behaviour lead. A senior leader may reply anyway, giving a reason.`,
          { pupil: true },
        );
      }
      assertRole(ctx, comment.schoolId, ['senior_leader'], 'reply to a pupil on the platform');
    }
    let overridden: { reason: string; problems: ReturnType<typeof problemSummary> } | null = null;
    let pending = false;
    let approvedBy: string | null = null;
    let approvalReason: string | null = null;
    const media = comment.categories.some((c) => APPROVAL_CATEGORIES.includes(c));
    const approvers = media ? await mediaApprovers(tx, comment.schoolId) : null;
    if (isReply) {
      const policy = await loadReplyPolicy(tx, comment.schoolId);
      const topics = touchedTopics(text, policy.sensitiveTopics);
      const classifier = await effects.classifiers.forSchool(tx, comment.schoolId);
      const check = checkOutgoingReply(text, classifier, { topics });
      if (!check.ok) {
        if (!('overrideReason' in input) || !input.overrideReason) {
          const problems = distinctProblems(problemSummary(check.problems));
          throw preconditionFailed(`This reply cannot be sent: ${problems.map((p) => p.reason).join(' ')}`, {
            problems,
          });
        }
        assertRole(ctx, comment.schoolId, ['senior_leader'], 'send a reply the outgoing check refused');
        overridden = { reason: input.overrideReason, problems: problemSummary(check.problems) };
      }
      approvalReason = media
        ? 'reply to a media enquiry (P6)'
        : topics.length
          ? `touches ${topics.map((t) => `${t.topic} (${t.words.join(', ')})`).join('; ')} (P10)`
          : 'requestApproval' in input && input.requestApproval
            ? 'requested by its author (P10)'
            : null;
      // 002 §5 Behaviour: staff say who they are. Checked without it (the check's spans are the author's).
      text = signReply(text, await signatureOf(tx, ctx, comment.schoolId, policy.signOff));
      assertFitsPlatform(text, account.platform, input.kind === 'private_reply' ? 'private' : 'public');
    } else if (input.kind === 'offline' && media) {
      // P6: "must not respond without written approval" covers a phone call or meeting too.
      approvalReason = 'offline response to a media enquiry (P6)';
    }
    if (approvalReason) {
      // A media enquiry is the headteacher's (or a named deputy's); other sensitive replies any senior leader's.
      const mayApprove = media
        ? approvers!.ids.includes(requireUserId(ctx))
        : holdsRole(ctx, comment.schoolId, ['senior_leader']);
      if (mayApprove) approvedBy = requireUserId(ctx);
      else pending = true;
    }

    const sending = (input.kind === 'public_reply' || input.kind === 'acknowledgement') && !pending;
    const recorded = !sending && !pending;
    const [response] = await tx
      .insert(responses)
      .values({
        schoolId: comment.schoolId,
        commentId: comment.id,
        kind: input.kind,
        status: pending ? 'pending_approval' : sending ? 'sending' : 'recorded',
        text,
        approvalReason: pending || approvedBy ? approvalReason : null,
        channel: input.kind === 'offline' ? input.channel : null,
        contactPerson: input.kind === 'offline' ? input.contactPerson : null,
        holding: input.kind === 'offline' ? !!input.holding : input.kind === 'acknowledgement',
        note:
          input.kind === 'no_response_needed' ? input.reason : 'note' in input ? (input.note ?? null) : null,
        actorId: requireUserId(ctx),
        approvedBy,
        overrideReason: overridden?.reason ?? null,
        completedAt: recorded ? now : null,
      })
      .returning();
    if (!response) throw new Error('insert into responses returned no row');

    const label = commentLabel(comment, account);
    const how = {
      responseId: response.id,
      kind: input.kind,
      ...(input.kind === 'offline' ? { channel: input.channel, holding: !!input.holding } : {}),
    };
    const responseSubject = { type: 'response', id: response.id, label: `Reply to ${label}` };
    if (pupil && pupilOverride) {
      await emitAudit(tx, ctx, {
        action: 'response.pupil_override',
        schoolId: comment.schoolId,
        subject: responseSubject,
        details: { commentId: comment.id, kind: input.kind, reason: pupilOverride, marked: pupil.marked },
      });
    }
    if (overridden) {
      await emitAudit(tx, ctx, {
        action: 'response.check_overridden',
        schoolId: comment.schoolId,
        subject: responseSubject,
        details: {
          commentId: comment.id,
          kind: input.kind,
          reason: overridden.reason,
          // Where and what, not the words: the reply text is kept as personal data below.
          problems: overridden.problems.map(({ category, subcategory, spans }) => ({
            category,
            subcategory,
            spans,
          })),
        },
        personal: { text: response.text },
      });
    }
    if (pending) {
      await emitAudit(tx, ctx, {
        action: 'response.approval_requested',
        schoolId: comment.schoolId,
        subject: responseSubject,
        details: {
          commentId: comment.id,
          kind: input.kind,
          why: approvalReason,
        },
        personal: { text: response.text },
      });
      await notifyUsers(tx, {
        schoolId: comment.schoolId,
        userIds: approvers ? approvers.ids : await schoolRoleUserIds(tx, comment.schoolId, ['senior_leader']),
        event: 'reply.approval_requested',
        urgency: 'normal',
        title: `A reply on ${label.replace(/^Comment \S+ on /, '')} needs your approval`,
        body: approvers
          ? `${ctx.actor.label} drafted a ${input.kind.replace('_', ' ')} that needs approval: ${approvalReason}. It is not sent until ${approverNames(approvers)} approves it.`
          : `${ctx.actor.label} drafted a ${input.kind.replace('_', ' ')} that needs approval: ${approvalReason}. It is not sent until a senior leader approves it.`,
        link: `/approvals`,
        subject: { type: 'response', id: response.id },
      });
      return { response, comment, resolved: false, metDeadline: null };
    }
    if (sending) {
      await emitAudit(tx, ctx, {
        action: 'response.queued',
        schoolId: comment.schoolId,
        subject: responseSubject,
        details: {
          commentId: comment.id,
          ...(approvedBy ? { approvedBy, approval: 'author is a senior leader', why: approvalReason } : {}),
        },
        personal: { text: response.text },
      });
      return { response, comment, resolved: false, metDeadline: null };
    }

    if (input.kind === 'seen') {
      // Internal only: the commenter sees nothing, so the deadline keeps running (P2).
      await emitAudit(tx, ctx, {
        action: 'comment.seen',
        schoolId: comment.schoolId,
        subject: { type: 'comment', id: comment.id, label },
        details: { responseId: response.id, at: now.toISOString(), metDeadline: false },
        ...(response.note ? { personal: { note: response.note } } : {}),
      });
      return { response, comment, resolved: false, metDeadline: null };
    }
    const status = input.kind === 'no_response_needed' ? 'closed' : 'responded';
    const answered = !(input.kind === 'offline' && input.holding);
    const met = await meetDeadline(tx, comment.id, now, status, answered);
    const personal: Record<string, unknown> = {};
    if (response.text) personal.text = response.text;
    if (response.note) personal.note = response.note;
    if (response.contactPerson) personal.contactPerson = response.contactPerson;
    const metDeadline = met ? !met.deadlineAt || now <= met.deadlineAt : null;
    await emitAudit(tx, ctx, {
      action: status === 'closed' ? 'comment.closed' : 'comment.responded',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label },
      details: {
        ...how,
        ...(approvedBy ? { approvedBy, approval: 'author is a senior leader' } : {}),
        at: now.toISOString(),
        firstResponse: !!met,
        deadlineAt: comment.deadlineAt?.toISOString() ?? null,
        metDeadline,
      },
      ...(Object.keys(personal).length ? { personal } : {}),
    });
    return { response, comment: met ?? comment, resolved: !!met, metDeadline };
  });

  // After commit the response is saved: a queue failure now must not answer 503 (the user would
  // retry and the school post twice). Stale timers find the comment resolved and do nothing; the
  // reply relay sends a 'sending' reply that never reached the queue.
  if (result.resolved) await effects.timers.remove([result.comment.id]).catch(() => {});
  const queued =
    result.response.status === 'sending'
      ? await effects.sendReply(result.response.id).then(
          () => true,
          () => false,
        )
      : true;
  return {
    ...(queued ? {} : { queued, notice: 'The reply is saved and will be sent when the job queue is back.' }),
    responseId: result.response.id,
    kind: input.kind,
    responseStatus:
      result.response.status === 'sending' || result.response.status === 'pending_approval'
        ? result.response.status
        : 'recorded',
    commentStatus: result.comment.status,
    metDeadline: result.metDeadline,
  };
}

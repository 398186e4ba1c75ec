import { and, eq, inArray, sql } from 'drizzle-orm';
import {
  comments,
  type ModerationAction,
  moderationActions,
  type SocialAccount,
  socialAccounts,
} from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { addQuotaUnits } from '../accounts/account-quota.js';
import { openAccountAdapter } from '../accounts/open-account-adapter.js';
import { emitAudit } from '../audit/emit-audit.js';
import { metrics } from '../core/metrics.js';
import { recordAfterExternalCall } from '../core/retry-on-connection-loss.js';
import type { ServiceContext } from '../core/service-context.js';
import { withTransaction } from '../core/with-transaction.js';
import { accountAdminIds, notifyUsers } from '../notifications/notify-users.js';
import { isPlatformError, type PlatformAdapter, PlatformError } from '../platforms/adapter.js';
import type { AdapterFactory } from '../platforms/adapter-factory.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { type ActionDispatch, actionSubject, dispatchAll } from './action-access.js';
import { followSucceededAction } from './action-completion.js';
import { describeOutcome } from './action-outcome.js';
import { ACTION_STATE, ACTION_TARGET, CLOSES_COMMENT, readCapability } from './action-rules.js';

export interface ExecuteActionDeps {
  encryptionKey: Buffer;
  adapterFor: AdapterFactory;
  /** Enqueues the notice that follows a succeeded action. */
  dispatch?: ActionDispatch;
  /** An attempt older than this whose worker vanished may be taken over (default 30 s, BullMQ's lock). */
  leaseMs?: number;
  /** Attempts after which transient failures fail the action for good (default 10). */
  maxAttempts?: number;
}

export type ExecuteActionResult =
  | { status: 'succeeded'; calledPlatform: boolean }
  | { status: 'failed'; reason: string }
  | { status: 'skipped'; reason: string }
  /** Try again at `until`, without counting an attempt: a 429, or another attempt holds the lease. */
  | { status: 'wait'; until: Date; reason: 'rate_limited' | 'busy' };

type Claimed = {
  action: ModerationAction;
  account: SocialAccount;
  externalId: string;
  /** the comment the action was taken from, also for an author-level action (YouTube bans through it) */
  commentExternalId: string | null;
  resumed: boolean;
};

/**
 * Carries out one approved platform action, exactly once on the platform however often its job is
 * delivered. The row moves queued → executing (a conditional update that counts the attempt) before
 * the call; the platform's state is read first wherever it can be, so a retried, duplicated or
 * re-delivered job that finds the work done records success without acting again. An attempt found
 * still executing (its worker was killed) is resumed only after its lease ran out.
 */
export async function executeAction(
  ctx: ServiceContext,
  input: { actionId: string },
  deps: ExecuteActionDeps,
): Promise<ExecuteActionResult> {
  const claimed = await claim(ctx, input.actionId, deps.leaseMs ?? 30_000);
  if ('status' in claimed) return claimed;
  const { action, account } = claimed;
  const subject = actionSubject(action, account);

  if (!account.credentialsEncrypted || account.credentialStatus !== 'valid') {
    return fail(ctx, claimed, new PlatformError('auth', `${accountLabel(account)} needs re-connecting`));
  }
  let adapter: PlatformAdapter;
  try {
    adapter = openAccountAdapter(ctx, account, deps, 'action');
  } catch (error) {
    return fail(ctx, claimed, error);
  }

  try {
    await noticeFirst(ctx, claimed, adapter);
    const platformResult = await perform(adapter, claimed);
    // The platform has acted: a lost database connection retries the recording, not the call.
    const follow = await recordAfterExternalCall(ctx, async (tx) => {
      const [done] = await tx
        .update(moderationActions)
        .set({
          status: 'succeeded',
          platformResult,
          error: null,
          completedAt: new Date(),
          updatedAt: new Date(),
        })
        .where(and(eq(moderationActions.id, action.id), eq(moderationActions.status, 'executing')))
        .returning();
      if (!done) return [];
      await emitAudit(tx, ctx, {
        action: 'action.succeeded',
        schoolId: done.schoolId,
        subject,
        details: { attempt: done.attempts, platform: platformResult },
      });
      return followSucceededAction(tx, ctx, done, account);
    });
    metrics.actionsByOutcome.inc({ platform: account.platform, kind: action.kind, outcome: 'succeeded' });
    await dispatchAll(deps.dispatch, follow);
    return { status: 'succeeded', calledPlatform: platformResult.calledPlatform === true };
  } catch (error) {
    if (isPlatformError(error, 'rate_limited')) {
      const until = error.resetAt ?? new Date(Date.now() + 60_000);
      await requeue(
        ctx,
        claimed,
        { rateLimitedUntil: until.toISOString() },
        `rate limited until ${until.toISOString()}`,
      );
      metrics.actionsByOutcome.inc({
        platform: account.platform,
        kind: action.kind,
        outcome: 'rate_limited',
      });
      return { status: 'wait', until, reason: 'rate_limited' };
    }
    const transient = !isPlatformError(error) || error.kind === 'transient';
    if (transient && action.attempts < (deps.maxAttempts ?? 10)) {
      // A reply that may have reached the platform (no answer came back) is left executing: the
      // next attempt cannot read replies back, so it fails as "outcome unknown" rather than post twice.
      const uncertain = action.kind === 'notice' && !(isPlatformError(error) && error.status !== undefined);
      if (!uncertain) {
        await requeue(ctx, claimed, { retry: true, error: messageOf(error) }, messageOf(error));
      }
      metrics.actionsByOutcome.inc({ platform: account.platform, kind: action.kind, outcome: 'retried' });
      throw error;
    }
    return fail(ctx, claimed, error);
  } finally {
    adapter.close();
    await addQuotaUnits(ctx.db, account.id, adapter.quotaUnitsSpent?.() ?? 0).catch(() => {});
  }
}

async function claim(
  ctx: ServiceContext,
  actionId: string,
  leaseMs: number,
): Promise<Claimed | Exclude<ExecuteActionResult, { status: 'succeeded' | 'failed' }>> {
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .select({ action: moderationActions, account: socialAccounts, externalId: comments.externalId })
      .from(moderationActions)
      .innerJoin(socialAccounts, eq(socialAccounts.id, moderationActions.accountId))
      .leftJoin(comments, eq(comments.id, moderationActions.commentId))
      .where(eq(moderationActions.id, actionId))
      .for('update', { of: moderationActions });
    if (!row) return { status: 'skipped', reason: 'not_found' };
    const { action } = row;
    if (action.mode !== 'platform') return { status: 'skipped', reason: 'manual' };
    let resumed = false;
    if (action.status === 'executing') {
      const leaseEnds = new Date(action.updatedAt.getTime() + leaseMs);
      if (leaseEnds > new Date()) return { status: 'wait', until: leaseEnds, reason: 'busy' };
      resumed = true;
    } else if (action.status !== 'queued' && action.status !== 'approved') {
      return { status: 'skipped', reason: action.status };
    }
    const [updated] = await tx
      .update(moderationActions)
      .set({ status: 'executing', attempts: sql`${moderationActions.attempts} + 1`, updatedAt: new Date() })
      .where(
        and(
          eq(moderationActions.id, action.id),
          inArray(moderationActions.status, ['approved', 'queued', 'executing']),
        ),
      )
      .returning();
    const claimedAction = updated!;
    await emitAudit(tx, ctx, {
      action: 'action.executing',
      schoolId: action.schoolId,
      subject: actionSubject(action, row.account),
      details: {
        attempt: claimedAction.attempts,
        ...(resumed ? { resumed: true, previous: 'interrupted' } : {}),
      },
    });
    const externalId =
      ACTION_TARGET[action.kind] === 'author'
        ? (action.targetAuthorExternalId ?? '')
        : (row.externalId ?? '');
    return {
      action: claimedAction,
      account: row.account,
      externalId,
      commentExternalId: row.externalId,
      resumed,
    };
  });
}

/** Reads the platform's state first where it can; acts only if the target is not already there. */
async function perform(
  adapter: PlatformAdapter,
  { action, externalId, commentExternalId, resumed }: Claimed,
): Promise<Record<string, unknown>> {
  if (!externalId) throw new PlatformError('permanent', 'the action has no target', { reason: 'no target' });
  const state = ACTION_STATE[action.kind];
  if (state && adapter.capabilities[readCapability(state.kind)]) {
    if ((await adapter.readState(state.kind, externalId)) === state.want) {
      return { calledPlatform: false, alreadyInState: true, checked: state.kind };
    }
  }
  switch (action.kind) {
    case 'notice': {
      if (resumed) {
        throw new PlatformError('permanent', 'an earlier attempt to post the notice was interrupted', {
          reason:
            'The notice may or may not have been posted: check the conversation on the platform before posting it again',
        });
      }
      // Never a blank post in the school's name (a redaction clears the text of a notice).
      if (!action.noticeText?.trim()) throw new PlatformError('permanent', 'The notice has no text to post');
      const posted = await adapter.reply(externalId, action.noticeText);
      return { calledPlatform: true, replyId: posted.externalId, url: posted.url };
    }
    case 'report': {
      const result = await adapter.report(externalId, `${action.reasonCategory}: ${action.reasonText}`);
      return { calledPlatform: true, alreadyInState: result.alreadyInState };
    }
    case 'delete':
      try {
        const result = await adapter.delete(externalId);
        return { calledPlatform: true, alreadyInState: result.alreadyInState };
      } catch (error) {
        // An interrupted delete that finds the comment gone has done its work.
        if (resumed && isPlatformError(error, 'permanent') && error.status === 404) {
          return { calledPlatform: true, alreadyInState: true };
        }
        throw error;
      }
    case 'block': {
      const result = await adapter.block(
        externalId,
        commentExternalId === null ? undefined : { commentExternalId },
      );
      return { calledPlatform: true, alreadyInState: result.alreadyInState };
    }
    default: {
      // Hide on X cannot be read back; hiding twice is harmless there (the PUT sets a flag).
      const result = await adapter[action.kind](externalId);
      return { calledPlatform: true, alreadyInState: result.alreadyInState };
    }
  }
}

/**
 * Where the platform refuses a reply to a hidden comment (Instagram: noticeOrder 'notice-first'),
 * the notice approved with a hide or delete is posted before it, as its own notice action, exactly
 * once: a retried hide finds the notice row and does not post again. A notice that fails does not
 * stop the hide (the comment's removal matters more); it is recorded as failed and its admins told.
 */
async function noticeFirst(ctx: ServiceContext, claimed: Claimed, adapter: PlatformAdapter): Promise<void> {
  const { action, account, externalId } = claimed;
  if (!CLOSES_COMMENT.has(action.kind) || !action.noticeText?.trim() || !action.commentId) return;
  if (platformProfile(account.platform).noticeOrder !== 'notice-first') return;
  const reasonText = noticeReason(action);
  const notice = await withTransaction(ctx, async (tx) => {
    const [existing] = await tx
      .select({ id: moderationActions.id })
      .from(moderationActions)
      .where(
        and(
          eq(moderationActions.commentId, action.commentId!),
          eq(moderationActions.kind, 'notice'),
          eq(moderationActions.reasonText, reasonText),
        ),
      );
    if (existing) return null;
    const [row] = await tx
      .insert(moderationActions)
      .values({
        schoolId: action.schoolId,
        accountId: action.accountId,
        commentId: action.commentId,
        kind: 'notice',
        mode: 'platform',
        status: 'executing',
        attempts: 1,
        reasonCategory: action.reasonCategory,
        reasonText,
        noticeText: action.noticeText,
        proposedBy: action.proposedBy,
        system: action.system,
        confirmedBy: action.confirmedBy,
      })
      .returning();
    const created = row!;
    const subject = actionSubject(created, account);
    await emitAudit(tx, ctx, [
      {
        action: 'action.approved',
        schoolId: created.schoolId,
        subject,
        details: { approvedWith: action.id, hasNotice: true, order: 'notice-first' },
        personal: { notice: created.noticeText },
      },
      { action: 'action.executing', schoolId: created.schoolId, subject, details: { attempt: 1 } },
    ]);
    return created;
  });
  if (!notice) return;
  const noticeClaim: Claimed = {
    action: notice,
    account,
    externalId,
    commentExternalId: externalId,
    resumed: false,
  };
  try {
    const posted = await adapter.reply(externalId, notice.noticeText!);
    await recordAfterExternalCall(ctx, async (tx) => {
      const platformResult = { calledPlatform: true, replyId: posted.externalId, url: posted.url };
      const [done] = await tx
        .update(moderationActions)
        .set({ status: 'succeeded', platformResult, completedAt: new Date(), updatedAt: new Date() })
        .where(and(eq(moderationActions.id, notice.id), eq(moderationActions.status, 'executing')))
        .returning();
      if (!done) return;
      await emitAudit(tx, ctx, {
        action: 'action.succeeded',
        schoolId: done.schoolId,
        subject: actionSubject(done, account),
        details: { attempt: 1, platform: platformResult },
      });
    });
    metrics.actionsByOutcome.inc({ platform: account.platform, kind: 'notice', outcome: 'succeeded' });
  } catch (error) {
    await fail(ctx, noticeClaim, error);
  }
}

const noticeReason = (action: ModerationAction) => `Notice approved with ${action.kind} ${action.id}`;

async function requeue(
  ctx: ServiceContext,
  claimed: Claimed,
  details: Record<string, unknown>,
  error: string,
) {
  await withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .update(moderationActions)
      .set({ status: 'queued', error, updatedAt: new Date() })
      .where(and(eq(moderationActions.id, claimed.action.id), eq(moderationActions.status, 'executing')))
      .returning();
    if (!row) return;
    await emitAudit(tx, ctx, {
      action: 'action.queued',
      schoolId: row.schoolId,
      subject: actionSubject(row, claimed.account),
      details: { attempt: row.attempts + 1, ...details },
    });
  });
}

/** Permanent: failed with the platform's own reason, and the admins are told. */
async function fail(ctx: ServiceContext, claimed: Claimed, error: unknown): Promise<ExecuteActionResult> {
  const { action, account } = claimed;
  const reason = isPlatformError(error) ? (error.reason ?? error.message) : messageOf(error);
  await withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .update(moderationActions)
      .set({
        status: 'failed',
        error: reason,
        platformResult: isPlatformError(error)
          ? { kind: error.kind, status: error.status ?? null, endpoint: error.endpoint ?? null }
          : { kind: 'unknown' },
        completedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(and(eq(moderationActions.id, action.id), eq(moderationActions.status, 'executing')))
      .returning();
    if (!row) return;
    const subject = actionSubject(row, account);
    await emitAudit(tx, ctx, {
      action: 'action.failed',
      schoolId: row.schoolId,
      subject,
      details: { attempt: row.attempts, reason, platform: row.platformResult },
    });
    const people = [
      ...(await accountAdminIds(tx, account.id)),
      ...[row.proposedBy, row.confirmedBy].filter((id): id is string => !!id),
    ];
    await notifyUsers(tx, {
      schoolId: row.schoolId,
      userIds: people,
      event: 'action.failed',
      urgency: 'urgent',
      title: `A ${row.kind} on ${accountLabel(account)} failed`,
      body: failureNotice(row, account),
      link: `/actions/${row.id}`,
      subject: { type: 'action', id: row.id },
    });
  });
  metrics.actionsByOutcome.inc({ platform: account.platform, kind: action.kind, outcome: 'failed' });
  return { status: 'failed', reason };
}

/** The failure in plain words, with what can be done next (the comment page offers each step). */
function failureNotice(action: ModerationAction, account: SocialAccount): string {
  const outcome = describeOutcome(action, account);
  const steps = outcome.nextSteps.map((s) => s.label.replace(/ instead$/, '')).join('; ');
  const said = outcome.platformSaid
    ? ` ${outcome.platformSaid.platform} said: “${outcome.platformSaid.reason}”.`
    : '';
  return `${outcome.detail ?? outcome.headline}${said}${steps ? ` What you can do: ${steps}.` : ''}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

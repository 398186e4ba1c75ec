import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { AUTHOR_KINDS, authorMarks, socialAccounts } from '../../db/schema/index.js';
import { assertAdminOrRole } from '../accounts/account-access.js';
import { emitAudit } from '../audit/emit-audit.js';
import { requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidInputFrom, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { commentLabel } from './comment-label.js';
import { loadComment } from './load-comment.js';
import { pupilAuthorSignal, routePupilComment } from './pupil-author.js';

/** Who may say who a commenter is: the people who answer comments. */
const MARKERS = ['comms', 'senior_leader', 'safeguarding_lead'] as const;

const KIND_WORDS = { parent: 'a parent or carer', pupil: 'a pupil' } as const;

export const markAuthorInput = z.object({
  kind: z.enum(AUTHOR_KINDS, { error: 'choose parent or pupil' }),
  /** how staff know (optional): "Mrs Shah, Year 4 parent" */
  note: z.string().trim().max(500).optional(),
});
export const unmarkAuthorInput = z.object({
  kind: z.enum(AUTHOR_KINDS, { error: 'choose parent or pupil' }),
  reason: z
    .string({ error: 'say why the mark is wrong' })
    .trim()
    .min(3, 'say why the mark is wrong')
    .max(2_000),
});

/**
 * Staff mark a comment's author (per account and platform author) as a parent or carer (P9) or
 * a pupil (002 §5 Pupils). Marking a pupil sends the comment to the behaviour lead at once.
 */
export async function markAuthor(
  ctx: ServiceContext,
  commentId: string,
  raw: unknown,
): Promise<{ kind: string }> {
  const parsed = markAuthorInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const input = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const comment = await loadComment(ctx, tx, commentId);
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, comment.accountId));
    if (!account) throw notFound('That comment');
    assertAdminOrRole(ctx, account, MARKERS, 'say who a commenter is');
    const inserted = await tx
      .insert(authorMarks)
      .values({
        schoolId: comment.schoolId,
        accountId: account.id,
        authorExternalId: comment.authorExternalId,
        kind: input.kind,
        note: input.note || null,
        markedBy: requireUserId(ctx),
      })
      .onConflictDoNothing()
      .returning({ id: authorMarks.id });
    if (inserted.length === 0) throw conflict(`This author is already marked as ${KIND_WORDS[input.kind]}`);
    await emitAudit(tx, ctx, {
      action: 'comment.author_marked',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label: commentLabel(comment, account) },
      details: { kind: input.kind, markId: inserted[0]!.id },
      personal: { authorHandle: comment.authorHandle, ...(input.note ? { note: input.note } : {}) },
    });
    if (input.kind === 'pupil') {
      await routePupilComment(tx, ctx, comment, account, {
        marked: true,
        signal: comment.redactedAt ? null : pupilAuthorSignal(comment.text),
      });
    }
    return { kind: input.kind };
  });
}

/** A mark found wrong is undone with the reason; the record keeps both. */
export async function unmarkAuthor(
  ctx: ServiceContext,
  commentId: string,
  raw: unknown,
): Promise<{ kind: string }> {
  const parsed = unmarkAuthorInput.safeParse(raw);
  if (!parsed.success) throw invalidInputFrom(parsed.error);
  const input = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const comment = await loadComment(ctx, tx, commentId);
    const [account] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, comment.accountId));
    if (!account) throw notFound('That comment');
    assertAdminOrRole(ctx, account, MARKERS, 'say who a commenter is');
    const undone = await tx
      .update(authorMarks)
      .set({ unmarkedAt: new Date(), unmarkedBy: requireUserId(ctx), unmarkReason: input.reason })
      .where(
        and(
          eq(authorMarks.accountId, account.id),
          eq(authorMarks.authorExternalId, comment.authorExternalId),
          eq(authorMarks.kind, input.kind),
          isNull(authorMarks.unmarkedAt),
        ),
      )
      .returning({ id: authorMarks.id });
    if (undone.length === 0) throw conflict(`This author is not marked as ${KIND_WORDS[input.kind]}`);
    await emitAudit(tx, ctx, {
      action: 'comment.author_unmarked',
      schoolId: comment.schoolId,
      subject: { type: 'comment', id: comment.id, label: commentLabel(comment, account) },
      details: { kind: input.kind, markId: undone[0]!.id, reason: input.reason },
      personal: { authorHandle: comment.authorHandle },
    });
    return { kind: input.kind };
  });
}

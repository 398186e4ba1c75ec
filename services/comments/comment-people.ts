import { and, desc, eq } from 'drizzle-orm';
import { authorMarks, parentRequests, users } from '../../db/schema/index.js';
import { holdsRole, isAccountAdmin } from '../accounts/account-access.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { loadCommentWithAccount } from '../moderation/action-access.js';
import { parentPrivateMessage } from '../moderation/notice-templates.js';
import { isHiddenOrGoing } from '../moderation/take-action.js';
import { platformProfile } from '../platforms/platform-profiles.js';
import { behaviourLeadRecipients, type PupilAuthor, pupilAuthorOf } from './pupil-author.js';
import { loadReplyPolicy } from './reply-policy.js';

/** Who wrote a comment, as the comment page shows it: marks, the pupil rule, the parent path (P9). */
export interface CommentPeople {
  marks: {
    kind: 'parent' | 'pupil';
    note: string | null;
    markedBy: string;
    markedAt: Date;
    standing: boolean;
    unmarkedAt: Date | null;
    unmarkReason: string | null;
  }[];
  standing: { parent: boolean; pupil: boolean };
  pupil: (PupilAuthor & { behaviourLead: string | null }) | null;
  parentRequest: { id: string; state: string; contact: string; requestedAt: Date } | null;
  /** the platform's rule for messaging a commenter privately; null: publicly only */
  privateMessage: string | null;
  /** the drafted private message, for staff to send in the platform's app */
  privateDraft: string;
  complaintsUrl: string | null;
  /** the comment is hidden or removed (or about to be): the parent can no longer remove it */
  hiddenOrGoing: boolean;
  can: { mark: boolean; askParent: boolean; overridePupil: boolean };
}

export async function getCommentPeople(ctx: ServiceContext, commentId: string): Promise<CommentPeople> {
  const db = queryable(ctx);
  const { comment, account } = await loadCommentWithAccount(ctx, db, commentId);
  const rows = await db
    .select({ m: authorMarks, by: users.displayName })
    .from(authorMarks)
    .innerJoin(users, eq(users.id, authorMarks.markedBy))
    .where(
      and(eq(authorMarks.accountId, account.id), eq(authorMarks.authorExternalId, comment.authorExternalId)),
    )
    .orderBy(desc(authorMarks.markedAt));
  const marks = rows.map(({ m, by }) => ({
    kind: m.kind,
    note: m.note,
    markedBy: by,
    markedAt: m.markedAt,
    standing: m.unmarkedAt === null,
    unmarkedAt: m.unmarkedAt,
    unmarkReason: m.unmarkReason,
  }));
  const pupil = await pupilAuthorOf(db, comment);
  const lead = pupil ? (await behaviourLeadRecipients(db, comment.schoolId)).lead : null;
  const [request] = await db.select().from(parentRequests).where(eq(parentRequests.commentId, comment.id));
  const policy = await loadReplyPolicy(db, comment.schoolId);
  const profile = platformProfile(account.platform);
  const admin = isAccountAdmin(ctx, account.id);
  return {
    marks,
    standing: {
      parent: marks.some((m) => m.standing && m.kind === 'parent'),
      pupil: marks.some((m) => m.standing && m.kind === 'pupil'),
    },
    pupil: pupil ? { ...pupil, behaviourLead: lead?.name ?? null } : null,
    parentRequest: request
      ? { id: request.id, state: request.state, contact: request.contact, requestedAt: request.requestedAt }
      : null,
    privateMessage: profile.privateMessage,
    privateDraft: parentPrivateMessage(policy),
    complaintsUrl: policy.complaintsUrl,
    hiddenOrGoing: await isHiddenOrGoing(db, comment.id),
    can: {
      mark: admin || holdsRole(ctx, comment.schoolId, ['comms', 'senior_leader', 'safeguarding_lead']),
      askParent: admin || holdsRole(ctx, comment.schoolId, ['senior_leader']),
      overridePupil: holdsRole(ctx, comment.schoolId, ['senior_leader']),
    },
  };
}

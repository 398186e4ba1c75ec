import { and, asc, eq, inArray } from 'drizzle-orm';
import { comments, responses, socialAccounts, users } from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { approverNames, type MediaApprovers, mediaApprovers } from '../accounts/conduct-settings.js';
import { hasRole } from '../core/principal.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';

export interface PendingResponseView {
  id: string;
  schoolId: string;
  kind: string;
  text: string;
  /** Why it waits: a media enquiry (P6), the sensitive topics it touches (P10), or its author asked. */
  why: string | null;
  draftedBy: { id: string; name: string };
  /** An offline response: how and with whom; its note is what will be said. */
  offline: { channel: string | null; contactPerson: string | null; note: string | null } | null;
  /** P6: a reply to a media enquiry, who may approve it, and whether the reader is one of them. */
  media: {
    approvers: string;
    /** The same people, for a page to name each one isolated. */
    people: Pick<MediaApprovers, 'headteacher' | 'deputies'>;
    mayDecide: boolean;
  } | null;
  createdAt: Date;
  comment: {
    id: string;
    externalId: string;
    account: string;
    authorHandle: string;
    /** Untrusted public text: escape it wherever it is shown. */
    text: string;
    categories: string[];
    deadlineAt: Date | null;
  };
}

/**
 * Replies waiting for a senior leader, oldest first, in the schools where the caller is a senior
 * leader (optionally one of them). Anyone who is a senior leader nowhere is refused.
 */
export async function listPendingResponses(
  ctx: ServiceContext,
  filter: { schoolId?: string } = {},
): Promise<{ responses: PendingResponseView[] }> {
  const principal = ctx.principal;
  if (!principal) throw forbidden('This needs a signed-in senior leader');
  let schoolIds = [...principal.rolesBySchool.keys()].filter(
    (id) =>
      hasRole(principal, id, ['senior_leader']) && (ctx.schoolIds === null || ctx.schoolIds.includes(id)),
  );
  if (schoolIds.length === 0) throw forbidden('Only senior leader staff may approve replies');
  if (filter.schoolId) schoolIds = schoolIds.filter((id) => id === filter.schoolId);
  if (schoolIds.length === 0) return { responses: [] };
  const rows = await queryable(ctx)
    .select({ response: responses, comment: comments, account: socialAccounts, author: users })
    .from(responses)
    .innerJoin(comments, eq(comments.id, responses.commentId))
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .innerJoin(users, eq(users.id, responses.actorId))
    .where(and(inArray(responses.schoolId, schoolIds), eq(responses.status, 'pending_approval')))
    .orderBy(asc(responses.createdAt))
    .limit(200);
  const media = new Map<string, MediaApprovers>();
  for (const { comment } of rows) {
    if (comment.categories.includes('media_enquiry') && !media.has(comment.schoolId))
      media.set(comment.schoolId, await mediaApprovers(queryable(ctx), comment.schoolId));
  }
  return {
    responses: rows.map(({ response, comment, account, author }) => ({
      id: response.id,
      schoolId: response.schoolId,
      kind: response.kind,
      text: response.text,
      why: response.approvalReason,
      draftedBy: { id: author.id, name: author.displayName },
      offline:
        response.kind === 'offline'
          ? { channel: response.channel, contactPerson: response.contactPerson, note: response.note }
          : null,
      media: comment.categories.includes('media_enquiry')
        ? {
            approvers: approverNames(media.get(comment.schoolId)!),
            people: {
              headteacher: media.get(comment.schoolId)!.headteacher,
              deputies: media.get(comment.schoolId)!.deputies,
            },
            mayDecide: media.get(comment.schoolId)!.ids.includes(principal.userId),
          }
        : null,
      createdAt: response.createdAt,
      comment: {
        id: comment.id,
        externalId: comment.externalId,
        account: accountLabel(account),
        authorHandle: comment.authorHandle,
        text: comment.text,
        categories: comment.categories,
        deadlineAt: comment.deadlineAt,
      },
    })),
  };
}

import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable, Transaction } from '../../db/client.js';
import {
  authorMarks,
  type Comment,
  type SocialAccount,
  schoolPeopleSettings,
  users,
} from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';
import { commentLabel } from './comment-label.js';

/**
 * 002 §5 Pupils, 004, 003 §6: the school does not engage with pupils on social media; a pupil's
 * comment on a school account is resolved under the behaviour policy. These phrases are how a
 * pupil writes about their own school life ("I'm in year 5", "my teacher", "at break today").
 * A parent writes "my son is in year 5", so a phrase about a child of theirs is not one.
 */
const PUPIL_PHRASES: readonly RegExp[] = [
  /\b(i'?m|i am|im|am in|me and my mates? are|we'?re|we are) (in )?(year|yr|y) ?([1-9]|1[0-3])\b/i,
  /\b(i'?m|i am|im) (in )?(reception|nursery|sixth form|the sixth form)\b/i,
  /\bmy (form |class )?(teacher|tutor|head of year)\b/i,
  /\b(in|from) my (class|form|tutor group)\b/i,
  /\b(our|my) (homework|detention|lunchtime|playtime|break ?time)\b/i,
  /\b(got|given|have|had) (a )?detention\b/i,
  /\b(i go to|i attend|i'?m at|i am at) (this|ur|your) school\b/i,
];

/** Where a parent speaks of their child: those sentences are a parent's, not a pupil's. */
const PARENT_SPEAKING = /\b(my|our) (son|daughter|child|children|kids?|boy|girl|little one|lad|lass)\b/i;

/** The phrase that makes a comment look like a pupil's, or null. */
export function pupilAuthorSignal(text: string): string | null {
  if (PARENT_SPEAKING.test(text)) return null;
  for (const phrase of PUPIL_PHRASES) {
    const m = phrase.exec(text);
    if (m) return m[0];
  }
  return null;
}

export interface PupilAuthor {
  /** what the classifier read ("I'm in year 6"), when it fired */
  signal: string | null;
  /** a member of staff marked the author as a pupil */
  marked: boolean;
}

/** Whether a comment appears to come from a pupil: the classifier's phrase or a staff mark. */
export async function pupilAuthorOf(
  db: Queryable,
  comment: Pick<Comment, 'accountId' | 'authorExternalId' | 'text' | 'redactedAt'>,
): Promise<PupilAuthor | null> {
  const marks = await standingMarks(db, comment.accountId, comment.authorExternalId);
  const signal = comment.redactedAt ? null : pupilAuthorSignal(comment.text);
  if (!signal && !marks.has('pupil')) return null;
  return { signal, marked: marks.has('pupil') };
}

/** The author's marks that stand (not undone) on this account. */
export async function standingMarks(
  db: Queryable,
  accountId: string,
  authorExternalId: string,
): Promise<Set<'parent' | 'pupil'>> {
  const rows = await db
    .select({ kind: authorMarks.kind })
    .from(authorMarks)
    .where(
      and(
        eq(authorMarks.accountId, accountId),
        eq(authorMarks.authorExternalId, authorExternalId),
        isNull(authorMarks.unmarkedAt),
      ),
    );
  return new Set(rows.map((r) => r.kind));
}

/**
 * Who a pupil's comment goes to: the behaviour lead the school names in Settings (if still enabled),
 * else its senior leaders.
 */
export async function behaviourLeadRecipients(
  db: Queryable,
  schoolId: string,
): Promise<{ userIds: string[]; lead: { id: string; name: string } | null }> {
  const [row] = await db
    .select({ id: users.id, name: users.displayName, disabledAt: users.disabledAt })
    .from(schoolPeopleSettings)
    .innerJoin(users, eq(users.id, schoolPeopleSettings.behaviourLeadId))
    .where(eq(schoolPeopleSettings.schoolId, schoolId));
  if (row && !row.disabledAt) return { userIds: [row.id], lead: { id: row.id, name: row.name } };
  return { userIds: await schoolRoleUserIds(db, schoolId, ['senior_leader']), lead: null };
}

/**
 * Routes a pupil's comment to the behaviour lead (or the senior leaders), audited: the school does
 * not answer it on the platform; the behaviour policy resolves it.
 */
export async function routePupilComment(
  tx: Transaction,
  ctx: Pick<ServiceContext, 'actor' | 'requestId'>,
  comment: Pick<Comment, 'id' | 'schoolId' | 'externalId'>,
  account: Pick<SocialAccount, 'handle' | 'platform'>,
  why: PupilAuthor,
): Promise<void> {
  const { userIds, lead } = await behaviourLeadRecipients(tx, comment.schoolId);
  const label = commentLabel(comment, account);
  const reason = why.marked ? 'its author is marked as a pupil' : 'it reads as a pupil writing';
  await notifyUsers(tx, {
    schoolId: comment.schoolId,
    userIds,
    event: 'comment.pupil',
    urgency: 'normal',
    title: 'A comment appears to come from a pupil',
    body: `${label}: ${reason}. The school does not reply to pupils on its accounts; it is for the behaviour policy.${lead ? '' : ' No behaviour lead is named in Settings, so the senior leaders are told.'}`,
    link: `/comments/${comment.id}`,
    subject: { type: 'comment', id: comment.id },
  });
  await emitAudit(tx, ctx, {
    action: 'comment.pupil_routed',
    schoolId: comment.schoolId,
    subject: { type: 'comment', id: comment.id, label },
    details: {
      marked: why.marked,
      signal: why.signal !== null,
      to: lead ? 'behaviour_lead' : 'senior_leaders',
      recipients: userIds.length,
    },
  });
}

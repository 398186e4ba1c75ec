import { and, asc, eq, ilike, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { comments, escalations, memberships, notificationDeliveries, users } from '../../db/schema/index.js';
import { loadConductSettings } from '../accounts/conduct-settings.js';
import { escalationSubjectLabel } from '../audit/audit-labels.js';
import { emitAudit } from '../audit/emit-audit.js';
import { escapeLike, namedStaff } from '../classification/harassment-rule.js';
import type { Label } from '../classification/types.js';
import type { ServiceContext } from '../core/service-context.js';
import { DELIVERY_CHANNEL, notifyUsers } from '../notifications/notify-users.js';
import { recipientChain } from '../notifications/recipient-chain.js';

/**
 * Offensive subcategories that are unacceptable conduct under 002 §5 Behaviour (P7): "defamatory,
 * discriminatory, ... harassing" (discriminatory is the classifier's `hate`), and threats.
 */
const CONDUCT = ['defamation', 'hate', 'harassment', 'threat'] as const;
/** Conduct that may be a crime (a hate crime, harassment, a threat): a police-referral step until settled. */
const POSSIBLY_ILLEGAL = new Set<string>(['hate', 'harassment', 'threat']);

export interface ConductFindings {
  /** e.g. ["defamation", "personal data (phone)"] */
  kinds: string[];
  dataProtection: boolean;
  policeReferralDue: boolean;
  /** Harassment is all it found: a later comment in a run, which joins its author's open escalation. */
  harassmentOnly: boolean;
}

/** What in a comment's labels P7 escalates; null when nothing does. */
export function conductFindings(labels: readonly Label[]): ConductFindings | null {
  const conduct = [
    ...new Set(
      labels
        .filter((l) => l.category === 'offensive' && (CONDUCT as readonly string[]).includes(l.subcategory))
        .map((l) => l.subcategory),
    ),
  ];
  const personal = [
    ...new Set(labels.filter((l) => l.category === 'personal_data').map((l) => l.subcategory)),
  ];
  if (!conduct.length && !personal.length) return null;
  return {
    kinds: [...conduct, ...(personal.length ? [`personal data (${personal.join(', ')})`] : [])],
    dataProtection: personal.length > 0,
    policeReferralDue: conduct.some((c) => POSSIBLY_ILLEGAL.has(c)),
    harassmentOnly: conduct.length === 1 && conduct[0] === 'harassment' && !personal.length,
  };
}

/**
 * The open (or acknowledged) conduct escalation with a police step raised for a comment by this
 * author on this platform, or naming a member of staff this comment names; locked. Null when
 * there is none (an author the platform withheld is nobody in particular).
 */
async function openHarassmentEscalation(
  tx: Transaction,
  comment: { schoolId: string; platform: string; authorExternalId: string; text: string },
): Promise<string | null> {
  const open = and(
    eq(escalations.schoolId, comment.schoolId),
    eq(escalations.kind, 'senior_leader'),
    inArray(escalations.status, ['open', 'acknowledged']),
    isNotNull(escalations.policeReferral),
  );
  const byAuthor =
    comment.authorExternalId.trim() === ''
      ? null
      : and(
          eq(comments.platform, comment.platform as 'x'),
          eq(comments.authorExternalId, comment.authorExternalId),
        );
  // At the same person: the escalated comment names the member of staff this one names.
  const targets = namedStaff(comment.text);
  const atStaff = targets.length
    ? or(...targets.map((t) => ilike(comments.text, `%${escapeLike(t)}%`)))
    : null;
  if (!byAuthor && !atStaff) return null;
  const [row] = await tx
    .select({ id: escalations.id })
    .from(escalations)
    .innerJoin(comments, eq(comments.id, escalations.commentId))
    .where(and(open, byAuthor && atStaff ? or(byAuthor, atStaff) : (byAuthor ?? atStaff!)))
    .orderBy(asc(escalations.createdAt))
    .limit(1)
    .for('update', { of: escalations });
  return row?.id ?? null;
}

/**
 * P7: unacceptable conduct the classifier found is "reported as soon as possible to a relevant
 * senior member of staff, and escalated": a senior-leader escalation (never to nobody: the
 * recipient chain), urgent. A personal-data breach also reaches the school's data protection
 * officer (a person, an email, or both: Settings). Possibly illegal conduct (a threat, harassment)
 * carries a police-referral step: `due` until a referral is recorded with its reference.
 */
export async function routeConduct(
  tx: Transaction,
  ctx: Pick<ServiceContext, 'actor' | 'requestId'>,
  comment: { id: string; schoolId: string; platform: string; authorExternalId: string; text: string },
  onAccount: string,
  findings: ConductFindings,
  personal: Record<string, unknown>,
): Promise<{ escalationId: string }> {
  const what = findings.kinds.join(', ');
  // Harassment keeps coming: once an author's run (or a pile-on at one member of staff) is
  // escalated, each further comment joins that open escalation (and its one police step) instead of opening another and alerting again.
  const joined = findings.harassmentOnly ? await openHarassmentEscalation(tx, comment) : null;
  if (joined) {
    await tx
      .update(escalations)
      .set({ laterCommentIds: sql`array_append(${escalations.laterCommentIds}, ${comment.id}::uuid)` })
      .where(eq(escalations.id, joined));
    await emitAudit(tx, ctx, {
      action: 'escalation.comment_added',
      schoolId: comment.schoolId,
      subject: { type: 'escalation', id: joined, label: escalationSubjectLabel('senior_leader', onAccount) },
      details: { kind: 'senior_leader', commentId: comment.id, conduct: findings.kinds },
      personal,
    });
    return { escalationId: joined };
  }
  const [row] = await tx
    .insert(escalations)
    .values({
      schoolId: comment.schoolId,
      commentId: comment.id,
      kind: 'senior_leader',
      reason: `Unacceptable conduct (P7): ${what}${findings.policeReferralDue ? '; possibly illegal: refer it to the police and record the reference, or record why not' : ''}`,
      policeReferral: findings.policeReferralDue ? 'due' : null,
    })
    .returning({ id: escalations.id });
  const escalationId = row!.id;
  const settings = await loadConductSettings(tx, comment.schoolId);
  await emitAudit(tx, ctx, {
    action: 'escalation.raised',
    schoolId: comment.schoolId,
    subject: {
      type: 'escalation',
      id: escalationId,
      label: escalationSubjectLabel('senior_leader', onAccount),
    },
    details: {
      kind: 'senior_leader',
      commentId: comment.id,
      conduct: findings.kinds,
      policeReferral: findings.policeReferralDue ? 'due' : null,
      dataProtectionOfficer: findings.dataProtection
        ? { user: settings.dpoUserId, email: settings.dpoEmail ? 'set' : null }
        : null,
    },
    personal,
  });
  const chain = await recipientChain(tx, comment.schoolId, ['senior_leader']);
  // The DPO named in Settings, while they are still someone at the school (not disabled).
  const dpo =
    findings.dataProtection && settings.dpoUserId
      ? (
          await tx
            .selectDistinct({ id: users.id })
            .from(memberships)
            .innerJoin(users, eq(users.id, memberships.userId))
            .where(
              and(
                eq(memberships.schoolId, comment.schoolId),
                eq(users.id, settings.dpoUserId),
                isNull(users.disabledAt),
              ),
            )
        ).map((u) => u.id)
      : [];
  const dpoEmail = findings.dataProtection ? settings.dpoEmail : null;
  const dpoTold = dpo.length > 0 || !!dpoEmail;
  const ids = await notifyUsers(tx, {
    schoolId: comment.schoolId,
    userIds: [...chain.userIds, ...dpo],
    event: 'escalation.raised',
    urgency: 'urgent',
    // Never the comment's words: this goes out by email.
    title: `Unacceptable conduct on ${onAccount}: ${what}`,
    body: `A comment was found to contain ${what} (P7).${findings.dataProtection ? (dpoTold ? ' It publishes personal data: the data protection officer is told.' : ' It publishes personal data. No data protection officer is named in Settings: tell yours, and name them there.') : ''}${findings.policeReferralDue ? ' It may be illegal: refer it to the police and record the reference on the comment page.' : ''}`,
    link: `/comments/${comment.id}`,
    subject: { type: 'escalation', id: escalationId },
  });
  if (dpoEmail && ids[0]) {
    // An outside DPO has no account here: the same notice, by email, on the first recipient's row.
    const [delivery] = await tx
      .insert(notificationDeliveries)
      .values({
        notificationId: ids[0],
        schoolId: comment.schoolId,
        channel: 'email',
        target: dpoEmail,
        status: 'pending',
      })
      .returning({ id: notificationDeliveries.id });
    await tx.execute(sql`select pg_notify(${DELIVERY_CHANNEL}, ${delivery!.id})`);
  }
  return { escalationId };
}

import type { Database } from '../../../db/client.js';
import { escalations, moderationActions, responses, type SchoolRole } from '../../../db/schema/index.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';

let n = 0;

/**
 * One school with everyone the staff screens are for: comms, two account admins, two senior
 * leaders, a safeguarding lead, an auditor; an active account with an offensive flag, a proposal
 * waiting for the second admin, a failed action, a safeguarding escalation and a reply awaiting
 * approval.
 */
export async function staffScene(db: Database, options: { trustId?: string } = {}) {
  n += 1;
  const school = await createSchool(db, {
    name: `Oakfield Primary ${n}`,
    ...(options.trustId ? { trustId: options.trustId } : {}),
  });
  const person = (displayName: string, roles: SchoolRole[]) =>
    createUser(db, {
      trustId: school.trustId,
      displayName,
      roles: roles.map((role) => ({ schoolId: school.id, role })),
    });
  const comms = await person(`Comms ${n}`, ['comms']);
  const adminA = await person(`Admin A ${n}`, ['comms']);
  const adminB = await person(`Admin B ${n}`, ['comms']);
  const senior = await person(`Head ${n}`, ['senior_leader']);
  const senior2 = await person(`Deputy ${n}`, ['senior_leader']);
  const safeguarding = await person(`DSL ${n}`, ['safeguarding_lead']);
  const auditor = await person(`Auditor ${n}`, ['auditor']);
  const account = await createAccount(db, {
    schoolId: school.id,
    handle: `oakfield_${n}`,
    adminIds: [adminA.id, adminB.id],
  });
  const offensive = await createComment(db, {
    schoolId: school.id,
    accountId: account.id,
    text: '<script>alert(1)</script> you idiot',
    deadlineAt: new Date(Date.now() + 3_600_000),
    categories: ['offensive'],
    labels: [
      { category: 'offensive', subcategory: 'insult', severity: 'medium', spans: [[30, 35]], source: 'test' },
    ],
  });
  const [proposal] = await db
    .insert(moderationActions)
    .values({
      schoolId: school.id,
      accountId: account.id,
      commentId: offensive.id,
      kind: 'delete',
      status: 'proposed',
      reasonCategory: 'abusive',
      reasonText: 'Abuse aimed at a member of staff',
      proposedBy: adminB.id,
      expiresAt: new Date(Date.now() + 86_400_000),
    })
    .returning();
  const [failed] = await db
    .insert(moderationActions)
    .values({
      schoolId: school.id,
      accountId: account.id,
      commentId: offensive.id,
      kind: 'hide',
      status: 'failed',
      reasonCategory: 'abusive',
      proposedBy: adminA.id,
      error: 'X answered 403: not permitted',
    })
    .returning();
  const worrying = await createComment(db, {
    schoolId: school.id,
    accountId: account.id,
    text: 'I am scared to go home',
    categories: ['safeguarding'],
    labels: [
      { category: 'safeguarding', subcategory: 'disclosure', severity: 'high', spans: [], source: 'test' },
    ],
  });
  const [lowEscalation] = await db
    .insert(escalations)
    .values({
      schoolId: school.id,
      commentId: offensive.id,
      kind: 'safeguarding',
      reason: 'Safeguarding concern: low-level worry',
    })
    .returning();
  const [escalation] = await db
    .insert(escalations)
    .values({
      schoolId: school.id,
      commentId: worrying.id,
      kind: 'safeguarding',
      reason: 'Safeguarding concern: disclosure',
      createdAt: new Date(Date.now() - 60_000),
    })
    .returning();
  const media = await createComment(db, {
    schoolId: school.id,
    accountId: account.id,
    text: 'Journalist here: can you comment on the Ofsted report?',
    categories: ['media_enquiry'],
  });
  const [pendingReply] = await db
    .insert(responses)
    .values({
      schoolId: school.id,
      commentId: media.id,
      kind: 'public_reply',
      status: 'pending_approval',
      text: 'Thank you, our head will be in touch.',
      actorId: comms.id,
    })
    .returning();
  return {
    school,
    comms,
    adminA,
    adminB,
    senior,
    senior2,
    safeguarding,
    auditor,
    account,
    offensive,
    proposal: proposal!,
    failed: failed!,
    escalation: escalation!,
    lowEscalation: lowEscalation!,
    pendingReply: pendingReply!,
  };
}

import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Config } from '../../config/load-config.js';
import type { Database } from '../../db/client.js';
import {
  accountAdmins,
  classifierCorrections,
  escalations,
  moderationActions,
  notifications,
  responses,
  type SchoolRole,
  users as usersTable,
} from '../../db/schema/index.js';
import { addSchoolTerm } from '../../services/classification/add-school-term.js';
import { outboundPolicy } from '../../services/core/outbound-address.js';
import { systemContext } from '../../services/core/service-context.js';
import { addWebhook } from '../../services/notifications/school-webhooks.js';
import { createAccount, createComment, createSchool, createUser } from '../helpers/factories.js';
import { type SignedIn, signIn } from '../helpers/sign-in.js';

/** The people the matrix signs in as: the five school roles, and comms staff who admin an account. */
export const WHO = [
  'comms',
  'senior_leader',
  'safeguarding_lead',
  'auditor',
  'trust_admin',
  'account_admin',
] as const;
export type Who = (typeof WHO)[number];

const tag = () => randomBytes(4).toString('hex');

/**
 * Webhook URLs are resolved and checked when saved, and the test machine has no DNS: the matrix's
 * webhooks are on a documentation address that its installation allow-lists (nothing is posted).
 */
export const MATRIX_WEBHOOK_HOST = '203.0.113.7';
export const MATRIX_CONFIG = { WEBHOOK_ALLOWED_HOSTS: '203.0.113.0/24' };

/**
 * One school of the matrix: a person per role, an active account administered by `account_admin`
 * and a second admin, a flagged comment, a media enquiry with a reply awaiting approval, a
 * safeguarding escalation, a proposed account, a notification per person and a webhook. Objects a
 * success consumes are made fresh by the `fresh*` helpers, one per request.
 */
export async function matrixSchool(db: Database, config: Config, trustId?: string) {
  const school = await createSchool(db, trustId ? { trustId } : {});
  const system = systemContext(db, 'access-matrix fixture');
  const person = (role: SchoolRole, name: string) =>
    createUser(db, { trustId: school.trustId, displayName: name, roles: [{ schoolId: school.id, role }] });
  const users: Record<Who, Awaited<ReturnType<typeof person>>> = {
    comms: await person('comms', 'Comms'),
    senior_leader: await person('senior_leader', 'Head'),
    safeguarding_lead: await person('safeguarding_lead', 'DSL'),
    auditor: await person('auditor', 'Auditor'),
    trust_admin: await person('trust_admin', 'Trust admin'),
    account_admin: await person('comms', 'Account admin'),
  };
  const admin2 = await person('comms', 'Second admin');
  /** Someone the user-admin routes act on, never one of the signed-in people. */
  const victim = await person('comms', 'Victim');

  const freshAccount = async (status: 'active' | 'proposed' | 'approved' | 'suspended' = 'active') => {
    const account = await createAccount(db, {
      schoolId: school.id,
      handle: `acct_${tag()}`,
      status,
      adminIds: [users.account_admin.id, admin2.id],
    });
    return account;
  };
  const account = await freshAccount();
  const comment = await createComment(db, {
    schoolId: school.id,
    accountId: account.id,
    text: 'you idiot',
    deadlineAt: new Date(Date.now() + 3_600_000),
    categories: ['offensive'],
  });
  const media = await createComment(db, {
    schoolId: school.id,
    accountId: account.id,
    text: 'Journalist here: a comment on the Ofsted report?',
    categories: ['media_enquiry'],
  });
  const note: Record<Who, string> = {} as Record<Who, string>;
  for (const who of WHO) {
    const [row] = await db
      .insert(notifications)
      .values({
        schoolId: school.id,
        userId: users[who].id,
        event: 'comment.flagged',
        urgency: 'normal',
        title: 'A comment is flagged',
        body: 'Look at it',
      })
      .returning();
    note[who] = row!.id;
  }

  return {
    school,
    users,
    admin2,
    victim,
    account,
    comment,
    note,
    freshAccount,
    /** A proposed account, proposed by comms (a senior leader decides on it). */
    async freshProposedAccount() {
      return freshAccount('proposed');
    },
    /** An active account with a third admin, who can be removed or handed over. */
    async freshAccountWithThirdAdmin() {
      const third = await person('comms', 'Third admin');
      const acct = await freshAccount();
      await db
        .insert(accountAdmins)
        .values({ accountId: acct.id, userId: third.id, trainingConfirmedAt: new Date() });
      return { account: acct, third };
    },
    /** A delete proposed by the second admin, waiting for another admin. */
    async freshProposal(
      mode: 'platform' | 'manual' = 'platform',
      status: 'proposed' | 'approved' = 'proposed',
    ) {
      const [row] = await db
        .insert(moderationActions)
        .values({
          schoolId: school.id,
          accountId: account.id,
          commentId: comment.id,
          kind: 'delete',
          mode,
          status,
          reasonCategory: 'abusive',
          reasonText: 'Abuse aimed at staff',
          proposedBy: admin2.id,
          expiresAt: new Date(Date.now() + 86_400_000),
        })
        .returning();
      return row!;
    },
    async freshPendingReply() {
      const [row] = await db
        .insert(responses)
        .values({
          schoolId: school.id,
          commentId: media.id,
          kind: 'public_reply',
          status: 'pending_approval',
          text: 'Thank you, our head will be in touch.',
          actorId: users.comms.id,
        })
        .returning();
      return row!;
    },
    async freshEscalation() {
      const [row] = await db
        .insert(escalations)
        .values({ schoolId: school.id, commentId: comment.id, kind: 'safeguarding', reason: 'A worry' })
        .returning();
      return row!;
    },
    async freshWebhook() {
      const { webhook } = await addWebhook(
        system,
        {
          schoolId: school.id,
          kind: 'slack',
          label: 'Comms',
          url: `https://${MATRIX_WEBHOOK_HOST}/services/T/B/${tag()}`,
        },
        { encryptionKey: config.encryptionKey, outbound: outboundPolicy(config.webhookAllowedHosts) },
      );
      return webhook.id;
    },
    /** A staff correction waiting for a trust admin's review. */
    async freshCorrection() {
      const [row] = await db
        .insert(classifierCorrections)
        .values({
          schoolId: school.id,
          commentId: comment.id,
          kind: 'missed',
          category: 'spam',
          subcategory: 'staff_flag',
          labelsBefore: [],
          correctedBy: users.comms.id,
        })
        .returning();
      return row!;
    },
    async freshLexiconEntry() {
      const entry = await addSchoolTerm(system, school.id, { kind: 'allow', term: `word${tag()}` });
      return entry.id;
    },
    /** A comms person to revoke a role from (revoking ends their sessions, never ours). */
    async freshVictim(disabled = false) {
      const user = await person('comms', 'Another victim');
      if (disabled)
        await db.update(usersTable).set({ disabledAt: new Date() }).where(eq(usersTable.id, user.id));
      return user;
    },
  };
}
export type MatrixSchool = Awaited<ReturnType<typeof matrixSchool>>;

export async function signInAll(db: Database, s: MatrixSchool): Promise<Record<Who, SignedIn>> {
  const out = {} as Record<Who, SignedIn>;
  for (const who of WHO) out[who] = await signIn(db, s.users[who].id);
  return out;
}

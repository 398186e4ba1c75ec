import { and, eq, inArray, isNull, notInArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../../db/client.js';
import {
  accountAdmins,
  memberships,
  policyAcknowledgements,
  schools,
  socialAccounts,
  users,
} from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers } from '../notifications/notify-users.js';

export const setPolicyVersionInput = z.object({
  schoolId: z.uuid(),
  versionLabel: z.string().trim().min(1).max(100),
  documentUrl: z
    .url({ protocol: /^https?$/, error: 'a link to the policy document (http or https)' })
    .max(2_000),
});
export type SetPolicyVersionInput = z.input<typeof setPolicyVersionInput>;

export interface PolicyVersion {
  schoolId: string;
  versionLabel: string;
  documentUrl: string;
  versionAt: string;
}

/** Everyone who must acknowledge the policy (P5): admins of the school's live accounts, and comms staff. */
export async function policyAudience(
  db: Queryable,
  schoolId: string,
): Promise<{ userId: string; displayName: string }[]> {
  const admins = await db
    .selectDistinct({ userId: users.id, displayName: users.displayName })
    .from(accountAdmins)
    .innerJoin(socialAccounts, eq(socialAccounts.id, accountAdmins.accountId))
    .innerJoin(users, eq(users.id, accountAdmins.userId))
    .where(
      and(
        eq(socialAccounts.schoolId, schoolId),
        notInArray(socialAccounts.status, ['rejected', 'retired']),
        isNull(users.disabledAt),
      ),
    );
  const comms = await db
    .selectDistinct({ userId: users.id, displayName: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(eq(memberships.schoolId, schoolId), inArray(memberships.role, ['comms']), isNull(users.disabledAt)),
    );
  const byId = new Map([...admins, ...comms].map((u) => [u.userId, u]));
  return [...byId.values()];
}

/**
 * A senior leader records a new version of the school's policy; everyone who uses an account is
 * asked to acknowledge it again. A label is never reused, so old acknowledgements cannot count.
 */
export async function setPolicyVersion(
  ctx: ServiceContext,
  raw: SetPolicyVersionInput,
): Promise<PolicyVersion> {
  const input = setPolicyVersionInput.parse(raw);
  assertRole(ctx, input.schoolId, ['senior_leader', 'trust_admin'], "record the school's policy version");
  return withTransaction(ctx, async (tx) => {
    const [school] = await tx.select().from(schools).where(eq(schools.id, input.schoolId)).for('update');
    if (!school) throw notFound('That school');
    const [used] = await tx
      .select({ id: policyAcknowledgements.id })
      .from(policyAcknowledgements)
      .where(
        and(
          eq(policyAcknowledgements.schoolId, school.id),
          eq(policyAcknowledgements.versionLabel, input.versionLabel),
        ),
      )
      .limit(1);
    if (school.policyVersionLabel === input.versionLabel || used) {
      throw conflict(
        `Version "${input.versionLabel}" has been recorded before; give the new version a new label`,
      );
    }
    const now = new Date();
    await tx
      .update(schools)
      .set({
        policyVersionLabel: input.versionLabel,
        policyDocumentUrl: input.documentUrl,
        policyVersionAt: now,
      })
      .where(eq(schools.id, school.id));
    await emitAudit(tx, ctx, {
      action: 'school.policy_version_set',
      schoolId: school.id,
      subject: { type: 'school', id: school.id, label: school.name },
      details: {
        previousVersionLabel: school.policyVersionLabel,
        versionLabel: input.versionLabel,
        documentUrl: input.documentUrl,
      },
    });
    const audience = await policyAudience(tx, school.id);
    await notifyUsers(tx, {
      schoolId: school.id,
      userIds: audience.map((u) => u.userId),
      event: 'policy.acknowledgement_requested',
      urgency: 'normal',
      title: `Please read and acknowledge the social media policy (${input.versionLabel})`,
      body: `${school.name} has a new version of its social media policy. Accounts whose admins have not acknowledged it within 14 days are shown as at risk.`,
      link: input.documentUrl,
      subject: { type: 'school', id: school.id },
    });
    return {
      schoolId: school.id,
      versionLabel: input.versionLabel,
      documentUrl: input.documentUrl,
      versionAt: now.toISOString(),
    };
  });
}

import { inArray } from 'drizzle-orm';
import { z } from 'zod';
import { memberships, SCHOOL_ROLES, schools, users } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidInput, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { assertEmailDomainOpenTo } from '../trust-domains/email-domain.js';
import { assertTrustAdminSomewhere, userLabel } from './managed-user.js';

export const roleAtSchool = z.object({ schoolId: z.uuid(), role: z.enum(SCHOOL_ROLES) });

export const inviteUserInput = z.object({
  email: z.email().max(320),
  displayName: z.string().trim().min(1).max(200),
  roles: z.array(roleAtSchool).max(100).default([]),
  /** Only for the system (first trust admin, seeding); a person invites into their own trust. */
  trustId: z.uuid().optional(),
});

export interface InvitedUser {
  id: string;
  email: string;
  displayName: string;
  trustId: string;
  roles: { schoolId: string; role: string }[];
}

/**
 * Creates a user with no password: they sign in with the trust's SSO (linked on first sign-in by
 * email) or with a password a trust admin sets. The inviter must be trust admin at every school
 * they give a role at.
 *
 * An email address is unique within a trust, not across trusts: an address another trust already
 * has becomes a separate account in this trust, so the answer is the same as for a new address and
 * tells the inviter nothing about other trusts. Only a domain another trust has verified is
 * refused (trust-domains/).
 */
export async function inviteUser(
  ctx: ServiceContext,
  raw: z.input<typeof inviteUserInput>,
): Promise<InvitedUser> {
  const input = inviteUserInput.parse(raw);
  assertTrustAdminSomewhere(ctx, 'invite people');
  for (const { schoolId } of input.roles) assertRole(ctx, schoolId, ['trust_admin'], 'invite people');

  const trustId = ctx.principal?.trustId ?? input.trustId;
  if (!trustId) throw invalidInput('trustId: the trust to invite into is required');
  const roles = [...new Map(input.roles.map((r) => [`${r.schoolId}:${r.role}`, r])).values()];

  return withTransaction(ctx, async (tx) => {
    const schoolIds = [...new Set(roles.map((r) => r.schoolId))];
    if (schoolIds.length) {
      const found = await tx
        .select({ id: schools.id, trustId: schools.trustId })
        .from(schools)
        .where(inArray(schools.id, schoolIds));
      if (found.length !== schoolIds.length || found.some((s) => s.trustId !== trustId))
        throw notFound('School');
    }
    await assertEmailDomainOpenTo(tx, trustId, input.email);
    const [user] = await tx
      .insert(users)
      .values({ trustId, email: input.email, displayName: input.displayName })
      .onConflictDoNothing()
      .returning();
    if (!user)
      throw conflict('Someone in your trust with that email address already has a Hallmonitor account');
    if (roles.length) await tx.insert(memberships).values(roles.map((r) => ({ userId: user.id, ...r })));

    await emitAudit(tx, ctx, [
      {
        action: 'user.created',
        schoolId: roles[0]?.schoolId ?? null,
        subject: userLabel(user),
        details: { roles },
        personal: { email: user.email },
      },
      ...roles.map((r) => ({
        action: 'user.role_granted' as const,
        schoolId: r.schoolId,
        subject: userLabel(user),
        details: { role: r.role, sessionsEnded: 0 },
      })),
    ]);
    return { id: user.id, email: user.email, displayName: user.displayName, trustId, roles };
  });
}

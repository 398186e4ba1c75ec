import { and, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../../db/client.js';
import {
  accountAdmins,
  DEFAULT_ACCOUNT_SETTINGS,
  memberships,
  PLATFORMS,
  socialAccounts,
  users,
} from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole, requireUserId } from '../core/authorization.js';
import type { ServiceContext } from '../core/service-context.js';
import { conflict, invalidField } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';
import { accountLabel } from './account-label.js';
import { type AccountView, describeAccount } from './account-view.js';

/** The proposer confirms, for each admin, what the policy's training measures ask (002 §6). */
export const adminConfirmationSchema = z.object({
  userId: z.uuid(),
  trainingCompleted: z.literal(true, { error: 'confirm the admin has completed training' }),
  acceptableUseSigned: z.literal(true, {
    error: 'confirm the admin has signed the acceptable-use agreement',
  }),
});

export const moderationSettingsSchema = z.object({
  offensiveThreshold: z.enum(['low', 'medium', 'high']).optional(),
  autoHide: z.boolean().optional(),
  twoAdminHide: z.boolean().optional(),
  pollIntervalSeconds: z.number().int().min(15).max(86_400).optional(),
  conversationBackstop: z.boolean().optional(),
  proposalExpiryHours: z.number().int().min(1).max(168).optional(),
});

export const proposeAccountInput = z
  .object({
    schoolId: z.uuid(),
    platform: z.enum(PLATFORMS),
    handle: z
      .string()
      .trim()
      .transform((h) => h.replace(/^@/, ''))
      .pipe(z.string().min(1, 'give the account’s handle').max(253, 'a handle is at most 253 characters')),
    purpose: z.string().trim().min(1, 'say what the account is for').max(2_000),
    audience: z.string().trim().min(1, 'say who the account is for').max(2_000),
    admins: z.array(adminConfirmationSchema).min(2, 'an official account needs at least two admins'),
    moderation: moderationSettingsSchema.default({}),
  })
  .superRefine((input, ctx) => {
    const rule = HANDLE_RULES[input.platform];
    if (!rule.pattern.test(input.handle))
      ctx.addIssue({ code: 'custom', path: ['handle'], message: rule.message });
  });

/**
 * What each platform's handles look like. A Bluesky handle is a domain name
 * (`oak-field.bsky.social`, or the school's own domain); YouTube's allow hyphens and full stops.
 */
const HANDLE_RULES: { readonly [P in (typeof PLATFORMS)[number]]: { pattern: RegExp; message: string } } = {
  x: { pattern: /^[A-Za-z0-9_.]{1,50}$/, message: 'a handle of letters, digits, _ or .' },
  facebook: {
    pattern: /^[A-Za-z0-9_.]{1,50}$/,
    message: 'a Page handle is its name without spaces: letters, digits, _ or .',
  },
  instagram: {
    pattern: /^[A-Za-z0-9_.]{1,50}$/,
    message: 'an Instagram username is letters, digits, _ or .',
  },
  youtube: {
    pattern: /^[A-Za-z0-9_.-]{3,30}$/,
    message: 'a YouTube handle is 3 to 30 letters, digits, _, - or .',
  },
  bluesky: {
    pattern:
      /^(?=.{3,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/,
    message: 'a Bluesky handle is a domain name, such as oakfieldprimary.bsky.social',
  },
};
export type ProposeAccountInput = z.input<typeof proposeAccountInput>;

/** Checks each proposed admin is a member of staff at the school, enabled. */
export async function assertStaffOfSchool(
  db: Queryable,
  schoolId: string,
  userIds: readonly string[],
): Promise<void> {
  const rows = await db
    .selectDistinct({ id: users.id })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(
      and(inArray(users.id, [...userIds]), eq(memberships.schoolId, schoolId), isNull(users.disabledAt)),
    );
  const found = new Set(rows.map((r) => r.id));
  const missing = userIds.filter((id) => !found.has(id));
  if (missing.length) {
    throw invalidField('admins', 'Every admin must be a member of staff at this school', {
      userIds: missing,
    });
  }
}

/** P4: anyone from comms up proposes an account; senior leaders are asked to decide. */
export async function proposeAccount(ctx: ServiceContext, raw: ProposeAccountInput): Promise<AccountView> {
  const input = proposeAccountInput.parse(raw);
  assertRole(ctx, input.schoolId, ['comms', 'senior_leader', 'trust_admin'], 'propose an official account');
  const proposerId = requireUserId(ctx);
  const adminIds = input.admins.map((a) => a.userId);
  if (new Set(adminIds).size < 2)
    throw invalidField('admins', 'An official account needs at least two different admins');

  return withTransaction(ctx, async (tx) => {
    await assertStaffOfSchool(tx, input.schoolId, adminIds);
    const [live] = await tx
      .select({ id: socialAccounts.id })
      .from(socialAccounts)
      .where(
        and(
          eq(socialAccounts.platform, input.platform),
          sql`lower(${socialAccounts.handle}) = lower(${input.handle})`,
          notInArray(socialAccounts.status, ['rejected', 'retired']),
        ),
      );
    if (live) throw conflict(`@${input.handle} on ${input.platform} is already registered or proposed`);

    const [account] = await tx
      .insert(socialAccounts)
      .values({
        schoolId: input.schoolId,
        platform: input.platform,
        handle: input.handle,
        status: 'proposed',
        purpose: input.purpose,
        audience: input.audience,
        settings: { ...DEFAULT_ACCOUNT_SETTINGS, ...input.moderation },
        proposedBy: proposerId,
      })
      .returning();
    const confirmedAt = new Date();
    await tx.insert(accountAdmins).values(
      adminIds.map((userId) => ({
        accountId: account!.id,
        userId,
        addedBy: proposerId,
        trainingConfirmedAt: confirmedAt,
      })),
    );

    const label = accountLabel(account!);
    await emitAudit(tx, ctx, {
      action: 'account.proposed',
      schoolId: input.schoolId,
      subject: { type: 'account', id: account!.id, label },
      details: {
        purpose: input.purpose,
        audience: input.audience,
        adminIds,
        trainingConfirmed: true,
        acceptableUseSigned: true,
        settings: account!.settings,
      },
    });
    await notifyUsers(tx, {
      schoolId: input.schoolId,
      userIds: (await schoolRoleUserIds(tx, input.schoolId, ['senior_leader'])).filter(
        (id) => id !== proposerId,
      ),
      event: 'account.proposed',
      urgency: 'normal',
      title: `New official account proposed: ${label}`,
      body: `${ctx.actor.label} proposed ${label}. It needs a senior leader's approval before it can be used.`,
      link: `/accounts/${account!.id}`,
      subject: { type: 'account', id: account!.id },
    });
    return describeAccount(tx, account!);
  });
}

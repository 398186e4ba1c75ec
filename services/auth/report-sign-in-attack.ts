import { asc, eq } from 'drizzle-orm';
import type { Transaction } from '../../db/client.js';
import { memberships, type User } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { notifyUsers } from '../notifications/notify-users.js';
import { ATTACK_THRESHOLD, claimAttackNotice } from './login-throttle.js';
import { userLabel } from './managed-user.js';

/**
 * Tells the people whose account is under attack (ATTACK_THRESHOLD failures from unknown devices
 * within the hour), at most once an hour: an urgent in-app notification and email through the
 * notification outbox, and a `user.sign_in_attacked` entry, in the failure's transaction.
 */
export async function reportSignInAttack(
  tx: Transaction,
  ctx: ServiceContext,
  attack: { email: string; accounts: User[]; unknownDeviceFailures: number },
): Promise<void> {
  const people = attack.accounts.filter((u) => !u.disabledAt);
  if (attack.unknownDeviceFailures < ATTACK_THRESHOLD || people.length === 0) return;
  if (!(await claimAttackNotice(tx, attack.email))) return;

  for (const user of people) {
    // A notification belongs to a school; someone with no role yet has no inbox, only the entry.
    const [school] = await tx
      .select({ id: memberships.schoolId })
      .from(memberships)
      .where(eq(memberships.userId, user.id))
      .orderBy(asc(memberships.createdAt))
      .limit(1);
    if (school) {
      await notifyUsers(tx, {
        schoolId: school.id,
        userIds: [user.id],
        event: 'user.sign_in_attacked',
        urgency: 'urgent',
        title: 'Someone is trying to sign in to your Hallmonitor account',
        body:
          `${attack.unknownDeviceFailures} wrong passwords for your account in the last hour came from ` +
          'devices you have not signed in on. You can still sign in as usual. If this was not you, ' +
          'tell your trust admin; if your password is used anywhere else, change it.',
      });
    }
    await emitAudit(tx, ctx, {
      action: 'user.sign_in_attacked',
      schoolId: school?.id ?? null,
      subject: userLabel(user),
      details: { unknownDeviceFailures: attack.unknownDeviceFailures, notified: !!school },
    });
  }
}

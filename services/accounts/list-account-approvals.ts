import { and, inArray, notInArray } from 'drizzle-orm';
import { socialAccounts } from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';
import { type AccountView, describeAccounts } from './account-view.js';

export interface AccountApprovals {
  awaitingDecision: AccountView[];
  reviewsDue: AccountView[];
  atRisk: AccountView[];
}

/**
 * The senior leaders' approvals view: proposals to decide, reviews due or overdue, and accounts
 * at risk because their admins have not acknowledged the current policy.
 */
export async function listAccountApprovals(
  ctx: ServiceContext,
  now: Date = new Date(),
): Promise<AccountApprovals> {
  const schoolIds =
    ctx.actor.type === 'system'
      ? null
      : [...(ctx.principal?.rolesBySchool ?? new Map())]
          .filter(([, roles]) => roles.has('senior_leader'))
          .map(([schoolId]) => schoolId as string);
  if (schoolIds !== null && schoolIds.length === 0) {
    throw forbidden('Only senior leader staff may see account approvals');
  }
  const db = ctx.tx ?? ctx.db;
  const rows = await db
    .select()
    .from(socialAccounts)
    .where(
      and(
        schoolIds ? inArray(socialAccounts.schoolId, schoolIds) : undefined,
        notInArray(socialAccounts.status, ['rejected', 'retired']),
      ),
    )
    .orderBy(socialAccounts.createdAt);
  const views = await describeAccounts(db, rows, now);
  return {
    awaitingDecision: views.filter((v) => v.status === 'proposed'),
    reviewsDue: views.filter((v) => v.governance.reviewOverdue || v.governance.reviewDueSoon),
    atRisk: views.filter((v) => v.governance.atRisk),
  };
}

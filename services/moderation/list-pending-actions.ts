import { and, eq, inArray } from 'drizzle-orm';
import { moderationActions } from '../../db/schema/index.js';
import { inScope, type ServiceContext } from '../core/service-context.js';
import { forbidden } from '../core/service-error.js';
import { type ActionItem, loadActionItems } from './list-flags.js';

/**
 * Senior leaders' view of proposals still waiting for a second admin at their schools: they may
 * reject one, or confirm in place of the second admin with a reason (break glass).
 */
export async function listPendingActions(ctx: ServiceContext): Promise<ActionItem[]> {
  const p = ctx.principal;
  const schoolIds = p
    ? [...p.rolesBySchool]
        .filter(([schoolId, roles]) => roles.has('senior_leader') && inScope(ctx, schoolId))
        .map(([schoolId]) => schoolId)
    : [];
  if (schoolIds.length === 0)
    throw forbidden('Only senior leader staff may see actions awaiting confirmation');
  return loadActionItems(
    ctx,
    and(inArray(moderationActions.schoolId, schoolIds), eq(moderationActions.status, 'proposed')),
    100,
  );
}

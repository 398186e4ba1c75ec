import type { ServiceContext } from '../core/service-context.js';
import { AUDIT_READERS, requireSchoolsWithRole } from './audit-access.js';
import type { Checkpoint } from './audit-signing.js';
import { loadCheckpoints } from './verify-audit.js';

/** Every signed checkpoint, oldest first: for an outside witness to keep. */
export async function listCheckpoints(ctx: ServiceContext): Promise<Checkpoint[]> {
  requireSchoolsWithRole(ctx, AUDIT_READERS, 'read the audit checkpoints');
  return loadCheckpoints(ctx.db);
}

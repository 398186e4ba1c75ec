import { inArray } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { schools } from '../../../../db/schema/index.js';
import { AUDIT_READERS, AUDIT_VERIFIERS, schoolsWithRole } from '../../../audit/audit-access.js';
import { searchAudit } from '../../../audit/search-audit.js';
import { loadCheckpoints } from '../../../audit/verify-audit.js';
import { verifyAuditLog } from '../../../audit/verify-audit-log.js';
import { ServiceError } from '../../../core/service-error.js';
import { AuditPage } from '../../../web/pages/audit-page.js';
import { formBody, pageRoutes, renderPage } from '../../page-kit.js';
import { auditSearchQuery as searchQuery } from '../audit.js';

/** Audit: search the log of the schools this person may read; verify the chain. */
export const auditPageRoutes = pageRoutes(async (app) => {
  // The screen. GET renders; POST /audit/verify renders the same page with the verdict.
  async function showAuditPage(
    request: FastifyRequest<{ Querystring: unknown }>,
    reply: FastifyReply,
    verify: boolean,
  ) {
    const parsed = searchQuery.safeParse(request.query ?? {});
    const query = parsed.success ? parsed.data : {};
    const readable = schoolsWithRole(request.ctx, AUDIT_READERS) ?? [];
    const verifiers = schoolsWithRole(request.ctx, AUDIT_VERIFIERS) ?? [];
    if (readable.length === 0) {
      // The same refusal as the API; the error handler audits it and answers the 403 page.
      throw new ServiceError(
        'FORBIDDEN',
        'Only auditor or trust admin or senior leader staff may read the audit log',
      );
    }
    const [page, schoolRows, verdict, checkpoints] = await Promise.all([
      searchAudit(request.ctx, query),
      readable.length
        ? app.db
            .select({ id: schools.id, name: schools.name })
            .from(schools)
            .where(inArray(schools.id, readable))
        : [],
      verify ? verifyAuditLog(request.ctx, {}, app.config.auditSigningKey) : null,
      loadCheckpoints(app.db),
    ]);
    return renderPage(request, reply, (base) =>
      AuditPage({
        ...base,
        filter: query,
        schools: schoolRows,
        items: page.items,
        next: page.next,
        canVerify: verifiers.length > 0,
        verify: verdict,
        latestCheckpoint: checkpoints[checkpoints.length - 1] ?? null,
        signingConfigured: !!app.config.auditSigningKey,
      }),
    );
  }

  app.get('/audit', async (request, reply) => showAuditPage(request, reply, false));
  app.post('/audit/verify', { schema: { body: formBody({}) } }, async (request, reply) =>
    showAuditPage(request, reply, true),
  );
});

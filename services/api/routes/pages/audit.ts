import { and, eq, inArray } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { Database } from '../../../../db/client.js';
import { comments, schools } from '../../../../db/schema/index.js';
import { AUDIT_READERS, AUDIT_VERIFIERS, schoolsWithRole } from '../../../audit/audit-access.js';
import { searchAudit } from '../../../audit/search-audit.js';
import { loadCheckpoints } from '../../../audit/verify-audit.js';
import { verifyAuditLog } from '../../../audit/verify-audit-log.js';
import { ServiceError } from '../../../core/service-error.js';
import { AuditPage, type CommentLabel } from '../../../web/pages/audit-page.js';
import { formBody, pageRoutes, renderPage } from '../../page-kit.js';
import { auditSearchQuery as searchQuery } from '../audit.js';

/** "Comment by @author on 3 Dec" for the comments on a page of entries, of readable schools only. */
async function commentLabels(
  db: Database,
  ids: string[],
  schoolIds: string[],
): Promise<Map<string, CommentLabel>> {
  const unique = [...new Set(ids)].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (!unique.length || !schoolIds.length) return new Map();
  const rows = await db
    .select({
      id: comments.id,
      handle: comments.authorHandle,
      postedAt: comments.postedAt,
      redactedAt: comments.redactedAt,
      zone: schools.timeZone,
    })
    .from(comments)
    .innerJoin(schools, eq(schools.id, comments.schoolId))
    .where(and(inArray(comments.id, unique), inArray(comments.schoolId, schoolIds)));
  return new Map(
    rows.map((r) => {
      const day = DateTime.fromJSDate(r.postedAt).setZone(r.zone).toFormat('d LLL yyyy');
      return [r.id, { handle: r.redactedAt ? null : r.handle, day }];
    }),
  );
}

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
    const subjectLabels = await commentLabels(
      app.db,
      page.items.filter((e) => e.subject.type === 'comment' && e.subject.id).map((e) => e.subject.id!),
      readable,
    );
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
        subjectLabels,
      }),
    );
  }

  app.get('/audit', async (request, reply) => showAuditPage(request, reply, false));
  app.post('/audit/verify', { schema: { body: formBody({}) } }, async (request, reply) =>
    showAuditPage(request, reply, true),
  );
});

import { and, asc, eq, inArray, or } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../../../db/client.js';
import {
  accountAdmins,
  comments,
  memberships,
  schools,
  socialAccounts,
  users,
} from '../../../../db/schema/index.js';
import { AUDIT_READERS, AUDIT_VERIFIERS, schoolsWithRole } from '../../../audit/audit-access.js';
import { commentLabelOf } from '../../../audit/audit-labels.js';
import { searchAudit } from '../../../audit/search-audit.js';
import { loadCheckpoints } from '../../../audit/verify-audit.js';
import { verifyAuditLog } from '../../../audit/verify-audit-log.js';
import { ServiceError } from '../../../core/service-error.js';
import { namesPeople } from '../../../web/components/public-text.js';
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
      platform: comments.platform,
      postedAt: comments.postedAt,
      redactedAt: comments.redactedAt,
      zone: schools.timeZone,
    })
    .from(comments)
    .innerJoin(schools, eq(schools.id, comments.schoolId))
    .where(and(inArray(comments.id, unique), inArray(comments.schoolId, schoolIds)));
  return new Map(
    rows.map((r) => [
      r.id,
      commentLabelOf(
        { authorHandle: r.handle, postedAt: r.postedAt, redacted: r.redactedAt !== null },
        r.zone,
        namesPeople(r.platform),
      ),
    ]),
  );
}

/**
 * The filter's pickers: the accounts of the schools the viewer may audit, and the people of those
 * schools (their members and account admins), by name. An auditor asks "what happened on this
 * account" and "what did this person do", not for ids; the subject is picked from a row instead
 * ("Only entries about this"), since that is where an auditor meets it.
 */
async function filterPickers(db: Database, schoolIds: string[]) {
  if (!schoolIds.length) return { accounts: [], people: [] };
  const accounts = await db
    .select({
      id: socialAccounts.id,
      handle: socialAccounts.handle,
      platform: socialAccounts.platform,
      school: schools.name,
    })
    .from(socialAccounts)
    .innerJoin(schools, eq(schools.id, socialAccounts.schoolId))
    .where(inArray(socialAccounts.schoolId, schoolIds))
    .orderBy(asc(socialAccounts.handle), asc(socialAccounts.platform), asc(socialAccounts.id));
  const members = db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(inArray(memberships.schoolId, schoolIds));
  const admins = db
    .select({ userId: accountAdmins.userId })
    .from(accountAdmins)
    .innerJoin(socialAccounts, eq(socialAccounts.id, accountAdmins.accountId))
    .where(inArray(socialAccounts.schoolId, schoolIds));
  const people = await db
    .select({ id: users.id, name: users.displayName, email: users.email })
    .from(users)
    .where(or(inArray(users.id, members), inArray(users.id, admins)))
    .orderBy(asc(users.displayName), asc(users.id));
  return { accounts, people };
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
    const pickers = await filterPickers(app.db, readable);
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
        ...pickers,
      }),
    );
  }

  app.get('/audit', async (request, reply) => showAuditPage(request, reply, false));
  app.post('/audit/verify', { schema: { body: formBody({}) } }, async (request, reply) =>
    showAuditPage(request, reply, true),
  );
});

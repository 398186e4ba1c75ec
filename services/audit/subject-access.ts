import { and, asc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../../db/client.js';
import {
  auditEntries,
  comments,
  escalations,
  moderationActions,
  responses,
  socialAccounts,
} from '../../db/schema/index.js';
import type { ServiceContext } from '../core/service-context.js';
import { invalidInput } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { ERASURE_ROLES, requireSchoolsWithRole, SUBJECT_ACCESS_ROLES } from './audit-access.js';
import { type AuditEntryView, viewEntry } from './audit-entry-view.js';
import { emitAudit } from './emit-audit.js';
import { readChainEntries } from './read-chain.js';
import { redactComments } from './redact-comments.js';

export const subjectSchema = z
  .object({
    handle: z.string().trim().max(100).optional(),
    platformUserId: z.string().trim().max(100).optional(),
  })
  .refine((s) => !!(s.handle || s.platformUserId), 'Give the handle or the platform id of the person');
export type SubjectRef = z.output<typeof subjectSchema>;

const bareHandle = (h: string) => h.replace(/^@/, '').toLowerCase();

function matchSubject(subject: SubjectRef): SQL {
  const parts: SQL[] = [];
  if (subject.handle) parts.push(sql`lower(${comments.authorHandle}) = ${bareHandle(subject.handle)}`);
  if (subject.platformUserId) parts.push(eq(comments.authorExternalId, subject.platformUserId));
  return or(...parts)!;
}

async function findComments(db: Queryable, subject: SubjectRef, schoolIds: string[] | null) {
  if (!subject.handle && !subject.platformUserId) throw invalidInput('Give the handle or the platform id');
  return db
    .select({ comment: comments, accountHandle: socialAccounts.handle })
    .from(comments)
    .innerJoin(socialAccounts, eq(socialAccounts.id, comments.accountId))
    .where(and(matchSubject(subject), schoolIds === null ? undefined : inArray(comments.schoolId, schoolIds)))
    .orderBy(asc(comments.postedAt));
}

export interface SubjectAccessExport {
  generatedAt: string;
  subject: SubjectRef;
  schools: string[];
  comments: Record<string, unknown>[];
  responses: Record<string, unknown>[];
  moderationActions: Record<string, unknown>[];
  escalations: Record<string, unknown>[];
  auditEntries: AuditEntryView[];
}

/**
 * A subject access request (UK GDPR art. 15): everything Hallmonitor holds about one platform user,
 * by handle or platform id, in the schools where the caller is safeguarding lead or trust admin:
 * their comments (text, labels, status), the responses to them, moderation aimed at them,
 * escalations, and the audit entries about their comments with the personal data kept beside
 * them. Audited.
 */
export async function exportSubjectAccess(
  ctx: ServiceContext,
  subject: SubjectRef,
): Promise<SubjectAccessExport> {
  const schoolIds = requireSchoolsWithRole(ctx, SUBJECT_ACCESS_ROLES, 'answer a subject access request');
  const db = ctx.db;
  const found = await findComments(db, subject, schoolIds);
  const commentIds = found.map((f) => f.comment.id);
  const idText = commentIds.map(String);
  const [responseRows, actionRows, escalationRows] = await Promise.all([
    commentIds.length
      ? db
          .select()
          .from(responses)
          .where(inArray(responses.commentId, commentIds))
          .orderBy(asc(responses.createdAt))
      : [],
    db
      .select()
      .from(moderationActions)
      .where(
        and(
          or(
            commentIds.length ? inArray(moderationActions.commentId, commentIds) : sql`false`,
            subject.platformUserId
              ? eq(moderationActions.targetAuthorExternalId, subject.platformUserId)
              : sql`false`,
          ),
          schoolIds === null ? undefined : inArray(moderationActions.schoolId, schoolIds),
        ),
      )
      .orderBy(asc(moderationActions.createdAt)),
    commentIds.length
      ? db
          .select()
          .from(escalations)
          .where(inArray(escalations.commentId, commentIds))
          .orderBy(asc(escalations.createdAt))
      : [],
  ]);
  const related = [
    ...idText.map((id) => ['comment', id] as const),
    ...responseRows.map((r) => ['response', r.id] as const),
    ...actionRows.map((a) => ['action', a.id] as const),
    ...escalationRows.map((e) => ['escalation', e.id] as const),
  ];
  const seqRows = related.length
    ? await db
        .select({ seq: auditEntries.seq })
        .from(auditEntries)
        .where(
          or(
            ...(['comment', 'response', 'action', 'escalation'] as const).map((type) => {
              const ids = related.filter(([t]) => t === type).map(([, id]) => id);
              return ids.length
                ? and(eq(auditEntries.subjectType, type), inArray(auditEntries.subjectId, ids))
                : sql`false`;
            }),
          ),
        )
        .orderBy(asc(auditEntries.seq))
    : [];
  const entries = (
    await readChainEntries(
      db,
      seqRows.map((r) => r.seq),
    )
  ).map(viewEntry);
  const schools = [...new Set(found.map((f) => f.comment.schoolId))];

  await withTransaction(ctx, (tx) =>
    emitAudit(
      tx,
      ctx,
      (schools.length ? schools : [schoolIds?.[0] ?? null]).map((schoolId) => ({
        action: 'subject_access.exported' as const,
        schoolId,
        subject: { type: 'platform_user', id: null, label: 'A platform user (subject access request)' },
        details: {
          comments: found.filter((f) => f.comment.schoolId === schoolId).length,
          auditEntries: entries.filter((e) => e.schoolId === schoolId).length,
        },
        personal: { ...subject },
      })),
    ),
  );
  return {
    generatedAt: new Date().toISOString(),
    subject,
    schools,
    comments: found.map(({ comment: c, accountHandle }) => ({
      id: c.id,
      schoolId: c.schoolId,
      account: `@${accountHandle}`,
      platform: c.platform,
      externalId: c.externalId,
      authorHandle: c.authorHandle,
      authorName: c.authorName,
      authorExternalId: c.authorExternalId,
      text: c.text,
      url: c.url,
      postedAt: c.postedAt.toISOString(),
      status: c.status,
      labels: c.labels.map((l) => ({
        category: l.category,
        subcategory: l.subcategory,
        severity: l.severity,
      })),
      redactedAt: c.redactedAt?.toISOString() ?? null,
    })),
    responses: responseRows.map((r) => ({
      id: r.id,
      commentId: r.commentId,
      kind: r.kind,
      status: r.status,
      text: r.text,
      createdAt: r.createdAt.toISOString(),
    })),
    moderationActions: actionRows.map((a) => ({
      id: a.id,
      commentId: a.commentId,
      kind: a.kind,
      status: a.status,
      reasonCategory: a.reasonCategory,
      reasonText: a.reasonText,
      noticeText: a.noticeText,
      createdAt: a.createdAt.toISOString(),
      completedAt: a.completedAt?.toISOString() ?? null,
    })),
    escalations: escalationRows.map((e) => ({
      id: e.id,
      commentId: e.commentId,
      kind: e.kind,
      status: e.status,
      reason: e.reason,
      createdAt: e.createdAt.toISOString(),
    })),
    auditEntries: entries,
  };
}

/**
 * Erasure on request (UK GDPR art. 17): the person's comments lose their text and identity through
 * the retention policy's redaction path, in the schools where the caller is trust admin. Audited:
 * one `comment.redacted` per comment and one `subject_access.erased` per school, carrying the
 * request's reason.
 */
export async function eraseSubject(
  ctx: ServiceContext,
  input: SubjectRef & { reason: string },
): Promise<{ comments: number; personalRecords: number; schools: string[] }> {
  const schoolIds = requireSchoolsWithRole(ctx, ERASURE_ROLES, 'erase a person’s data');
  if (!input.reason.trim()) throw invalidInput('Give the reason for the erasure (the request it answers)');
  return withTransaction(ctx, async (tx) => {
    const found = await findComments(tx, input, schoolIds);
    const { comments: done, personalRecords } = await redactComments(
      tx,
      ctx,
      found.map((f) => f.comment.id),
      { kind: 'erasure', detail: input.reason.trim().slice(0, 500) },
    );
    const schools = [...new Set(done.map((c) => c.schoolId))];
    await emitAudit(
      tx,
      ctx,
      (schools.length ? schools : [schoolIds?.[0] ?? null]).map((schoolId) => ({
        action: 'subject_access.erased' as const,
        schoolId,
        subject: { type: 'platform_user', id: null, label: 'A platform user (erasure request)' },
        details: {
          reason: input.reason.trim().slice(0, 500),
          comments: done.filter((c) => c.schoolId === schoolId).length,
        },
        personal: { handle: input.handle ?? null, platformUserId: input.platformUserId ?? null },
      })),
    );
    return { comments: done.length, personalRecords, schools };
  });
}

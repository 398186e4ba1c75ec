import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditFilterSchema } from '../../audit/audit-filter.js';
import { auditSigner } from '../../audit/audit-signing.js';
import { createCheckpoint } from '../../audit/create-checkpoint.js';
import { exportAudit } from '../../audit/export-audit.js';
import { listCheckpoints } from '../../audit/list-checkpoints.js';
import { queueCheckpointMail } from '../../audit/mail-checkpoint.js';
import { searchAudit } from '../../audit/search-audit.js';
import { eraseSubject, exportSubjectAccess, subjectSchema } from '../../audit/subject-access.js';
import { verifyAuditLog } from '../../audit/verify-audit-log.js';

const seq = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export const auditSearchQuery = auditFilterSchema.extend({
  before: seq.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

const entryView = z.object({
  seq: z.number(),
  at: z.date(),
  actor: z.object({ type: z.enum(['user', 'system']), id: z.string().nullable(), name: z.string() }),
  action: z.string(),
  schoolId: z.string().nullable(),
  subject: z.object({ type: z.string(), id: z.string().nullable(), label: z.string() }),
  reason: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  details: z.record(z.string(), z.unknown()),
  requestId: z.string().nullable(),
  personalData: z.union([
    z.object({ state: z.literal('none') }),
    z.object({ state: z.literal('held'), content: z.record(z.string(), z.unknown()) }),
    z.object({ state: z.literal('redacted'), redactedAt: z.date(), note: z.string() }),
  ]),
  prevHash: z.string(),
  hash: z.string(),
});
const checkpoint = z.object({
  seq: z.number(),
  headHash: z.string(),
  signedAt: z.string(),
  publicKey: z.string(),
  signature: z.string(),
});
const verifyResult = z.union([
  z.object({
    intact: z.literal(true),
    from: z.number(),
    to: z.number(),
    count: z.number(),
    headHash: z.string(),
    checkpoints: z.number(),
    unwitnessed: z.object({
      entries: z.number(),
      since: z.string().nullable(),
      lastCheckpointSeq: z.number().nullable(),
    }),
    signingConfigured: z.boolean(),
  }),
  z.object({
    intact: z.literal(false),
    seq: z.number(),
    reason: z.string(),
    checked: z.number(),
    signingConfigured: z.boolean(),
  }),
]);

/** The auditor's API and screen: search, verify, checkpoints, export, subject access. */
export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['audit'];

  app.get(
    '/api/audit',
    {
      schema: {
        tags,
        summary:
          'Search the audit log of your schools (auditor, trust admin, senior leader): newest first, by keyset on seq',
        querystring: auditSearchQuery,
        response: { 200: z.object({ items: z.array(entryView), next: z.number().nullable() }) },
      },
    },
    async (request) => searchAudit(request.ctx, request.query),
  );

  app.post(
    '/api/audit/verify',
    {
      schema: {
        tags,
        summary:
          'Recompute the chain (or a range) and check it against the signed checkpoints (auditor, trust admin)',
        body: z.object({ from: seq.optional(), to: seq.optional(), _csrf: z.string().optional() }).nullish(),
        response: { 200: verifyResult },
      },
    },
    async (request) =>
      verifyAuditLog(
        request.ctx,
        { from: request.body?.from, to: request.body?.to },
        app.config.auditSigningKey,
      ),
  );

  app.get(
    '/api/audit/checkpoints',
    {
      schema: {
        tags,
        summary: 'The signed checkpoints, oldest first, and the public key they should be signed with',
        response: { 200: z.object({ publicKey: z.string().nullable(), checkpoints: z.array(checkpoint) }) },
      },
    },
    async (request) => ({
      publicKey: auditSigner(app.config.auditSigningKey)?.publicKey ?? null,
      checkpoints: await listCheckpoints(request.ctx),
    }),
  );

  app.get(
    '/api/audit/checkpoints/export',
    {
      schema: {
        tags,
        summary:
          'The signed checkpoints as JSON Lines, for an outside witness (npm run audit:verify -- --checkpoints FILE)',
      },
    },
    async (request, reply) => {
      const list = await listCheckpoints(request.ctx);
      return reply
        .type('application/jsonl; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit-checkpoints.jsonl"')
        .send(list.map((c) => `${JSON.stringify(c)}\n`).join(''));
    },
  );

  app.post(
    '/api/audit/checkpoints',
    {
      schema: {
        tags,
        summary: 'Sign the chain head now (auditor, trust admin); 422 when AUDIT_SIGNING_KEY is not set',
        body: z.object({ _csrf: z.string().optional() }).nullish(),
        response: {
          201: z.object({ status: z.literal('signed'), id: z.string(), checkpoint }),
          200: z.object({ status: z.literal('skipped'), reason: z.string() }),
        },
      },
    },
    async (request, reply) => {
      const outcome = await createCheckpoint(request.ctx, app.config.auditSigningKey);
      // The checkpoint is signed and stored whatever happens to its mail: if the queue is down, the
      // next daily checkpoint job finds it unmailed and queues it.
      await queueCheckpointMail(app.queues, app.config.auditWitnessEmails, outcome).catch((error: unknown) =>
        request.log.warn({ err: error }, 'could not queue the checkpoint mail; the daily job will'),
      );
      return outcome.status === 'signed' ? reply.status(201).send(outcome) : outcome;
    },
  );

  app.get(
    '/api/audit/export',
    {
      schema: {
        tags,
        summary:
          'Export entries matching the filters as CSV or JSON Lines, streamed, ending with a signed manifest (auditor, trust admin)',
        querystring: auditFilterSchema.extend({ format: z.enum(['csv', 'jsonl']).default('jsonl') }),
      },
    },
    async (request, reply) => {
      const { format, ...filter } = request.query;
      const stream = await exportAudit(request.ctx, {
        format,
        filter,
        signingKey: app.config.auditSigningKey,
      });
      const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '');
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/jsonl; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${stamp}.${format}"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(stream));
    },
  );

  app.post(
    '/api/audit/subject-access',
    {
      schema: {
        tags,
        summary:
          'Subject access request: everything held about one platform user, by handle or platform id (safeguarding lead, trust admin)',
        body: z.object({
          handle: z.string().max(100).optional(),
          platformUserId: z.string().max(100).optional(),
          _csrf: z.string().optional(),
        }),
      },
    },
    async (request) => {
      const { _csrf, ...subject } = request.body;
      return exportSubjectAccess(request.ctx, subjectSchema.parse(subject));
    },
  );

  app.post(
    '/api/audit/subject-access/erase',
    {
      schema: {
        tags,
        summary:
          "Erase one platform user's comment text and identity on request, through the retention redaction path (trust admin)",
        body: z.object({
          handle: z.string().max(100).optional(),
          platformUserId: z.string().max(100).optional(),
          reason: z.string().min(1).max(500),
          _csrf: z.string().optional(),
        }),
        response: {
          200: z.object({ comments: z.number(), personalRecords: z.number(), schools: z.array(z.string()) }),
        },
      },
    },
    async (request) => {
      const { _csrf, reason, ...subject } = request.body;
      return eraseSubject(request.ctx, { ...subjectSchema.parse(subject), reason });
    },
  );
};

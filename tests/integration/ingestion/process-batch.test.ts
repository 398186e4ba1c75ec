import { eq, inArray, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, comments, escalations } from '../../../db/schema/index.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import { SchoolClassifierCache } from '../../../services/classification/school-classifier-cache.js';
import { systemContext } from '../../../services/core/service-context.js';
import { processComments } from '../../../services/ingestion/process-comment.js';
import type { ProcessingStep } from '../../../services/ingestion/processing-pipeline.js';
import { createProcessingSteps } from '../../../workers/processing-steps.js';
import { createAccount, createComment, createSchool, createUser } from '../../helpers/factories.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let t: TestDatabase;
let steps: ProcessingStep[];

beforeAll(async () => {
  t = await createTestDatabase();
  steps = createProcessingSteps({ classifiers: new SchoolClassifierCache(testConfig().encryptionKey) });
});
afterAll(async () => {
  await t.drop();
});

const ctx = () => systemContext(t.db, 'test processing');

async function fixture(texts: string[]) {
  const school = await createSchool(t.db);
  const admin = await createUser(t.db, { trustId: school.trustId });
  const dsl = await createUser(t.db, {
    trustId: school.trustId,
    roles: [{ schoolId: school.id, role: 'safeguarding_lead' }],
  });
  const account = await createAccount(t.db, { schoolId: school.id, adminIds: [admin.id] });
  const rows = [];
  for (const text of texts)
    rows.push(await createComment(t.db, { schoolId: school.id, accountId: account.id, text }));
  return { school, admin, dsl, account, ids: rows.map((r) => r.id) };
}

const textFor = (i: number) =>
  i % 10 === 3 ? `i want to kill myself, nobody at home listens (${i})` : `Lovely concert, thank you (${i})`;

describe('processing a page of comments as one batch', () => {
  it('processes overlapping batches running at once exactly once, each comment with its own results', async () => {
    const f = await fixture(Array.from({ length: 30 }, (_, i) => textFor(i)));
    const results = await Promise.all([
      processComments(ctx(), { commentIds: f.ids.slice(0, 20) }, steps),
      processComments(ctx(), { commentIds: f.ids.slice(10, 30) }, steps),
      processComments(ctx(), { commentIds: f.ids }, steps),
    ]);
    // Whatever the interleaving, the three jobs processed 30 comments between them.
    expect(results.reduce((n, r) => n + r.processed, 0)).toBe(30);
    expect(await processComments(ctx(), { commentIds: f.ids }, steps)).toMatchObject({
      processed: 0,
      skipped: 30,
    });

    const stored = await t.db.select().from(comments).where(inArray(comments.id, f.ids));
    expect(stored.every((c) => c.processedAt !== null && c.deadlineAt !== null)).toBe(true);
    for (const c of stored) {
      const i = Number(/\((\d+)\)$/.exec(c.text)![1]);
      expect(c.categories.includes('safeguarding')).toBe(i % 10 === 3);
    }
    const deadlineEntries = await t.db
      .select({ subjectId: auditEntries.subjectId })
      .from(auditEntries)
      .where(eq(auditEntries.action, 'comment.deadline_set'));
    const forThese = deadlineEntries.filter((e) => f.ids.includes(e.subjectId!));
    expect(forThese).toHaveLength(30);
    expect(new Set(forThese.map((e) => e.subjectId)).size).toBe(30);
    const raised = await t.db.select().from(escalations).where(inArray(escalations.commentId, f.ids));
    expect(raised).toHaveLength(3);
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });

  it('lets one comment that fails not hold back the rest of its page', async () => {
    const f = await fixture(Array.from({ length: 10 }, (_, i) => `Question number ${i}`));
    const poison = f.ids[4]!;
    const failing: ProcessingStep = {
      name: 'fails-on-one',
      async run(_tx, _ctx, state) {
        if (state.comment.id === poison) throw new Error('this comment breaks a step');
      },
    };
    await expect(processComments(ctx(), { commentIds: f.ids }, [...steps, failing])).rejects.toThrow(
      'this comment breaks a step',
    );
    const left = await t.db
      .select({ id: comments.id })
      .from(comments)
      .where(inArray(comments.id, f.ids))
      .then((rows) => rows.map((r) => r.id));
    const unprocessed = await t.db
      .select({ id: comments.id })
      .from(comments)
      .where(isNull(comments.processedAt))
      .then((rows) => rows.map((r) => r.id).filter((id) => left.includes(id)));
    expect(unprocessed).toEqual([poison]);
    // Nothing of the failed comment's work was kept: the retry does it once.
    expect(await processComments(ctx(), { commentIds: f.ids }, steps)).toMatchObject({ processed: 1 });
    const entries = await t.db.select().from(auditEntries).where(eq(auditEntries.subjectId, poison));
    expect(entries.filter((e) => e.action === 'comment.deadline_set')).toHaveLength(1);
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });
});

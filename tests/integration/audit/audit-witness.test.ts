import { and, eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { auditEntries, auditPersonalData } from '../../../db/schema/index.js';
import type { Checkpoint } from '../../../services/audit/audit-signing.js';
import { createCheckpoint } from '../../../services/audit/create-checkpoint.js';
import { unmailedCheckpoints } from '../../../services/audit/mail-checkpoint.js';
import { verifyAudit } from '../../../services/audit/verify-audit.js';
import { systemContext } from '../../../services/core/service-context.js';
import { auditCheckpointProcessor } from '../../../workers/processors/audit-checkpoint.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../../workers/worker-runtime.js';
import { generateAuditKey, rewriteChainFrom, seedAuditEntries } from '../../helpers/audit-fixtures.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { type ReceivedEmail, startSmtpServer } from '../notifications/notify-servers.js';

const WITNESSES = ['dpo@trust.example', 'chair@governors.example'];

let t: TestDatabase;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let config: Config;
let runtime: WorkerRuntime;
let api: TestApp;

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The checkpoint a witness keeps: the one JSON line of the message. */
function checkpointIn(mail: ReceivedEmail): Checkpoint {
  const line = mail.body.split(/\r?\n/).find((l) => l.startsWith('{"seq":'));
  expect(line, 'the checkpoint line').toBeDefined();
  return JSON.parse(line!) as Checkpoint;
}

beforeAll(async () => {
  t = await createTestDatabase();
  smtp = await startSmtpServer();
  config = testConfig({
    SMTP_URL: smtp.url,
    AUDIT_SIGNING_KEY: generateAuditKey(),
    AUDIT_WITNESS_EMAILS: WITNESSES.join(', '),
  });
  runtime = await startWorkerRuntime({
    config,
    db: t.db,
    logger: pino({ level: 'silent' }),
    queues: ['maintenance'],
  });
  // An interval scheduler runs its first job at once: let it find the log empty before seeding.
  await waitFor('the first interval checkpoint job', async () => {
    const done = await runtime.deps.queues.maintenance.getCompleted();
    return done.some((j) => j.name === 'audit-checkpoint' && j.data.kind === 'interval') ? true : undefined;
  });
  api = await buildTestApp(t.db, { config });
  await seedAuditEntries(t.db, 20);
});
afterAll(async () => {
  await api?.close();
  await runtime?.close();
  await clearRedisPrefix(config.redisPrefix);
  await smtp?.close();
  await t?.drop();
});

describe('checkpoints mailed to outside witnesses', () => {
  it('mails the daily checkpoint to every witness; their copy still catches a rewrite of the whole table', async () => {
    await runtime.deps.queues.add('audit-checkpoint', { kind: 'daily' });
    const mail = await waitFor('the witness mail', () => smtp.received[0]);
    expect(mail.to.sort()).toEqual([...WITNESSES].sort());
    const kept = checkpointIn(mail);
    expect(mail.subject).toBe(`Hallmonitor audit checkpoint: entry ${kept.seq}`);
    expect(kept.seq).toBe(20);
    expect(mail.body).toContain('npm run audit:verify -- --checkpoints');

    // Audited once sent, the addresses kept as personal data, not in the hashed details.
    const [entry] = await waitFor('the mailing to be audited', async () => {
      const rows = await t.db
        .select()
        .from(auditEntries)
        .where(and(eq(auditEntries.action, 'audit.checkpoint_mailed'), eq(auditEntries.subjectId, '20')));
      return rows.length ? rows : undefined;
    });
    expect(entry!.details).toEqual({ seq: 20, headHash: kept.headHash, recipients: 2 });
    const [personal] = await t.db
      .select()
      .from(auditPersonalData)
      .where(eq(auditPersonalData.seq, entry!.seq));
    expect(personal!.content).toEqual({ to: WITNESSES });

    // Someone with the database rewrites the log and deletes the stored checkpoints: the
    // witness's copy still names the entry.
    await rewriteChainFrom(t.db, 5, { n: 5, reason: 'quietly changed' });
    await t.db.execute(sql`delete from audit_checkpoints`);
    expect(await verifyAudit(t.db)).toMatchObject({ intact: true });
    expect(await verifyAudit(t.db, { checkpoints: [kept] })).toMatchObject({ intact: false, seq: 20 });
  });

  it('mails a checkpoint an auditor signs on demand', async () => {
    const school = await createSchool(t.db);
    const auditor = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'auditor' }],
    });
    const { headers } = await signIn(t.db, auditor.id);
    const before = smtp.received.length;
    const res = await api.app.inject({ method: 'POST', url: '/api/audit/checkpoints', headers, payload: {} });
    expect(res.statusCode, res.body).toBe(201);
    const signed = res.json().checkpoint as Checkpoint;
    const mail = await waitFor('the on-demand mail', () => smtp.received[before]);
    expect(checkpointIn(mail)).toEqual(signed);
  });

  it('signs a checkpoint every AUDIT_CHECKPOINT_MINUTES when something was logged, without mailing it; the daily one is mailed', async () => {
    const scheduler = await runtime.deps.queues.maintenance.getJobScheduler('audit-checkpoint-interval');
    expect(scheduler?.every).toBe(config.auditCheckpointMinutes * 60_000);
    expect(config.auditCheckpointMinutes).toBe(15);
    const { handler } = auditCheckpointProcessor(runtime.deps);
    // Let the mails of the tests before settle, then count.
    await waitFor('earlier mails to be audited', async () => {
      const pending = await unmailedCheckpoints(t.db);
      return pending.length === 0 ? true : undefined;
    });
    const mailsBefore = smtp.received.length;
    await seedAuditEntries(t.db, 3);
    const signed = await handler({ kind: 'interval' } as never, { jobId: 'interval-1', attemptsMade: 0 });
    expect(signed).toMatchObject({ status: 'signed' });
    // Nothing new since (its own signing entry does not count): skipped, not one checkpoint a tick.
    const idle = await handler({ kind: 'interval' } as never, { jobId: 'interval-2', attemptsMade: 0 });
    expect(idle).toMatchObject({ status: 'skipped', reason: 'nothing new since the last checkpoint' });
    // The interval checkpoint is not for the witnesses, and the daily run does not queue it again.
    expect(await unmailedCheckpoints(t.db)).toEqual([]);
    await handler({ kind: 'daily' } as never, { jobId: 'daily-2', attemptsMade: 0 });
    await waitFor('the daily mail', () => (smtp.received.length > mailsBefore ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.received.length).toBe(mailsBefore + 1);
    expect(checkpointIn(smtp.received[mailsBefore]!).seq).toBeGreaterThan((signed as { seq: number }).seq);
  });

  it('mails, with the next daily checkpoint, one whose mail was never queued', async () => {
    // Signed while the queue was unreachable: stored, but no mail job.
    const orphan = await createCheckpoint(systemContext(t.db, 'test'), config.auditSigningKey);
    expect(orphan.status).toBe('signed');
    const orphanSeq = orphan.status === 'signed' ? orphan.checkpoint.seq : 0;
    const before = smtp.received.length;
    // The daily job as its scheduler runs it (its fixed job id is taken by the first test's run).
    const { handler } = auditCheckpointProcessor(runtime.deps);
    await handler({} as never, { jobId: 'audit-checkpoint-next-day', attemptsMade: 0 });
    await waitFor('two more mails', () => (smtp.received.length >= before + 2 ? true : undefined));
    const seqs = smtp.received.slice(before).map((m) => checkpointIn(m).seq);
    expect(seqs).toContain(orphanSeq);
    expect(seqs.some((seq) => seq > orphanSeq)).toBe(true);
  });
});

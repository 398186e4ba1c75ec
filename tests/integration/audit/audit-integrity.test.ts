import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { auditCheckpoints } from '../../../db/schema/index.js';
import { auditSigner, signCheckpoint } from '../../../services/audit/audit-signing.js';
import { runVerifyCommand } from '../../../services/audit/cli/verify-command.js';
import { createCheckpoint } from '../../../services/audit/create-checkpoint.js';
import { loadCheckpoints, verifyAudit } from '../../../services/audit/verify-audit.js';
import { systemContext } from '../../../services/core/service-context.js';
import {
  behindTheTrigger,
  generateAuditKey,
  rewriteChainFrom,
  seedAuditEntries,
} from '../../helpers/audit-fixtures.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const opened: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.drop()));
});

async function seeded(count = 60) {
  const t = await createTestDatabase();
  opened.push(t);
  await seedAuditEntries(t.db, count);
  return t;
}

function captureIo() {
  const io = { stdout: '', stderr: '' };
  return {
    io,
    sink: {
      out: (s: string) => {
        io.stdout += s;
      },
      err: (s: string) => {
        io.stderr += s;
      },
    },
  };
}

describe('audit verification finds tampering and names the entry', () => {
  it('reports an intact log, from the API of the verb and from the command line', async () => {
    const t = await seeded();
    expect(await verifyAudit(t.db, { batchSize: 7 })).toMatchObject({
      intact: true,
      from: 1,
      to: 60,
      count: 60,
    });
    const { io, sink } = captureIo();
    expect(await runVerifyCommand(['--database-url', t.url], sink)).toBe(0);
    expect(io.stdout).toMatch(/^intact: entries 1–60 \(60 entries\)/);
    const part = captureIo();
    expect(await runVerifyCommand(['--database-url', t.url, '--from', '10', '--to', '20'], part.sink)).toBe(
      0,
    );
    expect(part.io.stdout).toMatch(/^intact: entries 10–20 \(11 entries\)/);
  });

  it("detects an entry's details altered", async () => {
    const t = await seeded();
    await behindTheTrigger(
      t.db,
      `update audit_entries set details = '{"n": 23, "reason": "never happened"}' where seq = 23`,
    );
    expect(await verifyAudit(t.db)).toMatchObject({
      intact: false,
      seq: 23,
      reason: 'entry content does not match its hash',
    });
    const { io, sink } = captureIo();
    expect(await runVerifyCommand(['--database-url', t.url], sink)).toBe(1);
    expect(io.stdout).toContain('BROKEN at entry 23: entry content does not match its hash');
  });

  it('finds the same first bad entry when the range is split between worker threads', async () => {
    const t = await seeded(60);
    expect(await verifyAudit(t.db, { workers: 3, batchSize: 7 })).toMatchObject({ intact: true, count: 60 });
    await behindTheTrigger(t.db, 'delete from audit_entries where seq = 21');
    await behindTheTrigger(t.db, `update audit_entries set details = '{"n": 45}' where seq = 45`);
    // Entry 21 is where the second of three segments starts: the gap is found at the seam.
    expect(await verifyAudit(t.db, { workers: 3 })).toMatchObject({
      intact: false,
      seq: 21,
      reason: 'entry is missing',
    });
    expect(await verifyAudit(t.db, { workers: 3, from: 23 })).toMatchObject({
      intact: false,
      seq: 45,
      reason: 'entry content does not match its hash',
    });
  });

  it('detects one entry deleted', async () => {
    const t = await seeded();
    await behindTheTrigger(t.db, 'delete from audit_entries where seq = 31');
    expect(await verifyAudit(t.db, { batchSize: 10 })).toMatchObject({
      intact: false,
      seq: 31,
      reason: 'entry is missing',
    });
  });

  it('detects two entries swapped', async () => {
    const t = await seeded();
    await behindTheTrigger(
      t.db,
      'update audit_entries set seq = -1 where seq = 40; update audit_entries set seq = 40 where seq = 41; update audit_entries set seq = 41 where seq = -1',
    );
    expect(await verifyAudit(t.db)).toMatchObject({ intact: false, seq: 40 });
  });

  it('detects the whole chain rebuilt consistently, through the signed checkpoint', async () => {
    const t = await seeded(50);
    const key = generateAuditKey();
    const signed = await createCheckpoint(systemContext(t.db, 'daily checkpoint'), key);
    expect(signed).toMatchObject({ status: 'signed', checkpoint: { seq: 50 } });
    await expectAuditEntry(t.db, { action: 'audit.checkpoint_signed', details: { seq: 50 } });
    await seedAuditEntries(t.db, 10);
    const trusted = [auditSigner(key)!.publicKey];
    expect(await verifyAudit(t.db, { trustedKeys: trusted })).toMatchObject({ intact: true, checkpoints: 1 });

    await rewriteChainFrom(t.db, 12, { n: 12, reason: 'a different story' });
    // The chain alone now looks perfect…
    expect(await verifyAudit(t.db, { checkpoints: [] })).toMatchObject({ intact: true });
    // …but the hash signed at entry 50 before the rewrite no longer matches.
    expect(await verifyAudit(t.db, { trustedKeys: trusted })).toMatchObject({
      intact: false,
      seq: 50,
      reason: expect.stringMatching(/does not match the checkpoint signed .*rewritten/),
    });

    // Deleting the stored checkpoints does not help the attacker: the outside witness kept a copy.
    const witness = await loadCheckpoints(t.db);
    await t.db.delete(auditCheckpoints);
    expect(await verifyAudit(t.db, { checkpoints: witness, trustedKeys: trusted })).toMatchObject({
      intact: false,
      seq: 50,
    });
  });

  it('rejects a forged checkpoint: another key, or an altered signature', async () => {
    const t = await seeded(30);
    const key = generateAuditKey();
    const trusted = [auditSigner(key)!.publicKey];
    await createCheckpoint(systemContext(t.db, 'daily checkpoint'), key);
    await rewriteChainFrom(t.db, 5, { n: 5, reason: 'rewritten' });
    const [{ hash }] = (
      await t.db.execute<{ hash: string }>(sql`select hash from audit_entries where seq = 30`)
    ).rows as [{ hash: string }];

    // The attacker signs the rewritten head with a key of their own…
    await t.db.delete(auditCheckpoints);
    const own = signCheckpoint(auditSigner(generateAuditKey())!, { seq: 30, headHash: hash }, new Date());
    await t.db.insert(auditCheckpoints).values(own);
    expect(await verifyAudit(t.db, { trustedKeys: trusted })).toMatchObject({
      intact: false,
      seq: 30,
      reason: expect.stringMatching(/signed by an unknown key.*forged/),
    });

    // …or keeps the real key's name and signature over a different hash.
    const real = signCheckpoint(auditSigner(key)!, { seq: 30, headHash: '0'.repeat(64) }, new Date());
    await t.db.delete(auditCheckpoints);
    await t.db.insert(auditCheckpoints).values({ ...real, headHash: hash });
    expect(await verifyAudit(t.db, { trustedKeys: trusted })).toMatchObject({
      intact: false,
      seq: 30,
      reason: expect.stringMatching(/invalid signature: forged or altered/),
    });
    expect(await verifyAudit(t.db)).toMatchObject({ intact: false, seq: 30 });
  });

  it('skips checkpoints with a warning when no key is configured', async () => {
    const t = await seeded(5);
    expect(await createCheckpoint(systemContext(t.db, 'daily checkpoint'), undefined)).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('AUDIT_SIGNING_KEY is not set'),
    });
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, withAuditSigningKey } from '../../../config/load-config.js';
import { auditCheckpoints } from '../../../db/schema/index.js';
import { auditSigner, type Checkpoint } from '../../../services/audit/audit-signing.js';
import { runVerifyCommand } from '../../../services/audit/cli/verify-command.js';
import { createCheckpoint } from '../../../services/audit/create-checkpoint.js';
import { emitAudit } from '../../../services/audit/emit-audit.js';
import { loadCheckpoints, verifyAudit } from '../../../services/audit/verify-audit.js';
import { systemContext } from '../../../services/core/service-context.js';
import {
  auditActor,
  behindTheTrigger,
  generateAuditKey,
  rewriteChainFrom,
  seedAuditEntries,
} from '../../helpers/audit-fixtures.js';
import { buildTestApp } from '../../helpers/build-test-app.js';
import { createSchool, createUser } from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const opened: TestDatabase[] = [];
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  // The app first: its connections would hold the database open.
  for (const fn of cleanup.splice(0)) await fn();
  await Promise.all(opened.splice(0).map((t) => t.drop()));
});

/** 50 entries, a checkpoint signed at 50 (its signing is entry 51), then 10 more: 52–61. */
async function checkpointedLog() {
  const t = await createTestDatabase();
  opened.push(t);
  await seedAuditEntries(t.db, 50);
  const key = generateAuditKey();
  const signed = await createCheckpoint(systemContext(t.db, 'audit checkpoint'), key);
  if (signed.status !== 'signed') throw new Error('expected a checkpoint');
  await seedAuditEntries(t.db, 10);
  return { t, key, trusted: [auditSigner(key)!.publicKey], checkpoint: signed.checkpoint };
}

function captureIo() {
  const io = { stdout: '', stderr: '' };
  const sink = {
    out: (s: string) => {
      io.stdout += s;
    },
    err: (s: string) => {
      io.stderr += s;
    },
  };
  return { io, sink };
}

describe('the tail of the log after the last checkpoint', () => {
  it('detects the tail cut right after a checkpoint with audit_head moved back to match', async () => {
    const { t, trusted } = await checkpointedLog();
    await behindTheTrigger(
      t.db,
      `delete from audit_personal_data where seq > 50; delete from audit_entries where seq > 50;
       update audit_head set seq = 50, hash = (select hash from audit_entries where seq = 50) where id = 1`,
    );
    const expected = {
      intact: false,
      seq: 51,
      reason: expect.stringMatching(
        /audited as entry 51 \(audit\.checkpoint_signed\), which is gone: the log was cut/,
      ),
    };
    expect(await verifyAudit(t.db, { trustedKeys: trusted })).toMatchObject(expected);
    // The stored checkpoints deleted as well: the witness's copy still tells.
    const witness = await loadCheckpoints(t.db);
    await t.db.delete(auditCheckpoints);
    expect(await verifyAudit(t.db, { trustedKeys: trusted, checkpoints: witness })).toMatchObject(expected);
  });

  it('detects a head that is ahead of the table, or behind it', async () => {
    const { t, trusted } = await checkpointedLog();
    // Rows removed, the head left at 61.
    await behindTheTrigger(
      t.db,
      'delete from audit_personal_data where seq > 57; delete from audit_entries where seq > 57',
    );
    expect(await verifyAudit(t.db, { trustedKeys: trusted })).toMatchObject({
      intact: false,
      seq: 58,
      reason: expect.stringMatching(/audit_head says the log ends at 61 but the table ends at 57/),
    });

    const { t: other } = await checkpointedLog();
    // The head moved back to 55, the rows after it left in the table.
    await other.db.execute(
      sql`update audit_head set seq = 55, hash = (select hash from audit_entries where seq = 55) where id = 1`,
    );
    expect(await verifyAudit(other.db)).toMatchObject({
      intact: false,
      seq: 56,
      reason: expect.stringMatching(
        /beyond the chain head: audit_head says the log ends at 55 but the table goes on to 61/,
      ),
    });
  });

  it('detects the signing entry of a checkpoint rewritten, even with every hash after it recomputed', async () => {
    const { t, trusted } = await checkpointedLog();
    await rewriteChainFrom(t.db, 51, { n: 51, reason: 'nothing to see' });
    expect(await verifyAudit(t.db, { trustedKeys: trusted })).toMatchObject({
      intact: false,
      seq: 51,
      reason: expect.stringMatching(
        /not the audit\.checkpoint_signed entry of the checkpoint .* at entry 50/,
      ),
    });
  });

  it('shows how many entries no checkpoint vouches for yet, and since when: a rewrite of them is that window', async () => {
    const { t, key, trusted, checkpoint } = await checkpointedLog();
    const window = { entries: 11, since: checkpoint.signedAt, lastCheckpointSeq: 50 };
    expect(await verifyAudit(t.db, { trustedKeys: trusted })).toMatchObject({
      intact: true,
      unwitnessed: window,
    });

    // A consistent rewrite inside the window is not detectable without a witness…
    await rewriteChainFrom(t.db, 55, { n: 55, reason: 'rewritten after the checkpoint' });
    expect(await verifyAudit(t.db, { trustedKeys: trusted })).toMatchObject({
      intact: true,
      unwitnessed: window,
    });
    // …so every way of verifying says how long the window is.
    const { io, sink } = captureIo();
    expect(await runVerifyCommand(['--database-url', t.url, '--public-key', trusted[0]!], sink)).toBe(0);
    expect(io.stdout).toContain(
      `entries after the last witnessed checkpoint: 11, since ${checkpoint.signedAt}`,
    );

    const api = await buildTestApp(t.db, { configOverrides: { AUDIT_SIGNING_KEY: key } });
    cleanup.push(() => api.close());
    const school = await createSchool(t.db);
    const auditor = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'auditor' }],
    });
    const signedIn = await signIn(t.db, auditor.id);
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/audit/verify',
      headers: signedIn.headers,
      payload: {},
    });
    expect(res.statusCode, res.body).toBe(200);
    // Whatever setting up the auditor logged is after the checkpoint too.
    const [{ head }] = (await t.db.execute<{ head: string }>(sql`select seq::text as head from audit_head`))
      .rows as [{ head: string }];
    const entries = Number(head) - 50;
    expect(entries).toBeGreaterThanOrEqual(11);
    expect(res.json()).toMatchObject({
      intact: true,
      unwitnessed: { entries, since: checkpoint.signedAt, lastCheckpointSeq: 50 },
    });
    const page = await api.app.inject({
      method: 'POST',
      url: '/audit/verify',
      headers: { cookie: signedIn.headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(signedIn.csrfToken)}`,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      `entries after the last witnessed checkpoint: ${entries}, since ${checkpoint.signedAt}`,
    );
  });

  it('says every entry is unwitnessed when there is no checkpoint at all', async () => {
    const t = await createTestDatabase();
    opened.push(t);
    await seedAuditEntries(t.db, 20);
    const result = await verifyAudit(t.db);
    expect(result).toMatchObject({ intact: true, unwitnessed: { entries: 20, since: null } });
    const { io, sink } = captureIo();
    expect(await runVerifyCommand(['--database-url', t.url], sink)).toBe(0);
    expect(io.stdout).toContain('entries after the last witnessed checkpoint: 20 (no signed checkpoint');
  });
});

describe('redacted personal data', () => {
  it('fails verification when personal data reads "redacted" but no redaction entry records it', async () => {
    const t = await createTestDatabase();
    opened.push(t);
    await seedAuditEntries(t.db, 20);
    // Blanked by hand, made to look like the retention policy did it.
    await t.db.execute(sql`update audit_personal_data
      set content = null, redacted_at = now(), redaction_reason = 'retention policy: 24 months'
      where seq = 10`);
    expect(await verifyAudit(t.db)).toMatchObject({
      intact: false,
      seq: 10,
      reason: expect.stringMatching(
        /personal data is marked redacted .*"retention policy: 24 months".* no comment\.redacted entry records a redaction of comment c-10/,
      ),
    });
    const { io, sink } = captureIo();
    expect(await runVerifyCommand(['--database-url', t.url], sink)).toBe(1);
    expect(io.stdout).toMatch(/BROKEN at entry 10: personal data is marked redacted/);

    // The redaction path records it: then the same record is accounted for.
    await t.db.transaction((tx) =>
      emitAudit(
        tx,
        { actor: auditActor },
        {
          action: 'comment.redacted',
          schoolId: null,
          subject: { type: 'comment', id: 'c-10', label: 'Comment 10 on @school on X' },
          details: { reason: 'retention policy: 24 months', kind: 'retention', personalRecordsRedacted: 1 },
        },
      ),
    );
    expect(await verifyAudit(t.db)).toMatchObject({ intact: true });
  });
});

describe('a signing key for every installation', () => {
  it('with no AUDIT_SIGNING_KEY, generates a key file (0600) on first start, keeps it, and signs checkpoints with it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hm-audit-key-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'state', 'audit-signing-key');
    const env = {
      SESSION_SECRET: randomBytes(32).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUDIT_SIGNING_KEY_FILE: file,
    };
    const said: string[] = [];
    const config = withAuditSigningKey(loadConfig(env), (line) => said.push(line));
    expect(config.auditSigningKey).toBeDefined();
    expect(config.auditSigningKeySource).toBe('file');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(config.auditSigningKey);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(file);

    // The next start reads the same key and says nothing.
    const again = withAuditSigningKey(loadConfig(env), (line) => said.push(line));
    expect(again.auditSigningKey).toBe(config.auditSigningKey);
    expect(said).toHaveLength(1);
    // An explicit AUDIT_SIGNING_KEY still wins.
    const explicit = generateAuditKey();
    expect(withAuditSigningKey(loadConfig({ ...env, AUDIT_SIGNING_KEY: explicit })).auditSigningKey).toBe(
      explicit,
    );

    const t = await createTestDatabase();
    opened.push(t);
    await seedAuditEntries(t.db, 5);
    const outcome = await createCheckpoint(systemContext(t.db, 'audit checkpoint'), config.auditSigningKey);
    expect(outcome).toMatchObject({ status: 'signed', checkpoint: { seq: 5 } });
    const publicKey = auditSigner(config.auditSigningKey)!.publicKey;
    expect((outcome as { checkpoint: Checkpoint }).checkpoint.publicKey).toBe(publicKey);
    expect(await verifyAudit(t.db, { trustedKeys: [publicKey] })).toMatchObject({
      intact: true,
      checkpoints: 1,
    });

    // /readyz tells a trust admin the truth: checkpoints are signed, with the key of that file.
    const api = await buildTestApp(t.db, {
      config: withAuditSigningKey(testConfig({ AUDIT_SIGNING_KEY_FILE: file })),
    });
    cleanup.push(() => api.close());
    const school = await createSchool(t.db);
    const admin = await createUser(t.db, {
      trustId: school.trustId,
      roles: [{ schoolId: school.id, role: 'trust_admin' }],
    });
    const ready = await api.app.inject({ url: '/readyz', headers: (await signIn(t.db, admin.id)).headers });
    expect(ready.json().warnings).toContainEqual(
      expect.stringContaining(`audit checkpoints are signed with the key kept in ${file}`),
    );
    expect(ready.json().warnings.join(' ')).not.toMatch(/not signed/);
    const listed = await api.app.inject({
      url: '/api/audit/checkpoints',
      headers: (await signIn(t.db, admin.id)).headers,
    });
    expect(listed.json().publicKey).toBe(publicKey);

    // The operator's verify finds the key in the same file and pins it.
    const previous = process.env.AUDIT_SIGNING_KEY_FILE;
    process.env.AUDIT_SIGNING_KEY_FILE = file;
    try {
      const { io, sink } = captureIo();
      expect(await runVerifyCommand(['--database-url', t.url], sink)).toBe(0);
      expect(io.stdout).toContain('checked against 1 signed checkpoint(s)\n');
    } finally {
      if (previous === undefined) delete process.env.AUDIT_SIGNING_KEY_FILE;
      else process.env.AUDIT_SIGNING_KEY_FILE = previous;
    }
  });

  it('refuses to start on a key file that holds something else, naming the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hm-audit-key-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'audit-signing-key');
    await writeFile(file, 'not a key\n');
    const env = {
      SESSION_SECRET: randomBytes(32).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUDIT_SIGNING_KEY_FILE: file,
    };
    expect(() => withAuditSigningKey(loadConfig(env))).toThrow(
      /AUDIT_SIGNING_KEY_FILE must be .*does not hold an Ed25519 private key/,
    );
  });
});

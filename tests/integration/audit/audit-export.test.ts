import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSigner } from '../../../services/audit/audit-signing.js';
import { runExportCommand } from '../../../services/audit/cli/export-command.js';
import { runVerifyCommand } from '../../../services/audit/cli/verify-command.js';
import { runVerifyExportCommand } from '../../../services/audit/cli/verify-export-command.js';
import { createCheckpoint } from '../../../services/audit/create-checkpoint.js';
import { emitAudit } from '../../../services/audit/emit-audit.js';
import { systemContext } from '../../../services/core/service-context.js';
import { auditActor, generateAuditKey, seedAuditEntries } from '../../helpers/audit-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let t: TestDatabase;
let dir: string;
const key = generateAuditKey();
const publicKey = auditSigner(key)!.publicKey;

function capture() {
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

async function run(command: (argv: string[], io: never) => Promise<number>, argv: string[]) {
  const { io, sink } = capture();
  const code = await command(argv, sink as never);
  return { code, ...io };
}

beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'hm-audit-export-'));
  process.env.AUDIT_SIGNING_KEY = key;
  await seedAuditEntries(t.db, 40);
  await createCheckpoint(systemContext(t.db, 'daily checkpoint'), key);
  await seedAuditEntries(t.db, 12);
});
afterAll(async () => {
  delete process.env.AUDIT_SIGNING_KEY;
  await rm(dir, { recursive: true, force: true });
  await t.drop();
});

describe('export and offline verification', () => {
  for (const format of ['jsonl', 'csv'] as const) {
    it(`round-trips a ${format} export of the whole log through the offline check`, async () => {
      const file = join(dir, `all.${format}`);
      const exported = await run(runExportCommand, [
        '--database-url',
        t.url,
        '--format',
        format,
        '--out',
        file,
      ]);
      expect(exported.code).toBe(0);
      const text = await readFile(file, 'utf8');
      // Every entry but the export's own (audited before the export starts), then the manifest.
      const lines = text.trimEnd().split('\n');
      expect(lines.at(-1)).toMatch(format === 'csv' ? /^# manifest: \{/ : /^\{"manifest":\{/);

      // 52 seeded, the checkpoint's entry, and the entries of the exports taken before this one.
      const count = lines.length - (format === 'csv' ? 2 : 1);
      expect(count).toBeGreaterThanOrEqual(53);
      const checked = await run(runVerifyExportCommand, [file, '--public-key', publicKey]);
      expect(checked.stdout).toMatch(
        new RegExp(
          `^intact: .*: ${count} ${format} entries \\(entries 1–${count}, one unbroken chain\\).*1 checkpoint\\(s\\) matched; signed by`,
        ),
      );
      expect(checked.code).toBe(0);
    });

    it(`fails a ${format} export with one entry edited, naming it`, async () => {
      const file = join(dir, `edited.${format}`);
      await run(runExportCommand, ['--database-url', t.url, '--format', format, '--out', file]);
      const text = await readFile(file, 'utf8');
      const edited = text.replace('answered by phone', 'answered by letter');
      expect(edited).not.toBe(text);
      await writeFile(file, edited);
      const checked = await run(runVerifyExportCommand, [file, '--public-key', publicKey]);
      expect(checked.code).toBe(1);
      expect(checked.stdout).toMatch(
        /^FAILED: .* at entry 1, line \d+: entry content does not match its hash/,
      );
    });
  }

  it('fails an export with a line removed, even with the hashes left alone', async () => {
    const file = join(dir, 'cut.jsonl');
    await run(runExportCommand, ['--database-url', t.url, '--out', file]);
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.splice(9, 1); // entry 10
    await writeFile(file, lines.join('\n'));
    const checked = await run(runVerifyExportCommand, [file, '--public-key', publicKey]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/content does not match the manifest's SHA-256/);
  });

  it('fails a manifest rewritten to match an edited file, and one signed with another key', async () => {
    const file = join(dir, 'resigned.jsonl');
    await run(runExportCommand, ['--database-url', t.url, '--out', file, '--from', '1', '--to', '20']);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const { manifest } = JSON.parse(lines.pop()!);
    manifest.count = 19;
    lines.splice(19, 1);
    const { createHash } = await import('node:crypto');
    manifest.sha256 = createHash('sha256')
      .update(lines.map((l) => `${l}\n`).join(''))
      .digest('hex');
    manifest.lastSeq = 19;
    manifest.headHash = JSON.parse(lines.at(-1)!).hash;
    await writeFile(file, `${lines.map((l) => `${l}\n`).join('')}${JSON.stringify({ manifest })}\n`);
    const forged = await run(runVerifyExportCommand, [file, '--public-key', publicKey]);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toMatch(/manifest signature is invalid/);
    const other = await run(runVerifyExportCommand, [
      file,
      '--public-key',
      auditSigner(generateAuditKey())!.publicKey,
    ]);
    expect(other.stdout).toMatch(/signed by a different key than the one given/);
  });

  it('exports a filtered range, checks each entry and the signature; and exports checkpoints for a witness', async () => {
    const file = join(dir, 'range.csv');
    await run(runExportCommand, ['--database-url', t.url, '--format', 'csv', '--out', file, '--q', 'spam']);
    const checked = await run(runVerifyExportCommand, [file, '--public-key', publicKey]);
    expect(checked.code).toBe(0);
    // Entries 7, 14, … 35 of the first 40, and the 7th of the next 12 (seq 48) carry the "spam" reason.
    expect(checked.stdout).toMatch(/: 6 csv entries \(entries 7–48, filtered\)/);

    const witness = join(dir, 'checkpoints.jsonl');
    expect(
      (await run(runExportCommand, ['--database-url', t.url, '--checkpoints', '--out', witness])).code,
    ).toBe(0);
    const verify = await run(runVerifyCommand, ['--database-url', t.url, '--checkpoints', witness]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/checked against 1 signed checkpoint/);
  });

  it('writes a display name that looks like a formula as inert text, and the export still verifies', async () => {
    const formula = '=HYPERLINK("http://x","y")';
    await t.db.transaction((tx) =>
      emitAudit(
        tx,
        { actor: { ...auditActor, label: formula } },
        {
          action: 'comment.closed',
          schoolId: null,
          subject: { type: 'comment', id: 'c-formula', label: '@cmd|calc on X' },
          details: { reason: '+1 answered' },
        },
      ),
    );
    const file = join(dir, 'formula.csv');
    expect(
      (await run(runExportCommand, ['--database-url', t.url, '--format', 'csv', '--out', file])).code,
    ).toBe(0);
    const text = await readFile(file, 'utf8');
    const line = text.split('\n').find((l) => l.includes('c-formula'))!;
    // Every cell that began with = or @ now begins with an apostrophe: a spreadsheet shows it, runs nothing.
    expect(line).toContain(`,"'=HYPERLINK(""http://x"",""y"")",`);
    expect(line).toContain(`,"'@cmd|calc on X",`);
    expect(line).not.toMatch(/(^|,)"?[=+\-@]/);
    const checked = await run(runVerifyExportCommand, [file, '--public-key', publicKey]);
    expect(checked.stdout).toMatch(/^intact: /);
    expect(checked.code).toBe(0);

    // Still caught: the defused name edited (its hash), or the apostrophe taken out so that it
    // runs again (the value reads back the same, but the file's bytes no longer match the manifest).
    await writeFile(
      file,
      text.replace(`"'=HYPERLINK(""http://x"",""y"")"`, `"'=HYPERLINK(""http://evil"",""y"")"`),
    );
    const edited = await run(runVerifyExportCommand, [file, '--public-key', publicKey]);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/^FAILED: .*entry content does not match its hash/);
    await writeFile(file, text.replace(`"'=HYPERLINK(""http://x""`, `"=HYPERLINK(""http://x""`));
    const armed = await run(runVerifyExportCommand, [file, '--public-key', publicKey]);
    expect(armed.code).toBe(1);
    expect(armed.stdout).toMatch(/does not match the manifest's SHA-256/);
  });

  it('explains its usage', async () => {
    expect((await run(runVerifyExportCommand, [])).code).toBe(2);
    expect((await run(runVerifyCommand, ['--from', 'x'])).stderr).toMatch(/--from must be a whole number/);
  });
});

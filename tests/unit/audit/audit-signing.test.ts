import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../config/load-config.js';
import { auditSigner, checkpointProblem, signCheckpoint } from '../../../services/audit/audit-signing.js';

const base = {
  SESSION_SECRET: randomBytes(32).toString('base64'),
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

describe('AUDIT_SIGNING_KEY', () => {
  it('is optional', () => {
    expect(loadConfig(base).auditSigningKey).toBeUndefined();
  });

  it('takes a key made by the documented openssl command, or a 32-byte seed', () => {
    const pkcs8 = execFileSync('sh', ['-c', 'openssl genpkey -algorithm ed25519 -outform DER | base64'])
      .toString()
      .trim();
    expect(loadConfig({ ...base, AUDIT_SIGNING_KEY: pkcs8 }).auditSigningKey).toBe(pkcs8);
    const seed = randomBytes(32).toString('base64');
    const signer = auditSigner(loadConfig({ ...base, AUDIT_SIGNING_KEY: seed }).auditSigningKey);
    expect(Buffer.from(signer!.publicKey, 'base64')).toHaveLength(32);
  });

  it('refuses anything else, naming the variable and how to make one', () => {
    expect(() => loadConfig({ ...base, AUDIT_SIGNING_KEY: randomBytes(16).toString('base64') })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ ...base, AUDIT_SIGNING_KEY: 'not a key' })).toThrow(
      /AUDIT_SIGNING_KEY must be an Ed25519 private key.*openssl genpkey -algorithm ed25519/,
    );
  });
});

describe('checkpoint signatures', () => {
  const signer = auditSigner(randomBytes(32).toString('base64'))!;
  const checkpoint = signCheckpoint(
    signer,
    { seq: 42, headHash: 'a'.repeat(64) },
    new Date('2026-11-20T00:05:00Z'),
  );

  it('accepts a checkpoint signed with the trusted key', () => {
    expect(checkpointProblem(checkpoint, [signer.publicKey])).toBeNull();
  });

  it('rejects a checkpoint whose hash, sequence number or time was changed after signing', () => {
    expect(checkpointProblem({ ...checkpoint, headHash: 'b'.repeat(64) })).toMatch(/invalid signature/);
    expect(checkpointProblem({ ...checkpoint, seq: 43 })).toMatch(/invalid signature/);
    expect(checkpointProblem({ ...checkpoint, signedAt: '2026-11-21T00:05:00.000Z' })).toMatch(
      /invalid signature/,
    );
    expect(checkpointProblem({ ...checkpoint, signature: 'AAAA' })).toMatch(/invalid signature/);
  });

  it('rejects a validly signed checkpoint from a key that is not trusted', () => {
    const other = auditSigner(randomBytes(32).toString('base64'))!;
    const forged = signCheckpoint(other, { seq: 42, headHash: 'a'.repeat(64) }, new Date());
    expect(checkpointProblem(forged)).toBeNull();
    expect(checkpointProblem(forged, [signer.publicKey])).toMatch(/unknown key.*forged/);
  });
});

import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { ed25519PrivateKeyFromBase64 } from '../../config/env-schema.js';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface AuditSigner {
  privateKey: KeyObject;
  /** The raw 32-byte Ed25519 public key, base64: what checkpoints and manifests name. */
  publicKey: string;
}

/** The signer for the configured AUDIT_SIGNING_KEY, or null when none is configured. */
export function auditSigner(signingKey: string | undefined): AuditSigner | null {
  if (!signingKey) return null;
  const privateKey = ed25519PrivateKeyFromBase64(signingKey);
  if (!privateKey) throw new Error('AUDIT_SIGNING_KEY is not an Ed25519 private key');
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: spki.subarray(SPKI_PREFIX.length).toString('base64') };
}

function publicKeyObject(publicKey: string): KeyObject | null {
  const raw = Buffer.from(publicKey, 'base64');
  if (raw.length !== 32) return null;
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

export function signBytes(signer: AuditSigner, message: string): string {
  return sign(null, Buffer.from(message, 'utf8'), signer.privateKey).toString('base64');
}

export function verifyBytes(publicKey: string, message: string, signature: string): boolean {
  const key = publicKeyObject(publicKey);
  if (!key) return false;
  try {
    return verify(null, Buffer.from(message, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** A signed statement: "the chain's entry `seq` has hash `headHash`", as stored and exported. */
export interface Checkpoint {
  seq: number;
  headHash: string;
  signedAt: string;
  publicKey: string;
  signature: string;
}

/** A stored checkpoint row (or anything with its fields) as the Checkpoint that is verified and exported. */
export function toCheckpoint(row: Checkpoint): Checkpoint {
  return {
    seq: row.seq,
    headHash: row.headHash,
    signedAt: row.signedAt,
    publicKey: row.publicKey,
    signature: row.signature,
  };
}

/** The exact bytes a checkpoint signature covers. */
export function checkpointMessage(c: Pick<Checkpoint, 'seq' | 'headHash' | 'signedAt'>): string {
  return `hallmonitor-audit-checkpoint/v1\n${c.seq}\n${c.headHash}\n${c.signedAt}`;
}

export function signCheckpoint(
  signer: AuditSigner,
  head: { seq: number; headHash: string },
  signedAt: Date,
): Checkpoint {
  const body = { seq: head.seq, headHash: head.headHash, signedAt: signedAt.toISOString() };
  return { ...body, publicKey: signer.publicKey, signature: signBytes(signer, checkpointMessage(body)) };
}

/**
 * Why a checkpoint cannot be trusted, or null when it can: its signature must verify, and when
 * `trustedKeys` is given its key must be one of them (a checkpoint signed with some other key is
 * a forgery even if its signature is valid).
 */
export function checkpointProblem(c: Checkpoint, trustedKeys?: readonly string[]): string | null {
  if (trustedKeys && !trustedKeys.includes(c.publicKey)) {
    return `checkpoint of ${c.signedAt} is signed by an unknown key (${c.publicKey.slice(0, 12)}…): forged`;
  }
  if (!verifyBytes(c.publicKey, checkpointMessage(c), c.signature)) {
    return `checkpoint of ${c.signedAt} has an invalid signature: forged or altered`;
  }
  return null;
}

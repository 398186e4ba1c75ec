import { createHash, randomBytes } from 'node:crypto';

// The identifiers of the AT Protocol as a PDS makes them, so that @atproto/api's lexicon checks
// accept the sandbox's answers: DIDs, TID record keys, CIDv1 (dag-cbor, sha-256) strings and
// JWT-shaped session tokens.

const SORTABLE = '234567abcdefghijklmnopqrstuvwxyz';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** a did:plc, 24 base32 characters derived from the seed */
export function plcDid(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  return `did:plc:${base32(digest).slice(0, 24)}`;
}

/** A TID: microseconds since the epoch and a clock id, 13 characters that sort by time. */
export function tid(micros: number, clockId: number): string {
  let value = (BigInt(Math.floor(micros)) << 10n) | BigInt(clockId & 0x3ff);
  let out = '';
  for (let i = 0; i < 13; i += 1) {
    out = SORTABLE[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

/** a CIDv1 string (multibase b, dag-cbor, sha2-256) of the content */
export function cidOf(content: string): string {
  const digest = createHash('sha256').update(content).digest();
  const bytes = Buffer.concat([Buffer.from([0x01, 0x71, 0x12, 0x20]), digest]);
  return `b${base32(bytes)}`;
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** a session token shaped as a PDS issues it (an HS256 JWT); the sandbox only looks it up */
export function sessionJwt(scope: string, did: string, expiresAtSeconds: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ typ: scope === 'com.atproto.refresh' ? 'refresh+jwt' : 'at+jwt', alg: 'HS256' });
  const payload = part({
    scope,
    sub: did,
    iat: Math.floor(expiresAtSeconds - 1),
    exp: expiresAtSeconds,
    jti: randomBytes(16).toString('base64url'),
  });
  return `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
}

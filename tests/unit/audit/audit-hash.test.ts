import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalEntry,
  canonicalEntryReference,
  entryTemplate,
  fillTemplate,
  GENESIS_HASH,
  type HashedAuditFields,
  hashEntry,
} from '../../../services/audit/audit-hash.js';
import { canonicalJson, jsonSafe } from '../../../services/audit/canonical-json.js';

const nullable = (arb: fc.Arbitrary<string>) => fc.option(arb, { nil: null });
const entry: fc.Arbitrary<HashedAuditFields> = fc.record({
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  at: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
  actorType: fc.constantFrom('user' as const, 'system' as const),
  actorId: nullable(fc.string()),
  actorLabel: fc.string(),
  schoolId: nullable(fc.uuid()),
  action: fc.string(),
  subjectType: fc.string(),
  subjectId: nullable(fc.string()),
  subjectLabel: fc.string({ unit: 'grapheme' }),
  details: fc.jsonValue().map((v) => jsonSafe({ v }) as Record<string, unknown>),
  personalDataHash: nullable(fc.stringMatching(/^[0-9a-f]{64}$/)),
  requestId: nullable(fc.string()),
  prevHash: fc.stringMatching(/^[0-9a-f]{64}$/),
});

/** The first, plain implementation of the canonical encoding: the fast one must match it. */
const plainCanonical = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => plainCanonical(v)).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .filter((k) => record[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${plainCanonical(record[k])}`)
    .join(',')}}`;
};

describe('audit entry hashing', () => {
  it('encodes JSON with keys sorted at every depth, and nothing else changed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(v)).toBe(plainCanonical(v));
      }),
      { numRuns: 2_000 },
    );
  });

  it('encodes every entry byte for byte as the generic canonical JSON does', () => {
    fc.assert(
      fc.property(entry, (e) => {
        expect(canonicalEntry(e)).toBe(canonicalEntryReference(e));
      }),
      { numRuns: 2_000 },
    );
  });

  it('hashes as SHA-256 of the previous hash, a newline and the canonical entry (stored chains stay valid)', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const expected = createHash('sha256')
          .update(e.prevHash)
          .update('\n')
          .update(canonicalEntryReference(e))
          .digest('hex');
        expect(hashEntry(e)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a known entry at a known hash', () => {
    const e: HashedAuditFields = {
      seq: 1,
      at: new Date('2026-01-05T09:30:00.000Z'),
      actorType: 'user',
      actorId: '7d1f3c0e-0000-4000-8000-000000000001',
      actorLabel: 'Ms Okafor (comms)',
      schoolId: null,
      action: 'comment.responded',
      subjectType: 'comment',
      subjectId: 'c-1',
      subjectLabel: 'Comment 1',
      details: { n: 1, note: 'acknowledged by phone' },
      personalDataHash: null,
      requestId: null,
      prevHash: GENESIS_HASH,
    };
    expect(canonicalEntry(e)).toBe(
      '{"action":"comment.responded","actorId":"7d1f3c0e-0000-4000-8000-000000000001","actorLabel":"Ms Okafor (comms)","actorType":"user","at":"2026-01-05T09:30:00.000Z","details":{"n":1,"note":"acknowledged by phone"},"personalDataHash":null,"prevHash":"0000000000000000000000000000000000000000000000000000000000000000","requestId":null,"schoolId":null,"seq":1,"subjectId":"c-1","subjectLabel":"Comment 1","subjectType":"comment"}',
    );
    expect(hashEntry(e)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('makes strings storable in jsonb: NUL and lone surrogates replaced, pairs and everything else kept', () => {
    expect(jsonSafe({ a: 'x\u0000y', b: '\uD800z', c: 'z\uDC00', d: '\uD83D\uDE00 ok', e: 'plain' })).toEqual(
      {
        a: 'x\uFFFDy',
        b: '\uFFFDz',
        c: 'z\uFFFD',
        d: '\uD83D\uDE00 ok',
        e: 'plain',
      },
    );
    const slow = (s: string) =>
      s
        .replaceAll('\u0000', '\uFFFD')
        .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(jsonSafe(s)).toBe(slow(s));
        expect(() => JSON.parse(JSON.stringify(jsonSafe(s)))).not.toThrow();
      }),
      { numRuns: 2_000 },
    );
  });

  it('fills a template built before the head is known to exactly the reference encoding', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const { seq, prevHash, ...rest } = e;
        expect(fillTemplate(entryTemplate(rest), seq, prevHash)).toBe(canonicalEntryReference(e));
      }),
      { numRuns: 1_000 },
    );
  });
});

import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, auditPersonalData } from '../../db/schema/index.js';
import { emitAudit } from '../../services/audit/emit-audit.js';
import { verifyAudit } from '../../services/audit/verify-audit.js';
import type { Actor } from '../../services/core/actor.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let t: TestDatabase;
const actor: Actor = { type: 'user', id: '7d1f3c0e-0000-4000-8000-000000000001', label: 'Ms Okafor (comms)' };

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const entry = (n: number) => ({
  action: 'comment.responded' as const,
  schoolId: null,
  subject: { type: 'comment', id: `c-${n}`, label: `Comment ${n}` },
  details: { n, note: 'acknowledged by phone' },
});

async function withTriggerDisabled(run: string) {
  // Only a superuser (here, the test's postgres role) can do this: it is the attack verify exists for.
  await t.db.$client.query(
    `begin; alter table audit_entries disable trigger user; ${run}; alter table audit_entries enable trigger user; commit;`,
  );
}

describe('audit chain', () => {
  it('stays one unbroken chain when 10 transactions write 1,000 entries concurrently', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, worker) =>
        (async () => {
          for (let i = 0; i < 20; i++) {
            await t.db.transaction(async (tx) => {
              await emitAudit(
                tx,
                { actor },
                Array.from({ length: 5 }, (_, k) => entry(worker * 1000 + i * 10 + k)),
              );
            });
          }
        })(),
      ),
    );
    const [{ n }] = (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_entries`))
      .rows as [{ n: number }];
    expect(n).toBe(1000);
    const result = await verifyAudit(t.db, { batchSize: 137 });
    expect(result).toMatchObject({ intact: true, from: 1, to: 1000, count: 1000 });
  });

  it('hashes hostile text in Postgres exactly as verify does in Node', async () => {
    const hostile = [
      'emoji 😀 and café',
      'NUL\u0000inside',
      'lone \uD800 high and \uDC00 low',
      'quotes " and \\ backslash and \n newline\ttab',
      '<script>alert(1)</script>',
      '\u202Eright-to-left',
      'ｆｕｌｌ-width',
    ];
    await t.db.transaction((tx) =>
      emitAudit(
        tx,
        { actor: { type: 'user', id: `${actor.id}\u0000\uD800`, label: hostile.join(' | ') } },
        hostile.map((text, i) => ({
          action: 'comment.responded' as const,
          // An upper-case uuid is stored lower-case; the hash must cover what is stored.
          schoolId: i === 0 ? '7D1F3C0E-0000-4000-8000-00000000000A' : null,
          subject: { type: 'comment', id: `hostile-${i}-${text}`, label: text },
          details: { text, nested: { [text]: [text, i, null, true, 1.5] } },
          personal: { text },
        })),
      ),
    );
    expect(await verifyAudit(t.db)).toMatchObject({ intact: true });
  });

  it('leaves no entry behind when the transaction rolls back', async () => {
    const before = await verifyAudit(t.db);
    await expect(
      t.db.transaction(async (tx) => {
        await emitAudit(tx, { actor }, entry(99_999));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const rows = await t.db.select().from(auditEntries).where(eq(auditEntries.subjectId, 'c-99999'));
    expect(rows).toHaveLength(0);
    expect(await verifyAudit(t.db)).toEqual(before);
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(
      t.db.$client.query(`update audit_entries set actor_label = 'someone else' where seq = 1`),
    ).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(t.db.$client.query('delete from audit_entries where seq = 1')).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    await expect(t.db.$client.query('truncate audit_entries')).rejects.toThrow(
      /append-only: TRUNCATE refused/,
    );
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });

  it('keeps personal data beside the chain, verifiable until it is redacted', async () => {
    await t.db.transaction((tx) =>
      emitAudit(
        tx,
        { actor },
        { ...entry(987_654), personal: { authorHandle: '@a_parent', text: 'Thank you!' } },
      ),
    );
    const [written] = await t.db
      .select({ seq: auditEntries.seq })
      .from(auditEntries)
      .where(eq(auditEntries.subjectId, 'c-987654'));
    expect((await verifyAudit(t.db)).intact).toBe(true);
    await t.db.execute(
      sql`update audit_personal_data set content = '{"authorHandle":"@someone_else"}' where seq = ${written!.seq}`,
    );
    expect(await verifyAudit(t.db)).toMatchObject({
      intact: false,
      seq: written!.seq,
      reason: 'personal data does not match its hash',
    });
    await t.db
      .update(auditPersonalData)
      .set({ content: null, redactedAt: new Date(), redactionReason: 'retention policy' })
      .where(eq(auditPersonalData.seq, written!.seq));
    // Redacted, but nothing records a redaction of that comment: blanked by hand.
    expect(await verifyAudit(t.db)).toMatchObject({
      intact: false,
      seq: written!.seq,
      reason: expect.stringMatching(/no comment\.redacted entry records a redaction of comment c-987654/),
    });
    // The redaction path records it after the entry: then the redacted record verifies.
    await t.db.transaction((tx) =>
      emitAudit(
        tx,
        { actor },
        {
          action: 'comment.redacted',
          schoolId: null,
          subject: { type: 'comment', id: 'c-987654', label: 'Comment 987654' },
          details: { reason: 'retention policy', kind: 'retention', personalRecordsRedacted: 1 },
        },
      ),
    );
    expect((await verifyAudit(t.db)).intact).toBe(true);
  });

  it('reports an entry altered behind the trigger at its sequence number', async () => {
    await withTriggerDisabled(
      `update audit_entries set details = '{"n": 1, "note": "never happened"}' where seq = 321`,
    );
    expect(await verifyAudit(t.db)).toMatchObject({
      intact: false,
      seq: 321,
      reason: 'entry content does not match its hash',
      checked: 320,
    });
    expect(await verifyAudit(t.db, { from: 400 })).toMatchObject({ intact: true, from: 400 });
  });
});

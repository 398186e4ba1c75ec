import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { hashEntry } from '../../services/audit/audit-hash.js';
import { emitAudit } from '../../services/audit/emit-audit.js';
import { readChainRange } from '../../services/audit/read-chain.js';
import type { Actor } from '../../services/core/actor.js';

/** A fresh Ed25519 key as AUDIT_SIGNING_KEY takes it (base64 PKCS8 DER). */
export function generateAuditKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
}

export const auditActor: Actor = {
  type: 'user',
  id: '7d1f3c0e-0000-4000-8000-000000000001',
  label: 'Ms Okafor (comms)',
};

/** `count` entries, five per transaction, every other one with personal data beside it. */
export async function seedAuditEntries(db: Database, count: number, schoolId: string | null = null) {
  for (let i = 0; i < count; i += 5) {
    await db.transaction((tx) =>
      emitAudit(
        tx,
        { actor: auditActor },
        Array.from({ length: Math.min(5, count - i) }, (_, k) => {
          const n = i + k + 1;
          return {
            action: 'comment.closed' as const,
            schoolId,
            subject: { type: 'comment', id: `c-${n}`, label: `Comment ${n} on @school on X` },
            details: {
              n,
              reason: n % 7 === 0 ? 'spam, "quoted", with, commas\nand a newline' : 'answered by phone',
            },
            ...(n % 2 === 0 ? { personal: { authorHandle: `@parent_${n}`, text: `Comment text ${n}` } } : {}),
          };
        }),
      ),
    );
  }
}

/** Runs SQL with the append-only trigger off: only the database owner can, which is the attack. */
export async function behindTheTrigger(db: Database, statements: string): Promise<void> {
  await db.$client.query(
    `begin; alter table audit_entries disable trigger user; ${statements}; alter table audit_entries enable trigger user; commit;`,
  );
}

/**
 * The strongest attack on the table alone: alter entry `seq`, then recompute every hash after it
 * and the head, so the chain is consistent again. Only a checkpoint signed before can tell.
 */
export async function rewriteChainFrom(db: Database, seq: number, details: Record<string, unknown>) {
  const [{ head }] = (await db.execute<{ head: string }>(sql`select seq::text as head from audit_head`))
    .rows as [{ head: string }];
  const entries = await readChainRange(db, seq, Number(head));
  const [before] = await readChainRange(db, seq - 1, seq - 1);
  let prevHash = before!.hash;
  const updates: string[] = [];
  for (const e of entries) {
    const changed = { ...e, details: e.seq === seq ? details : e.details, prevHash };
    const hash = hashEntry(changed);
    updates.push(
      `update audit_entries set details = '${JSON.stringify(changed.details).replaceAll("'", "''")}'::jsonb, prev_hash = '${prevHash}', hash = '${hash}' where seq = ${e.seq}`,
    );
    prevHash = hash;
  }
  updates.push(`update audit_head set hash = '${prevHash}' where id = 1`);
  await behindTheTrigger(db, updates.join('; '));
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../../services/audit/audit-actions.js';

const ROOT = join(import.meta.dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const files = [...sourceFiles(join(ROOT, 'services')), ...sourceFiles(join(ROOT, 'workers'))].map((path) => ({
  path: relative(ROOT, path),
  text: readFileSync(path, 'utf8'),
}));

/**
 * Actions in the union that nothing emits yet. Each is a promise the product makes (the issue's
 * list of what must be audited) whose feature has not landed; the test fails when one gains an
 * emitter, so the list only ever shrinks.
 */
// Every typed action has an emitter today. An action may be listed here only while its verb is
// being built; the test fails if a listed action gains an emitter, so the list can only shrink.
const NOT_YET_EMITTED = new Set<string>([]);

describe('audit completeness', () => {
  // Files that write entries: they call emitAudit or build its input.
  const emitting = files.filter(
    (f) => !f.path.endsWith('audit-actions.ts') && /emitAudit|AuditEntryInput|AuditAction\b/.test(f.text),
  );

  it('has an emitter for every action in the typed union', () => {
    const missing = Object.keys(AUDIT_ACTIONS).filter(
      (action) => !NOT_YET_EMITTED.has(action) && !emitting.some((f) => f.text.includes(`'${action}'`)),
    );
    expect(missing, 'actions no verb writes: emit them, or list them (with why) in NOT_YET_EMITTED').toEqual(
      [],
    );
  });

  it('keeps the not-yet-emitted list honest', () => {
    const nowEmitted = [...NOT_YET_EMITTED].filter((action) =>
      emitting.some((f) => f.text.includes(`'${action}'`)),
    );
    expect(nowEmitted, 'these now have an emitter: remove them from NOT_YET_EMITTED').toEqual([]);
    for (const action of NOT_YET_EMITTED) expect(Object.hasOwn(AUDIT_ACTIONS, action), action).toBe(true);
  });
});

/**
 * Top-level functions of services/ and workers/ (declarations and arrow consts), by name, with
 * their bodies: up to the next line that closes at column 0.
 */
function topLevelFunctions(): { name: string; path: string; exported: boolean; body: string }[] {
  const out: { name: string; path: string; exported: boolean; body: string }[] = [];
  const start =
    /^(export )?(?:async )?function\*? (\w+)|^(export )?const (\w+)(?::[^=]+)? = (?:async )?(?:\(|\w+ =>)/gm;
  for (const f of files) {
    for (const m of f.text.matchAll(start)) {
      const from = m.index ?? 0;
      const end = f.text.slice(from).search(/\n\}[;)]*\n/);
      out.push({
        name: (m[2] ?? m[4])!,
        path: f.path,
        exported: !!(m[1] ?? m[3]),
        body: f.text.slice(from, end === -1 ? undefined : from + end + 3),
      });
    }
  }
  return out;
}

/**
 * Verbs that open a transaction yet write no audit entry, with why. Anything else that writes in
 * a transaction must reach emitAudit, itself or through a function it calls.
 */
const WRITES_WITHOUT_AUDIT: Record<string, string> = {
  withTransaction: 'the transaction helper itself',
  recordAfterExternalCall:
    'withTransaction with retries on a lost connection; its callers emit in the callback',
  processComment:
    'runs the processing steps (classify, deadline, route), each of which emits its own entries through the step objects it is given (deadline-step, routing-step)',
  sendReviewReminders: 'only writes notifications; the review itself is audited by reviewAccount',
  getCommentDetail: 'a read-only, repeatable-read transaction for one snapshot of the page; writes nothing',
};

describe('every state-changing verb writes an audit entry', () => {
  it('finds no exported verb that writes in a transaction and never reaches emitAudit', () => {
    const fns = topLevelFunctions();
    const byName = new Map<string, string[]>();
    for (const fn of fns) byName.set(fn.name, [...(byName.get(fn.name) ?? []), fn.body]);
    // A function audits if its body calls emitAudit, or calls (by name) a function that audits.
    const audits = new Set<string>(['emitAudit']);
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, bodies] of byName) {
        if (audits.has(name)) continue;
        const calls = bodies.some((body) =>
          [...audits].some((a) => new RegExp(`\\b${a}\\s*\\(`).test(body.slice(body.indexOf('{')))),
        );
        if (calls) {
          audits.add(name);
          changed = true;
        }
      }
    }
    const offenders = fns
      .filter((fn) => fn.exported && /withTransaction\(|\.transaction\(/.test(fn.body))
      .filter((fn) => !audits.has(fn.name) && !Object.hasOwn(WRITES_WITHOUT_AUDIT, fn.name))
      .map((fn) => `${fn.path}: ${fn.name}`);
    expect(offenders, 'verbs that change state but write no audit entry').toEqual([]);
  });

  it('finds the verbs it is meant to find (the scan is not vacuous)', () => {
    const names = topLevelFunctions()
      .filter((fn) => fn.exported && /withTransaction\(/.test(fn.body))
      .map((fn) => fn.name);
    expect(names).toEqual(expect.arrayContaining(['eraseSubject', 'applyRetention', 'createCheckpoint']));
    expect(names.length).toBeGreaterThan(20);
  });
});

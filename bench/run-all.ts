import { benchAuditVerify } from './audit-verify.js';
import type { BenchRow } from './bench-result.js';
import { benchClassifier } from './classifier.js';
import { benchDeadlineSweep } from './deadline-sweep.js';
import { benchInbox } from './inbox.js';
import { benchIngest } from './ingest.js';
import { benchMetaWebhook } from './meta-webhook.js';
import { benchPollCost } from './poll-cost.js';

/**
 * `npm run bench`: every benchmark, each printing its figures as it finishes, then one summary
 * table (figure, baseline, target, met/missed). BENCH_ONLY=classifier,ingest,sweep,inbox,audit,meta,polls
 * runs a subset. A benchmark is a function returning rows (BenchRow); the table reads only those
 * fields, so a new benchmark needs only an entry here.
 */
const benches: Record<string, () => Promise<BenchRow[]>> = {
  classifier: benchClassifier,
  ingest: benchIngest,
  sweep: benchDeadlineSweep,
  inbox: benchInbox,
  audit: benchAuditVerify,
  meta: benchMetaWebhook,
  polls: benchPollCost,
};

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !Object.hasOwn(benches, name)) ?? [];
if (unknown.length) {
  process.stderr.write(
    `Unknown benchmark(s) ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}\n`,
  );
  process.exit(2);
}

const describeFigures = (r: BenchRow) =>
  Object.entries(r.figures)
    .map(([k, v]) => `${k}=${v}`)
    .join('  ');

const all: BenchRow[] = [];
for (const [name, run] of Object.entries(benches)) {
  if (only && !only.includes(name)) continue;
  process.stdout.write(`\n== ${name}\n`);
  try {
    const results = await run();
    for (const r of results) process.stdout.write(`${r.name}: ${describeFigures(r)}\n`);
    all.push(...results);
  } catch (error) {
    process.stdout.write(`${name} failed: ${(error as Error).message}\n`);
    all.push({ name, figures: {}, figure: `failed: ${(error as Error).message}`, pass: false });
  }
}

const rows = all.map((r) => [
  r.name,
  r.figure ?? describeFigures(r),
  r.baseline ?? '',
  r.target ?? '',
  r.pass === undefined ? '' : r.pass ? 'met' : 'MISSED',
]);
const header = ['benchmark', 'figure', 'baseline', 'target', 'result'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
process.stdout.write('\n== summary\n');
for (const [i, row] of [header, ...rows].entries()) {
  process.stdout.write(`${row.map((cell, j) => cell.padEnd(widths[j]!)).join(' | ')}\n`);
  if (i === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
}
process.exit(0);

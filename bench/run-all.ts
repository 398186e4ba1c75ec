import type { BenchResult } from './classifier.js';
import { benchClassifier } from './classifier.js';
import { benchIngest } from './ingest.js';

/**
 * `npm run bench`: every benchmark, each printing its figures as it finishes, then one summary
 * table. BENCH_ONLY=classifier,ingest runs a subset.
 */
const benches: Record<string, () => Promise<BenchResult[]>> = {
  classifier: benchClassifier,
  ingest: benchIngest,
};

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const all: BenchResult[] = [];
for (const [name, run] of Object.entries(benches)) {
  if (only && !only.includes(name)) continue;
  process.stdout.write(`\n== ${name}\n`);
  try {
    const results = await run();
    for (const r of results) {
      process.stdout.write(
        `${r.name}: ${Object.entries(r.figures)
          .map(([k, v]) => `${k}=${v}`)
          .join('  ')}\n`,
      );
    }
    all.push(...results);
  } catch (error) {
    process.stdout.write(`${name} failed: ${(error as Error).message}\n`);
    all.push({ name, figures: { error: (error as Error).message }, pass: false });
  }
}

const rows = all.map((r) => [
  r.name,
  Object.entries(r.figures)
    .map(([k, v]) => `${k}=${v}`)
    .join('  '),
  r.target ?? '',
  r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS',
]);
const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length), 6));
process.stdout.write('\n== summary\n');
for (const row of [['benchmark', 'figures', 'target', 'result'], ...rows]) {
  process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')}\n`);
}
process.exit(0);

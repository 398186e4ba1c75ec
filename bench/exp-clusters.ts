import { readdirSync, readFileSync } from 'node:fs';
import { createClassifier } from '../services/classification/create-classifier.js';
import { MODEL_OPERATING_POINTS } from '../services/classification/operating-points.js';
import { LinearModel } from '../services/classification/linear-model.js';
import { DEFAULT_TRAINING, type TrainingRow, trainModel } from '../services/classification/train-classifier.js';
import { loadRoster, loadSplit } from '../tests/unit/classification/eval-set.js';
import { accuracy, printTable } from './classifier.js';

// EXPERIMENT: CLUSTERS=/tmp/emb/clusters-60000-1000.json EXTRA=a.jsonl,b.jsonl SPLITS=dev,dev2
const read = (p: string): TrainingRow[] =>
  readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const same = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').trim();
const held = new Set(
  ['dev', 'dev2', 'test', ...(process.env.HELD ?? '').split(',').filter(Boolean)].flatMap((s) =>
    (s.endsWith('.jsonl') ? read(s) : read(`tests/fixtures/classification/${s}.jsonl`)).map((r) => same(r.text)),
  ),
);
const files = [
  ...readdirSync('config/classifier/corpus').filter((f) => f.endsWith('.jsonl')).sort().map((f) => `config/classifier/corpus/${f}`),
  'tests/fixtures/classification-eval.jsonl',
  ...(process.env.EXTRA ?? '').split(',').filter(Boolean),
];
const seen = new Set<string>();
const rows: TrainingRow[] = [];
for (const f of files)
  for (const r of read(f)) {
    const k = same(r.text);
    if (held.has(k) || seen.has(k)) continue;
    seen.add(k);
    rows.push({ text: r.text, expect: r.expect });
  }
for (const [c, v] of Object.entries(JSON.parse(process.env.POINTS ?? '{}'))) Object.assign((MODEL_OPERATING_POINTS as any)[c], v);
const options = { ...DEFAULT_TRAINING, ...JSON.parse(process.env.OPTS ?? '{}') };
const file = trainModel(rows, options, {});
const model = new LinearModel(file, 'exp');
process.stdout.write(`rows ${rows.length}\n`);
const classifier = createClassifier({ roster: loadRoster(), model });
for (const split of (process.env.SPLITS ?? 'dev,dev2').split(',')) {
  const data = split.endsWith('.jsonl') ? (read(split) as never) : loadSplit(split as 'dev');
  printTable(accuracy(split, data, classifier).filter((r) => /offensive|safeguarding|hard neg|found \(all/.test(r.name)));
}
if (process.env.SOURCES) {
  const rowsS = loadSplit(process.env.SOURCES as 'dev');
  const fp: Record<string, number> = {};
  const missP: number[] = [];
  for (const r of rowsS) {
    const labels = classifier.classify(r.text).labels;
    if (r.kind === 'hard_negative')
      for (const l of labels) if (!r.expect.includes(l.category)) { const k = `${l.category} ${l.source.replace(/@.*/, '').replace(/\/.*/, '')}`; fp[k] = (fp[k] ?? 0) + 1; }
    for (const e of r.expect) if ((e === 'offensive' || e === 'safeguarding') && !labels.some((l) => l.category === e)) { const k = `miss ${e} ${r.kind}`; fp[k] = (fp[k] ?? 0) + 1; }
  }
  console.log(fp);
}

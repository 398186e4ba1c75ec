import { fileURLToPath } from 'node:url';
import { createClassifier } from '../services/classification/create-classifier.js';
import { shippedModel } from '../services/classification/linear-model.js';
import type { Classifier } from '../services/classification/types.js';
import {
  ATTACK_FAMILIES,
  CATEGORIES,
  type EvalRow,
  type LabelledRow,
  loadAttackSet,
  loadEvalSet,
  loadRoster,
  loadSplit,
  SAFEGUARDING_KINDS,
  TUNING_SPLITS,
} from '../tests/unit/classification/eval-set.js';
import type { BenchRow } from './bench-result.js';

const COMMENT_LENGTH = 200;
// Issue #20: the classifier with its learned model and structure rules keeps ≥ 10,000 comments/s.
const THROUGHPUT_TARGET = 10_000;
// The floor asserted on the test split (tests/unit/classification/test-split-floors.test.ts).
const HARD_NEGATIVE_TARGET = 0.03;

/** Realistic ~200-character comments: eval sentences joined until they reach the length. */
function realisticComments(rows: EvalRow[], count: number): string[] {
  const comments: string[] = [];
  let i = 0;
  while (comments.length < count) {
    let text = '';
    while (text.length < COMMENT_LENGTH) {
      text += `${rows[i % rows.length]!.text} `;
      i += 7;
    }
    comments.push(text.slice(0, COMMENT_LENGTH));
  }
  return comments;
}

export async function benchClassifier(): Promise<BenchRow[]> {
  const rows = loadEvalSet();
  const classifier = createClassifier({ roster: loadRoster() });
  const comments = realisticComments(rows, 5_000);

  // Warm up so the figures are for optimised code, as in a long-running worker.
  for (let round = 0; round < 3; round++) for (const c of comments) classifier.classify(c);

  // Seven timed blocks of two rounds each, the median reported: on a shared machine one long run
  // swings by half between runs (other tenants, frequency changes); the median of seven does not.
  let labels = 0;
  const blocks = 7;
  const rounds = 2;
  const cpuRates: number[] = [];
  const wallRates: number[] = [];
  for (let block = 0; block < blocks; block++) {
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    for (let round = 0; round < rounds; round++)
      for (const c of comments) labels += classifier.classify(c).labels.length;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    wallRates.push((comments.length * rounds) / seconds);
    // CPU time of this single-threaded loop: on a shared machine wall time also counts the
    // time other processes held the core, which says nothing about the classifier.
    cpuRates.push((comments.length * rounds) / ((cpu.user + cpu.system) / 1e6));
  }
  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
  const perCpuSecond = median(cpuRates);
  const perSecond = median(wallRates);

  const samples = new Float64Array(comments.length);
  for (let i = 0; i < comments.length; i++) {
    const t0 = process.hrtime.bigint();
    classifier.classify(comments[i]!);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  samples.sort();
  const p50 = samples[Math.floor(samples.length * 0.5)]!;
  const p99 = samples[Math.floor(samples.length * 0.99)]!;

  const results: BenchRow[] = [
    {
      name: 'classifier throughput (1 core, 200-char comments)',
      figures: {
        'comments/s (cpu time, median of 7)': perCpuSecond,
        'comments/s (wall, median of 7)': perSecond,
        'cpu range': `${Math.round(Math.min(...cpuRates))}-${Math.round(Math.max(...cpuRates))}`,
        'p50 µs': Number(p50.toFixed(1)),
        'p99 µs': Number(p99.toFixed(1)),
        'labels/comment': Number((labels / (comments.length * rounds * blocks)).toFixed(2)),
      },
      target: `≥ ${THROUGHPUT_TARGET} comments/s`,
      pass: perCpuSecond >= THROUGHPUT_TARGET,
    },
  ];

  results.push(...accuracy('old', rows, classifier));
  // A split the model was trained on (train-cli.ts) is marked: its figures check the rules, not
  // the model. Only test and a split read once, fresh, check the model.
  const trained = trainedSplits();
  for (const split of TUNING_SPLITS) {
    const name = trained.has(split) ? `${split} (trained on)` : split;
    results.push(...accuracy(name, loadSplit(split), classifier));
  }
  results.push(...accuracy('test', loadSplit('test'), classifier));
  results.push(...attackSet(classifier));
  return results;
}

/** The evaluation splits the shipped model was trained on, from the files its training read. */
function trainedSplits(): Set<string> {
  const split = /^tests\/fixtures\/classification\/(dev\d*)\.jsonl$/;
  return new Set(shippedModel().trainedOn.flatMap((path) => split.exec(path)?.[1] ?? []));
}

/**
 * The attack set: real concerns written in the shapes of the classifier's exceptions. For each
 * family, how many miss one or more of their expected categories, and how many get no label at
 * all (they reach nobody).
 */
function attackSet(classifier: Classifier): BenchRow[] {
  const rows = loadAttackSet();
  const results: BenchRow[] = [];
  for (const [family, name] of Object.entries(ATTACK_FAMILIES)) {
    const picked = rows.filter((r) => r.family === Number(family));
    let missed = 0;
    let unflagged = 0;
    for (const row of picked) {
      const found = new Set(classifier.classify(row.text).labels.map((l) => l.category));
      if (row.expect.some((c) => !found.has(c))) missed++;
      if (found.size === 0) unflagged++;
    }
    results.push({
      name: `attack ${name}`,
      figures: { 'missing a category': missed, 'no label': unflagged, of: picked.length },
    });
  }
  return results;
}

const ratio = (part: number, whole: number): number | string =>
  whole === 0 ? 'n/a' : Number((part / whole).toFixed(3));

/**
 * Precision and recall per category on one evaluation set, then the false alarms that matter
 * most: hard negatives and ordinary comments (praise, questions) given a category they were not
 * labelled with. On the labelled splits, also how many safeguarding and threat rows are found at
 * all (at least one of their expected categories flagged), overall and on the rows written with
 * none of the lexicons' words.
 */
export function accuracy(set: string, rows: (EvalRow | LabelledRow)[], classifier: Classifier): BenchRow[] {
  const got = rows.map((row) => new Set(classifier.classify(row.text).labels.map((l) => l.category)));
  const results: BenchRow[] = [];
  for (const category of CATEGORIES) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    rows.forEach((row, i) => {
      const flagged = got[i]!.has(category);
      const expected = row.expect.includes(category);
      if (flagged && expected) tp++;
      else if (flagged) fp++;
      else if (expected) fn++;
    });
    results.push({
      name: `eval ${set} ${category}`,
      figures: { precision: ratio(tp, tp + fp), recall: ratio(tp, tp + fn), support: tp + fn },
    });
  }

  const wronglyFlagged = (i: number) => [...got[i]!].some((c) => !rows[i]!.expect.includes(c));
  const falseAlarms = (kinds: string[]) => {
    const picked = rows.flatMap((row, i) => (kinds.includes(row.kind) ? [i] : []));
    const flagged = picked.filter(wronglyFlagged).length;
    return { flagged, of: picked.length, rate: ratio(flagged, picked.length) };
  };
  const hard = falseAlarms(['hard_negative']);
  results.push({
    name: `eval ${set} hard negatives flagged`,
    figures: hard,
    target: `≤ ${HARD_NEGATIVE_TARGET}`,
    pass: hard.of > 0 && hard.flagged / hard.of <= HARD_NEGATIVE_TARGET,
  });
  results.push({
    name: `eval ${set} ordinary comments flagged`,
    figures: falseAlarms(['praise', 'question']),
  });

  if (set === 'old') return results;
  const found = (i: number) => rows[i]!.expect.some((c) => got[i]!.has(c));
  const safeguarding = rows.flatMap((row, i) => (SAFEGUARDING_KINDS.includes(row.kind) ? [i] : []));
  for (const [label, picked] of [
    ['all', safeguarding],
    ['lexicon-free', safeguarding.filter((i) => (rows[i] as LabelledRow).lexicon_free)],
  ] as const) {
    const hits = picked.filter(found).length;
    results.push({
      name: `eval ${set} safeguarding+threat found (${label})`,
      figures: { found: hits, of: picked.length, recall: ratio(hits, picked.length) },
    });
  }
  return results;
}

export function printTable(results: BenchRow[]): void {
  const lines = results.map((r) => {
    const figures = Object.entries(r.figures)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ');
    const verdict = r.pass === undefined ? '' : r.pass ? '  PASS' : '  FAIL';
    return `${r.name.padEnd(52)} ${figures}${r.target === undefined ? '' : `  (target ${r.target})`}${verdict}`;
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  printTable(await benchClassifier());
}

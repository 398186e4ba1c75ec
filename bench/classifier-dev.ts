import { createClassifier } from '../services/classification/create-classifier.js';
import { loadRoster, loadSplit, TUNING_SPLITS } from '../tests/unit/classification/eval-set.js';
import { accuracy, printTable } from './classifier.js';

/**
 * `npx tsx bench/classifier-dev.ts [--misses]`: the figures on the tuning splits only (dev to
 * dev22; the model is trained on all but dev20, so there they check the rules). It never reads the
 * test split. `--misses` lists the rows the classifier gets wrong.
 */
const classifier = createClassifier({ roster: loadRoster() });
for (const split of TUNING_SPLITS) {
  const rows = loadSplit(split);
  printTable(accuracy(split, rows, classifier));
  if (!process.argv.includes('--misses')) continue;
  for (const row of rows) {
    const labels = classifier.classify(row.text).labels;
    const got = new Set(labels.map((l) => l.category));
    const missed = row.expect.filter((c) => !got.has(c));
    const extra = [...got].filter((c) => !row.expect.includes(c));
    if (missed.length === 0 && extra.length === 0) continue;
    const why = labels.map(
      (l) => `${l.category}:${l.source}${l.confidence === undefined ? '' : `@${l.confidence.toFixed(2)}`}`,
    );
    process.stdout.write(
      `${row.id} ${row.kind}/${row.subkind} missed=[${missed}] extra=[${extra}] by=[${why.join(' ')}]\n  ${row.text}\n`,
    );
  }
}

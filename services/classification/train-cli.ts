import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { modelVersionOf } from './linear-model.js';
import { DEFAULT_TRAINING, type TrainingRow, trainModel } from './train-classifier.js';

/**
 * `npm run classifier:train`: trains the learned model from config/classifier/corpus/*.jsonl
 * (files in name order, rows in file order) and the original evaluation set, and writes
 * config/classifier/model.json. Rows whose text is also in a labelled evaluation split
 * (tests/fixtures/classification/*.jsonl: dev to dev7, test) are left out, so no evaluation
 * split is ever trained on. `--out <file>` writes elsewhere (for trying options).
 */
const root = new URL('../../', import.meta.url);
const CORPUS_DIR = new URL('config/classifier/corpus/', root);
const OLD_SET = 'tests/fixtures/classification-eval.jsonl';
const SPLITS_DIR = 'tests/fixtures/classification/';

const rowSchema = z.object({
  text: z.string().min(1),
  expect: z.array(
    z.enum(['offensive', 'safeguarding', 'personal_data', 'media_enquiry', 'complaint', 'spam']),
  ),
  kind: z.string().optional(),
});

const same = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

function readRows(path: string): TrainingRow[] {
  const lines = readFileSync(new URL(path, root), 'utf8').split('\n');
  const rows: TrainingRow[] = [];
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    const parsed = rowSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.message}`);
    rows.push(parsed.data);
  });
  return rows;
}

function main(): void {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1]! : fileURLToPath(new URL('config/classifier/model.json', root));
  const corpusFiles = readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => `config/classifier/corpus/${f}`);
  const splits = readdirSync(new URL(SPLITS_DIR, root))
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => `${SPLITS_DIR}${f}`);
  const heldOut = new Set(splits.flatMap((path) => readRows(path).map((r) => same(r.text))));
  const seen = new Set<string>();
  const rows: TrainingRow[] = [];
  const files: { path: string; rows: number; sha256: string }[] = [];
  let leftOut = 0;
  for (const path of [...corpusFiles, OLD_SET]) {
    const fileRows = readRows(path);
    files.push({ path, rows: fileRows.length, sha256: modelVersionOf(readFileSync(new URL(path, root))) });
    for (const row of fileRows) {
      const key = same(row.text);
      if (heldOut.has(key)) {
        leftOut++;
        continue;
      }
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(row);
    }
  }
  // For trying options on dev: CLASSIFIER_TRAIN_OPTIONS='{"l2":1e-5}'. The shipped model uses the defaults.
  const options = { ...DEFAULT_TRAINING, ...JSON.parse(process.env.CLASSIFIER_TRAIN_OPTIONS ?? '{}') };
  const model = trainModel(rows, options, { files, leftOutAsHeldOut: leftOut });
  const raw = `${JSON.stringify(model)}\n`;
  writeFileSync(out, raw);
  process.stdout.write(
    `trained on ${rows.length} rows from ${files.length} files (${leftOut} left out: in an evaluation split); ` +
      `wrote ${out} (${(raw.length / 1e6).toFixed(2)} MB), version ${modelVersionOf(raw)}\n`,
  );
}

main();

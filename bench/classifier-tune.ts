import { createClassifier } from '../services/classification/create-classifier.js';
import { shippedModel } from '../services/classification/linear-model.js';
import { MODEL_MIN_WORDS } from '../services/classification/operating-points.js';
import { TextNormaliser } from '../services/classification/text-normaliser.js';
import type { Category } from '../services/classification/types.js';
import { CATEGORIES, loadRoster, loadSplit } from '../tests/unit/classification/eval-set.js';

/**
 * `npx tsx bench/classifier-tune.ts`: for choosing the model's operating points on the dev split
 * (never test). For each category and candidate threshold: recall and precision of rules + model,
 * and how many hard negatives and ordinary comments the model alone would newly flag.
 */
const rows = loadSplit('dev');
const rules = createClassifier({ roster: loadRoster(), model: null });
const model = shippedModel();
const n = new TextNormaliser();
const p = new Float64Array(model.categories.length);
const ruleCats = rows.map((r) => new Set(rules.classify(r.text).labels.map((l) => l.category)));
const probs = rows.map((r) => {
  n.run(r.text);
  // As the classifier does: no model label on a comment shorter than MODEL_MIN_WORDS.
  if (model.score(n.skel, r.text, p) < MODEL_MIN_WORDS) p.fill(0);
  return Array.from(p);
});
const benign = (kind: string) => kind === 'hard_negative' || kind === 'praise' || kind === 'question';
for (const [c, category] of model.categories.entries()) {
  const out: string[] = [];
  for (const t of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98]) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let newBenign = 0;
    rows.forEach((row, i) => {
      const byRule = ruleCats[i]!.has(category as Category);
      const got = byRule || probs[i]![c]! >= t;
      const want = row.expect.includes(category as Category);
      if (got && want) tp++;
      else if (got) fp++;
      else if (want) fn++;
      if (!byRule && probs[i]![c]! >= t && benign(row.kind) && !want) newBenign++;
    });
    out.push(`t=${t} R=${(tp / (tp + fn)).toFixed(3)} P=${(tp / (tp + fp)).toFixed(3)} benign+${newBenign}`);
  }
  const ruleOnly = rows.filter(
    (r, i) => r.expect.includes(category as Category) && ruleCats[i]!.has(category as Category),
  ).length;
  const support = rows.filter((r) => r.expect.includes(category as Category)).length;
  process.stdout.write(
    `${category} (rules alone R=${(ruleOnly / support).toFixed(3)})\n  ${out.join('\n  ')}\n`,
  );
}
void CATEGORIES;

import { LinearModel, MODEL_FORMAT, type ModelFile, sigmoid } from './linear-model.js';
import { FeatureBuffer } from './text-features.js';
import { TextNormaliser } from './text-normaliser.js';
import type { Category } from './types.js';

/** A labelled comment of the training corpus: what a moderator would flag it as ([] = nothing). */
export interface TrainingRow {
  text: string;
  expect: Category[];
  /** The corpus's kind: `hard_negative` rows weigh `hardNegativeWeight` where they are negatives. */
  kind?: string | undefined;
}

export interface TrainingOptions {
  categories: readonly Category[];
  bits: number;
  epochs: number;
  /** Adagrad base learning rate. */
  learningRate: number;
  /** L2 penalty on every weight a row touches. */
  l2: number;
  /** A positive row of a category weighs this × sqrt(negatives/positives), at most `maxPositiveWeight`. */
  maxPositiveWeight: number;
  seed: number;
  /**
   * Runs trained (each shuffling the rows from its own seed: seed, seed + 1, …) whose weights are
   * averaged into the one model shipped. Averaging the runs of a linear model averages their
   * scores, so the model costs no more to run, and it no longer depends on one row order.
   */
  runs: number;
  /**
   * A hard negative (school life in the words of harm) weighs this much, against 1 for any other
   * row, in every category it is not labelled with: the mistakes staff notice most.
   */
  hardNegativeWeight?: number;
}

export const DEFAULT_TRAINING: TrainingOptions = {
  categories: ['offensive', 'safeguarding', 'personal_data', 'media_enquiry', 'complaint', 'spam'],
  // 19 bits and l2 1e-4 since session 15 (were 18 and 1e-5): trained on dev to dev12 and read on
  // dev13 to dev19 (2,680 hard negatives), hard negatives flagged 114 to 99 with safeguarding
  // 1,382 to 1,386 of 1,461 and offensive 1,189 to 1,192 of 1,258; the file is 4.2 MB.
  bits: 19,
  epochs: 12,
  learningRate: 0.4,
  l2: 1e-4,
  maxPositiveWeight: 4,
  seed: 20,
  // Ten since session 14 (was five): with the tuning splits in training, two five-run models that
  // differed by 30 corpus rows differed by up to 3 attack-set concerns; more runs average out more
  // of what one row order decides.
  runs: 10,
  // Chosen on the tuning splits (dev to dev7) with the operating points: at 12, with safeguarding
  // flagged from 0.18, the same recall as before with a sixth fewer hard negatives flagged.
  hardNegativeWeight: 12,
};

/** mulberry32: a small seeded generator, so the row order (and the model) is the same every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Trains one logistic regression per category with Adagrad over the rows' hashed features and
 * returns the model file (weights quantised to 8 bits). Deterministic: the same rows in the same
 * order with the same options give the same bytes.
 */
export function trainModel(
  rows: readonly TrainingRow[],
  options: TrainingOptions,
  training: Record<string, unknown>,
): ModelFile {
  const k = options.categories.length;
  const dims = 1 << options.bits;
  const normaliser = new TextNormaliser();
  const buffer = new FeatureBuffer(options.bits);
  const features: Int32Array[] = [];
  const values = new Float64Array(rows.length);
  const targets = new Uint8Array(rows.length * k);
  const hard = Uint8Array.from(rows, (row) => (row.kind === 'hard_negative' ? 1 : 0));
  const positives = new Float64Array(k);
  rows.forEach((row, r) => {
    normaliser.run(row.text);
    buffer.extract(normaliser.skel, row.text);
    features.push(buffer.indices.slice(0, buffer.count));
    values[r] = buffer.value;
    options.categories.forEach((category, c) => {
      if (row.expect.includes(category)) {
        targets[r * k + c] = 1;
        positives[c]!++;
      }
    });
  });
  const positiveWeight = Float64Array.from(positives, (p) =>
    p === 0 ? 1 : Math.min(options.maxPositiveWeight, Math.sqrt((rows.length - p) / p)),
  );

  const w = new Float64Array(dims * k);
  const bias = new Float64Array(k);
  const runs = Math.max(1, Math.floor(options.runs ?? 1));
  for (let run = 0; run < runs; run++) {
    const trained = trainRun(
      { features, values, targets, positives, positiveWeight, hard },
      options.seed + run,
      options,
    );
    for (let i = 0; i < w.length; i++) w[i]! += trained.w[i]! / runs;
    for (let c = 0; c < k; c++) bias[c]! += trained.bias[c]! / runs;
  }

  const scale: number[] = [];
  const quantised = new Int8Array(dims * k);
  for (let c = 0; c < k; c++) {
    let max = 0;
    for (let f = 0; f < dims; f++) max = Math.max(max, Math.abs(w[f * k + c]!));
    const s = max === 0 ? 1 : max / 127;
    scale.push(round(s));
    for (let f = 0; f < dims; f++) quantised[f * k + c] = Math.round(w[f * k + c]! / s);
  }
  return {
    format: MODEL_FORMAT,
    bits: options.bits,
    categories: [...options.categories],
    bias: Array.from(bias, round),
    scale,
    weights: Buffer.from(quantised.buffer).toString('base64'),
    training: {
      ...training,
      rows: rows.length,
      positives: Object.fromEntries(options.categories.map((c, i) => [c, positives[i]])),
      options,
    },
  };
}

/** The rows as training reads them: features, targets and per-category positive counts. */
interface EncodedRows {
  features: readonly Int32Array[];
  values: Float64Array;
  targets: Uint8Array;
  positives: Float64Array;
  positiveWeight: Float64Array;
  /** 1 for a hard-negative row. */
  hard: Uint8Array;
}

/** One run of Adagrad over the rows in an order shuffled from `seed`. */
function trainRun(
  { features, values, targets, positives, positiveWeight, hard }: EncodedRows,
  seed: number,
  options: TrainingOptions,
): { w: Float64Array; bias: Float64Array } {
  const k = options.categories.length;
  const n = values.length;
  const dims = 1 << options.bits;
  const w = new Float64Array(dims * k);
  const g2 = new Float64Array(dims * k);
  // The intercept starts at the (weighted) prior log-odds. Left to Adagrad from zero it is pushed
  // up by the first positive rows and then hardly moves, while common n-grams take negative
  // weights to compensate: a short text with few of them then looks positive by default.
  const bias = Float64Array.from(positives, (p, c) => {
    const weighted = p * positiveWeight[c]!;
    return p === 0 ? -5 : Math.log(weighted / (n - p));
  });
  const biasG2 = new Float64Array(k);
  const random = seeded(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  const z = new Float64Array(k);
  const lr = options.learningRate;
  const hardWeight = options.hardNegativeWeight ?? 1;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const r of order) {
      const idx = features[r]!;
      const v = values[r]!;
      z.set(bias);
      for (const f of idx) for (let c = 0; c < k; c++) z[c]! += w[f * k + c]! * v;
      for (let c = 0; c < k; c++) {
        const y = targets[r * k + c]!;
        const g = (sigmoid(z[c]!) - y) * (y === 1 ? positiveWeight[c]! : hard[r] === 1 ? hardWeight : 1);
        biasG2[c]! += g * g;
        bias[c]! -= (lr * g) / (Math.sqrt(biasG2[c]!) + 1e-8);
        for (const f of idx) {
          const at = f * k + c;
          const grad = g * v + options.l2 * w[at]!;
          g2[at]! += grad * grad;
          w[at]! -= (lr * grad) / (Math.sqrt(g2[at]!) + 1e-8);
        }
      }
    }
  }

  return { w, bias };
}

/** Rounded so the file is the same on every platform that prints doubles the same way. */
function round(x: number): number {
  return Number(x.toPrecision(9));
}

export { LinearModel };

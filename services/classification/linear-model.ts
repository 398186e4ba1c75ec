import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FeatureBuffer, MIN_FEATURES } from './text-features.js';
import type { Category } from './types.js';

/**
 * The learned part of the classifier: one logistic regression per category (one-vs-rest) over
 * hashed word and character n-grams (text-features.ts), trained by `npm run classifier:train`
 * (train-classifier.ts) from config/classifier/corpus/*.jsonl and shipped as
 * config/classifier/model.json. Weights are stored as 8-bit integers with one scale per category.
 */

export const MODEL_FORMAT = 1;

const categorySchema = z.enum([
  'offensive',
  'safeguarding',
  'personal_data',
  'media_enquiry',
  'complaint',
  'spam',
]);

export const modelFileSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  bits: z.number().int().min(10).max(24),
  categories: z.array(categorySchema).min(1),
  bias: z.array(z.number()),
  scale: z.array(z.number().positive()),
  /** base64 of Int8Array(2^bits × categories), feature-major. */
  weights: z.string(),
  training: z.record(z.string(), z.unknown()),
});

export type ModelFile = z.infer<typeof modelFileSchema>;

export class LinearModel {
  readonly categories: readonly Category[];
  private readonly k: number;
  private readonly weights: Int8Array;
  private readonly scale: Float64Array;
  private readonly bias: Float64Array;
  private readonly features: FeatureBuffer;
  private readonly sums: Float64Array;
  /** The files its training read (train-cli.ts records them in the model file), by path. */
  readonly trainedOn: readonly string[];

  constructor(
    file: ModelFile,
    /** First 12 hex digits of the model file's SHA-256: recorded on every label it gives. */
    readonly version: string,
  ) {
    this.categories = file.categories;
    this.k = file.categories.length;
    if (file.bias.length !== this.k || file.scale.length !== this.k)
      throw new Error('classifier model: bias and scale must have one entry per category');
    const bytes = Buffer.from(file.weights, 'base64');
    if (bytes.length !== (1 << file.bits) * this.k)
      throw new Error(`classifier model: expected ${(1 << file.bits) * this.k} weights, got ${bytes.length}`);
    this.weights = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    this.scale = Float64Array.from(file.scale);
    this.bias = Float64Array.from(file.bias);
    this.features = new FeatureBuffer(file.bits);
    this.sums = new Float64Array(this.k);
    const files = file.training.files;
    this.trainedOn = Array.isArray(files)
      ? files.flatMap((f) => (typeof f?.path === 'string' ? [f.path as string] : []))
      : [];
  }

  /**
   * The probability of each category (same order as `categories`), written into `out`.
   * `skel` is TextNormaliser.skel of `text`. Returns how many words it read.
   */
  score(skel: string, text: string, out: Float64Array): number {
    const f = this.features;
    f.extract(skel, text);
    const k = this.k;
    const sums = this.sums;
    sums.fill(0);
    const w = this.weights;
    const idx = f.indices;
    if (k === 6) {
      // The shipped model's six categories, unrolled: one pass over the features with the six
      // sums in registers is most of the classifier's cost for the model.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let s5 = 0;
      for (let i = 0; i < f.count; i++) {
        const base = idx[i]! * 6;
        s0 += w[base]!;
        s1 += w[base + 1]!;
        s2 += w[base + 2]!;
        s3 += w[base + 3]!;
        s4 += w[base + 4]!;
        s5 += w[base + 5]!;
      }
      sums[0] = s0;
      sums[1] = s1;
      sums[2] = s2;
      sums[3] = s3;
      sums[4] = s4;
      sums[5] = s5;
    } else {
      for (let i = 0; i < f.count; i++) {
        const base = idx[i]! * k;
        for (let c = 0; c < k; c++) sums[c]! += w[base + c]!;
      }
    }
    for (let c = 0; c < k; c++) out[c] = sigmoid(this.bias[c]! + sums[c]! * this.scale[c]! * f.value);
    return f.words;
  }

  /**
   * After `score`, the probability of category `c` in each part of the same text as if it were
   * read alone, from the features `score` found: a part's features are those that start in it
   * (`partOf` gives each skeleton index its part, 0 to `parts` - 1). A part of fewer than
   * `minWords` words gets 0. Close to scoring each part on its own (only the n-grams across a
   * part's end and the emoji differ) for one pass over the features.
   */
  scoreParts(partOf: Int32Array, parts: number, c: number, minWords: number, out: Float64Array): void {
    const f = this.features;
    const sums = new Float64Array(parts);
    const counts = new Int32Array(parts);
    const words = new Int32Array(parts);
    const w = this.weights;
    const k = this.k;
    for (let i = 0; i < f.count; i++) {
      const at = f.at[i]!;
      if (at < 0) continue;
      const part = partOf[at]!;
      sums[part]! += w[f.indices[i]! * k + c]!;
      counts[part]!++;
    }
    for (let i = 0; i < f.words; i++) words[partOf[f.wordAt[i]!]!]!++;
    for (let part = 0; part < parts; part++) {
      out[part] =
        words[part]! < minWords
          ? 0
          : sigmoid(
              this.bias[c]! +
                (sums[part]! * this.scale[c]!) / Math.sqrt(Math.max(counts[part]!, MIN_FEATURES)),
            );
    }
  }
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function modelVersionOf(raw: string | Buffer): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 12);
}

export const SHIPPED_MODEL_URL = new URL('../../config/classifier/model.json', import.meta.url);

let cached: LinearModel | undefined;

/** config/classifier/model.json, read and checked once per process. */
export function shippedModel(): LinearModel {
  if (cached !== undefined) return cached;
  const raw = readFileSync(SHIPPED_MODEL_URL);
  const parsed = modelFileSchema.safeParse(JSON.parse(raw.toString('utf8')));
  if (!parsed.success) throw new Error(`config/classifier/model.json: ${parsed.error.message}`);
  cached = new LinearModel(parsed.data, modelVersionOf(raw));
  return cached;
}

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import {
  LinearModel,
  SHIPPED_MODEL_URL,
  shippedModel,
} from '../../../services/classification/linear-model.js';
import { MODEL_OPERATING_POINTS } from '../../../services/classification/operating-points.js';
import { TextNormaliser } from '../../../services/classification/text-normaliser.js';
import {
  DEFAULT_TRAINING,
  type TrainingRow,
  trainModel,
} from '../../../services/classification/train-classifier.js';

const fileVersion = createHash('sha256').update(readFileSync(SHIPPED_MODEL_URL)).digest('hex').slice(0, 12);

describe('the shipped learned model', () => {
  it('is small enough to ship and is versioned by the hash of its file', () => {
    expect(statSync(SHIPPED_MODEL_URL).size).toBeLessThan(5_000_000);
    expect(shippedModel().version).toBe(fileVersion);
    expect(createClassifier().version).toContain(`model@${fileVersion}`);
    expect(createClassifier({ model: null }).version).not.toContain('model@');
  });

  it('labels a threat with no listed word, saying it was the model, with its probability', () => {
    const text =
      'everyone knows which car is yours and what time you leave the building on a friday, think on';
    const labels = createClassifier().classify(text).labels;
    const byModel = labels.filter((l) => l.source === `model@${fileVersion}`);
    expect(byModel.map((l) => l.category)).toContain('offensive');
    for (const label of byModel) {
      expect(label.confidence).toBeGreaterThan(0);
      expect(label.confidence).toBeLessThanOrEqual(1);
      expect(label.spans).toEqual([[0, text.length]]);
    }
    // The rules alone do not see it.
    expect(createClassifier({ model: null }).classify(text).labels).toEqual([]);
  });

  it('was trained on the tuning splits it names, and never on test, a fresh split or an attack set', () => {
    const splits = shippedModel().trainedOn.filter((path) =>
      path.startsWith('tests/fixtures/classification/'),
    );
    expect(splits).toContain('tests/fixtures/classification/dev.jsonl');
    expect(splits).toContain('tests/fixtures/classification/dev19.jsonl');
    expect(splits).toContain('tests/fixtures/classification/dev22.jsonl');
    for (const path of splits) expect(path).toMatch(/\/dev\d*\.jsonl$/);
    expect(splits).not.toContain('tests/fixtures/classification/test.jsonl');
    expect(splits).not.toContain('tests/fixtures/classification/dev20.jsonl');
  });
});

describe('the learned model reading a comment clause by clause', () => {
  const classifier = createClassifier();
  const safeguarding = (text: string) =>
    classifier.classify(text).labels.filter((l) => l.category === 'safeguarding');

  it.each([
    'mental health awareness fundraiser, ive taken 20 paracetamol and im not telling my mum',
    'Thanks for the e-safety assembly, really good. a man on roblox keeps asking me to send pics and says not to tell',
    'Great fundraiser for the hospice, congrats all. honestly everyone would be better off if i wasnt here',
  ])('finds a concern written beside a fundraiser or an assembly: %s', (text) => {
    expect(safeguarding(text).length, JSON.stringify(classifier.classify(text).labels)).toBeGreaterThan(0);
  });

  it('marks the clause it found a concern in, when the whole comment reads as ordinary', () => {
    const text =
      'What a fantastic sports day, the weather held and the sack race was hilarious, thank you to all the staff. honestly everyone would be better off if i wasnt here';
    const whole = new Float64Array(shippedModel().categories.length);
    const normaliser = new TextNormaliser();
    normaliser.run(text);
    shippedModel().score(normaliser.skel, text, whole);
    expect(whole[shippedModel().categories.indexOf('safeguarding')]).toBeLessThan(
      MODEL_OPERATING_POINTS.safeguarding.flag,
    );
    const byModel = safeguarding(text).find((l) => l.source === `model@${fileVersion}`)!;
    expect(byModel).toBeDefined();
    const [start, end] = byModel.spans[0]!;
    expect(text.slice(start, end)).toBe('honestly everyone would be better off if i wasnt here');
  });

  it('reads a clause from the whole comment’s features as it would read the clause alone', () => {
    const model = shippedModel();
    const normaliser = new TextNormaliser();
    const whole = new Float64Array(model.categories.length);
    const alone = new Float64Array(model.categories.length);
    const safeguarding = model.categories.indexOf('safeguarding');
    const text =
      'Lovely harvest festival, thank you all. dad locks me in my room when he drinks, dont tell anyone';
    const clauses = [
      'Lovely harvest festival',
      ' thank you all',
      ' dad locks me in my room when he drinks',
      ' dont tell anyone',
    ];
    normaliser.run(text);
    model.score(normaliser.skel, text, whole);
    const partOf = new Int32Array(normaliser.skel.length);
    const ends = clauses.map((_, i) => clauses.slice(0, i + 1).join(',').length);
    for (let k = 0; k < normaliser.skel.length; k++)
      partOf[k] = ends.findIndex((end) => normaliser.skelStart[k]! < end);
    const parts = new Float64Array(clauses.length);
    model.scoreParts(partOf, clauses.length, safeguarding, 4, parts);
    const clauseReader = new TextNormaliser();
    clauses.forEach((clause, i) => {
      clauseReader.run(clause);
      const words = model.score(clauseReader.skel, clause, alone);
      if (words < 4) expect(parts[i], clause).toBe(0);
      else expect(Math.abs(parts[i]! - alone[safeguarding]!), clause).toBeLessThan(0.1);
    });
    // The disclosure is the clause the model is surest of; the whole comment dilutes it.
    expect(parts[2]).toBeGreaterThan(whole[safeguarding]!);
  });

  it.each([
    'Sponsored silence for Childline on Friday, my son lasted 40 minutes 😂 well done everyone',
    'Thank you for the Samaritans talk, really useful for parents. Cake sale raised £212 too!',
  ])('leaves an ordinary comment of several clauses alone: %s', (text) => {
    expect(safeguarding(text)).toEqual([]);
  });
});

describe('training', () => {
  const rows: TrainingRow[] = [];
  for (let i = 0; i < 30; i++) {
    rows.push({
      text: `you are a soggy turnip number ${i} and nobody wants you here`,
      expect: ['offensive'],
    });
    rows.push({ text: `thank you for a lovely sports day number ${i}, the children loved it`, expect: [] });
  }
  const options = { ...DEFAULT_TRAINING, bits: 12, epochs: 5 };

  it('gives the same model for the same rows, byte for byte', () => {
    expect(JSON.stringify(trainModel(rows, options, {}))).toBe(JSON.stringify(trainModel(rows, options, {})));
  });

  it('averages its runs into one model that does not depend on a single row order', () => {
    const one = (seed: number) => trainModel(rows, { ...options, runs: 1, seed }, {});
    const averaged = trainModel(rows, { ...options, runs: 3, seed: 7 }, {});
    // Different shuffles give different weights...
    expect(one(7).weights).not.toBe(one(8).weights);
    // ...and the averaged model is none of them, the same every time, and just as small.
    expect(averaged.weights).not.toBe(one(7).weights);
    expect(JSON.stringify(trainModel(rows, { ...options, runs: 3, seed: 7 }, {}))).toBe(
      JSON.stringify(averaged),
    );
    expect(averaged.weights.length).toBe(one(7).weights.length);
    // Its intercepts are the mean of the runs' (the weights are too, before 8-bit quantising).
    const runs = [one(7), one(8), one(9)];
    averaged.bias.forEach((b, c) => {
      expect(b).toBeCloseTo(runs.reduce((sum, run) => sum + run.bias[c]!, 0) / 3, 6);
    });
  });

  it('learns what it is shown', () => {
    const model = new LinearModel(trainModel(rows, options, {}), 'test');
    const classifier = createClassifier({ model });
    const offensive = (text: string) =>
      classifier.classify(text).labels.some((l) => l.category === 'offensive' && l.source === 'model@test');
    expect(offensive('honestly you are such a soggy turnip and nobody wants you here')).toBe(true);
    expect(offensive('thank you so much for the lovely sports day, the children loved it')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import type { Category } from '../../../services/classification/types.js';
import { loadEvalSet, loadRoster } from './eval-set.js';

const rows = loadEvalSet();
const classifier = createClassifier({ roster: loadRoster() });

function recall(category: Category): { recall: number; missed: string[] } {
  const relevant = rows.filter((r) => r.expect.includes(category));
  const missed = relevant
    .filter((r) => !classifier.classify(r.text).labels.some((l) => l.category === category))
    .map((r) => r.text);
  return { recall: (relevant.length - missed.length) / relevant.length, missed };
}

describe('evaluation set', () => {
  it('is big and varied enough to mean something', () => {
    expect(rows.length).toBeGreaterThanOrEqual(450);
    expect(rows.filter((r) => r.kind === 'hard_negative').length).toBeGreaterThanOrEqual(80);
    expect(new Set(rows.map((r) => r.kind)).size).toBe(13);
  });

  it('finds at least 90% of offensive comments', () => {
    const { recall: r, missed } = recall('offensive');
    expect(r, `missed: ${missed.join(' | ')}`).toBeGreaterThanOrEqual(0.9);
  });

  it('finds at least 95% of safeguarding comments', () => {
    const { recall: r, missed } = recall('safeguarding');
    expect(r, `missed: ${missed.join(' | ')}`).toBeGreaterThanOrEqual(0.95);
  });

  it('flags at most 5% of hard negatives, in any category', () => {
    const hard = rows.filter((r) => r.kind === 'hard_negative');
    const flagged = hard.filter((r) => classifier.classify(r.text).labels.length > 0).map((r) => r.text);
    expect(flagged.length / hard.length, `flagged: ${flagged.join(' | ')}`).toBeLessThanOrEqual(0.05);
  });

  it('flags no praise', () => {
    const praise = rows.filter((r) => r.kind === 'praise');
    const flagged = praise.filter((r) => classifier.classify(r.text).labels.length > 0).map((r) => r.text);
    expect(flagged.length / praise.length, `flagged: ${flagged.join(' | ')}`).toBeLessThanOrEqual(0.05);
  });

  it('points each evasive spelling at the evasive word in the original text', () => {
    for (const row of rows.filter((r) => r.kind === 'evasive')) {
      const labels = classifier.classify(row.text).labels.filter((l) => l.category === 'offensive');
      expect(labels.length, row.text).toBeGreaterThan(0);
      for (const label of labels) {
        for (const [start, end] of label.spans) {
          expect(start).toBeGreaterThanOrEqual(0);
          expect(end).toBeLessThanOrEqual(row.text.length);
          // The span covers letters of the original, not a neighbouring space or punctuation.
          expect(row.text.slice(start, end).trim().length, row.text).toBeGreaterThan(0);
          expect(/\p{L}|\d|[@$!*]/u.test(row.text.slice(start, end))).toBe(true);
        }
      }
    }
  });
});

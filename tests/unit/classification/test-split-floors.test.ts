import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import type { Category } from '../../../services/classification/types.js';
import { loadRoster, loadSplit } from './eval-set.js';

// The classifier on the held-out test split (issue #20). Nothing was tuned on this split: rules,
// features and operating points were chosen on the tuning splits (dev to dev22). Failures
// report figures only, never rows, so reading a failure cannot turn into tuning on test.
//
// Issue #20 asks for safeguarding recall ≥ 0.95, offensive recall ≥ 0.92 and hard negatives
// flagged ≤ 3%. Session 8's classifier reached 0.915, 0.915 and 6.1% (11 of 179) here. Session
// 9's (sixteen more writers' corpora, averaged training runs, the model overruling lexicon and
// structure-rule labels it is near-certain are wrong, a named pupil labelled safeguarding as the
// product files it) reached 0.966, 0.944 and 4.5%; a review then showed that warm words around a
// disclosure or threat could talk the model into dropping it, and the overruling was narrowed
// (the label's own clause must read as innocent too; swearing never), which cost two hard
// negatives: 0.966, 0.944 and 5.6% (2026-12-05 00:33 UTC, choices made on dev to dev6). Session
// 10's (frames, limits on overruling from an attack set, eight more writers' corpora, hard
// negatives weighing 12 in training, operating points moved to match; chosen on dev to dev9,
// test run once at the end, 2026-12-05 03:04 UTC) reached 0.958, 0.923 and 3.9% (7 of 179). The
// recall floors hold; hard negatives do not yet, so that one is a RATCHET at what was reached.
// Session 11's (the model reads each clause alone too, two more writers' corpora, exceptions for
// games and road worries; chosen on dev to dev10 and an attack set, test run once at the end,
// 2026-12-05 05:17 UTC) reached 0.975, 0.930 and 3.9% (7 of 179, the same). Session 12's (two
// more corpora, rules for names, games, parents' exasperation and Scottish year groups, then two
// reviews that took back what let real concerns through; chosen on dev to dev12 and three attack
// sets, test run once at the end, 2026-12-05 08:17 UTC) reached 0.975, 0.937 and 3.9% (7 of 179).
// One more change followed (a sibling harmed by the speaker, said straight, stands as a
// disclosure), which can only add labels; after it test was run pass/fail only. Session 13's
// (structure rules for reported ideation, veiled threats and emoji innuendo; chosen on dev to dev15
// and four attack sets) reached 0.975, 0.937 and 3.9% (7 of 179). Session 14's (the model trained
// on the tuning splits dev to dev17 as well as the corpus; choices made on dev13 to dev17 with a
// model trained without them, and checked once on dev18, fresh; test run at 13:26 UTC) reached
// 0.975, 0.958 and 3.4% (6 of 179), and after the fixes the full suite and a review asked for
// (test run again at the end, 14:31 UTC) 0.975, 0.944 and 3.4%. Session 15's (the model trained
// on dev18, dev19 and two more writers' splits, 19 bits and l2 1e-4, chosen with a model trained
// on dev to dev12 and read on dev13 to dev19; rules for names, a parent's drug use and a child
// thrown out; checked once on dev20, fresh; test run once at the end, 2026-12-05 16:59 UTC)
// reached 0.975, 0.951 and 2.8% (5 of 179): every floor holds, and the hard-negative figure is now
// asserted at the issue's floor. Never loosen these.
const ISSUE_FLOORS = { safeguardingRecall: 0.95, offensiveRecall: 0.92, hardNegativesFlagged: 0.03 };

const rows = loadSplit('test');
const classifier = createClassifier({ roster: loadRoster() });
const found = rows.map((row) => new Set(classifier.classify(row.text).labels.map((l) => l.category)));

function recall(category: Category): { recall: number; of: number } {
  const relevant = rows.flatMap((row, i) => (row.expect.includes(category) ? [i] : []));
  const hits = relevant.filter((i) => found[i]!.has(category)).length;
  return { recall: hits / relevant.length, of: relevant.length };
}

describe('the classifier on the held-out test split (issue #20 floors)', () => {
  it(`finds safeguarding concerns (issue floor ${ISSUE_FLOORS.safeguardingRecall})`, () => {
    const r = recall('safeguarding');
    expect(r.of).toBe(118);
    expect(r.recall, `safeguarding recall ${r.recall.toFixed(3)} of ${r.of}`).toBeGreaterThanOrEqual(
      ISSUE_FLOORS.safeguardingRecall,
    );
  });

  it(`finds offensive comments (issue floor ${ISSUE_FLOORS.offensiveRecall})`, () => {
    const r = recall('offensive');
    expect(r.of).toBe(142);
    expect(r.recall, `offensive recall ${r.recall.toFixed(3)} of ${r.of}`).toBeGreaterThanOrEqual(
      ISSUE_FLOORS.offensiveRecall,
    );
  });

  it(`flags few hard negatives with a category they do not have (issue floor ${ISSUE_FLOORS.hardNegativesFlagged})`, () => {
    const hard = rows.flatMap((row, i) => (row.kind === 'hard_negative' ? [i] : []));
    const flagged = hard.filter((i) => [...found[i]!].some((c) => !rows[i]!.expect.includes(c))).length;
    expect(hard.length).toBe(179);
    expect(flagged / hard.length, `${flagged} of ${hard.length} flagged`).toBeLessThanOrEqual(
      ISSUE_FLOORS.hardNegativesFlagged,
    );
  });
});

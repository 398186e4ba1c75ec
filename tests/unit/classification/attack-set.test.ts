import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import type { Category } from '../../../services/classification/types.js';
import {
  ATTACK_FAMILIES,
  ATTACK_S12_ROSTER,
  loadAttackSet,
  loadExceptionAttackSet,
  loadReviewSet,
  loadRoster,
  loadSecondExceptionAttackSet,
} from './eval-set.js';

// The exceptions that keep school life unflagged (a win at a game, a road-safety worry, a lesson
// or charity event that names a harm, a place or plant spelled like a rude word) must not swallow
// real concerns written in their shape. 300 such concerns (tests/fixtures/classification/
// attack.jsonl, session 11) were written before those exceptions were tuned. Session 10's
// classifier missed one or more expected categories on 83 of them and gave 49 no label at all
// (they reach nobody); session 11's missed a category on 52 and left 25 unlabelled; session 12's
// (two more writers' corpora, one of them concerns beside school events) 44 and 19; session 14's
// (the model trained on the tuning splits too) 44 and 17; session 15's (a parent's drug use, a
// child thrown out, a threat at someone's home) 40 and 17. RATCHETS at what was reached: tighten
// them as the classifier improves, never loosen them.
const RATCHET_LOST = 40;
const RATCHET_UNFLAGGED = 17;

const rows = loadAttackSet();
const classifier = createClassifier({ roster: loadRoster() });

describe('real concerns written in the shape of the classifier’s exceptions', () => {
  it('has 300 rows, 60 in each family, each with what it must be flagged as', () => {
    expect(rows).toHaveLength(300);
    for (const family of [1, 2, 3, 4, 5] as const) {
      expect(
        rows.filter((r) => r.family === family),
        ATTACK_FAMILIES[family],
      ).toHaveLength(60);
    }
    for (const row of rows) expect(row.expect.length, row.id).toBeGreaterThan(0);
  });

  it(`loses no more of them than session 11 did (${RATCHET_LOST} of 300 missing a category)`, () => {
    const lost = rows.filter((row) => {
      const found = new Set(classifier.classify(row.text).labels.map((l) => l.category));
      return row.expect.some((category) => !found.has(category));
    });
    const byFamily = Object.entries(ATTACK_FAMILIES).map(
      ([family, name]) => `${name}: ${lost.filter((r) => r.family === Number(family)).length}`,
    );
    expect(lost.length, byFamily.join('; ')).toBeLessThanOrEqual(RATCHET_LOST);
  });

  it('flags every one of them with at least one category, or says which it does not', () => {
    const unflagged = rows
      .filter((row) => classifier.classify(row.text).labels.length === 0)
      .map((r) => r.id);
    // Each of these reaches nobody. Listed so that a change that adds to them shows which.
    expect(unflagged.length, unflagged.join(' ')).toBeLessThanOrEqual(RATCHET_UNFLAGGED);
  });
});

// Session 12 added exceptions of its own, and a review wrote 193 real concerns and insults to slip
// through them (tests/fixtures/classification/attack-s12.jsonl). The first version of those
// exceptions missed 63 (47 of them only because of the exceptions: "half his mates have been self
// harming this term my son said", "if Mr Dean confiscates another water bottle I will stab him",
// "Mr Fuckface", "i would be better of dead"); the exceptions were narrowed or dropped until
// they missed fewer than session 11's classifier did (18). Session 13's rules for someone else's
// reported self-harm ("told everyone he's going to hang himself") and for a threat at a named woman
// or referee ("I'll slit that woman's throat") took it from 16 to 12; session 14's model and its
// limits on overruling (a parent's "my" eight words back, a harm named at staff) to 11.
// RATCHET: never loosen it.
const RATCHET_EXCEPTIONS_MISSED = 11;

describe('real concerns written to slip through session 12’s exceptions', () => {
  const attacks = loadExceptionAttackSet();
  const plain = createClassifier();
  const withRoster = createClassifier({ roster: ATTACK_S12_ROSTER });

  it(`misses no more than ${RATCHET_EXCEPTIONS_MISSED} of ${attacks.length}`, () => {
    expect(attacks.length).toBe(193);
    const missed = attacks.filter((row) => {
      const c = row.exception === 7 ? withRoster : plain;
      const found = new Set(c.classify(row.text).labels.map((l) => l.category));
      return row.expect.some((category) => !found.has(category));
    });
    expect(
      missed.length,
      missed.map((r) => `${r.id} (exception ${r.exception})`).join(' '),
    ).toBeLessThanOrEqual(RATCHET_EXCEPTIONS_MISSED);
  });
});

// A second review of the narrowed exceptions (tests/fixtures/classification/attack-s12b.jsonl)
// found 49 more that only the exceptions let through ("Mr Shitgibbon", "Got a detention from Bell
// End", "the senco forgot his reading book again, ill murder her", "dead meat at the football on
// sunday") and 17 false alarms from the session's new terms ("Can the boys wear grey joggers for
// PE?"). After the fixes none of the misses is the exceptions' doing: the 24 left are missed by
// session 11's classifier too. Session 13's threat phrases for a fixture on a day ("the ref is a
// dead man at the football on sunday") and "a dead woman walking" took the misses from 24 to 18,
// session 14's model to 15, session 15's to 11. RATCHETS: never loosen them.
const RATCHET_SECOND_MISSED = 11;
const RATCHET_SECOND_FALSE_ALARMS = 3;

// The review sets below are read by the classifier as shipped, with no roster.
const shipped = createClassifier();
const found = (text: string) => new Set(shipped.classify(text).labels.map((l) => l.category));
/** Whether the classifier misses a category the row must be flagged as. */
const missesACategory = (row: { text: string; expect: readonly Category[] }) => {
  const got = found(row.text);
  return row.expect.some((category) => !got.has(category));
};

describe('a second review of session 12’s exceptions', () => {
  const rows = loadSecondExceptionAttackSet();

  it(`misses no more than ${RATCHET_SECOND_MISSED} of its concerns`, () => {
    const attacks = rows.filter((r) => r.exception !== 'false_alarm');
    expect(attacks.length).toBe(135);
    const missed = attacks.filter(missesACategory);
    expect(missed.length, missed.map((r) => r.id).join(' ')).toBeLessThanOrEqual(RATCHET_SECOND_MISSED);
  });

  it(`flags no more than ${RATCHET_SECOND_FALSE_ALARMS} of its innocent comments`, () => {
    const innocent = rows.filter((r) => r.exception === 'false_alarm');
    expect(innocent.length).toBe(32);
    const flagged = innocent.filter((r) => found(r.text).size > 0);
    expect(flagged.length, flagged.map((r) => r.id).join(' ')).toBeLessThanOrEqual(
      RATCHET_SECOND_FALSE_ALARMS,
    );
  });
});

// A review of session 13's rules (tests/fixtures/classification/attack-s13.jsonl) wrote 70 innocent
// comments in their words and 50 real concerns beside them. The first version flagged 19 of the
// innocent ones ("caught him cutting again in the dinner queue", "my legs will be dead at training
// tonight", "I'll shoot the ref a thank you card") and missed 7 concerns; after the fixes it flags
// 6 and misses 4, none of them by the new rules (session 12's classifier: 9 and 7); session 14's
// model misses 3, session 15's 2.
// A review of session 14's exceptions (attack-s14.jsonl: a fundraiser's "in memory of my …", a
// speaker's "can I just say", a knife brought for a cookery lesson) wrote 30 innocent comments and
// 60 concerns. The first version missed 3 ("Kai is bringing a blade in with his apron and
// ingredients, says hes gonna end the head teacher"), none after the cookery exception was kept
// from a comment that names a person harmed; it flags 11 of the innocent ones, most of them "is
// bringing a knife in for cookery" as the threat lexicon reads it (session 13's classifier: 12, and
// it missed 1); session 15's flags 10. RATCHETS: never loosen them.
describe.each([
  { session: '13', file: 'attack-s13.jsonl', innocent: 70, concerns: 50, falseAlarms: 6, missed: 2 },
  { session: '14', file: 'attack-s14.jsonl', innocent: 30, concerns: 60, falseAlarms: 10, missed: 0 },
] as const)('a review of session $session’s rules', ({ file, innocent, concerns, falseAlarms, missed }) => {
  const rows = loadReviewSet(file);

  it(`flags no more than ${falseAlarms} of its ${innocent} innocent comments`, () => {
    const picked = rows.filter((r) => r.aim === 'false_alarm');
    expect(picked).toHaveLength(innocent);
    const flagged = picked.filter((r) => found(r.text).size > 0);
    expect(flagged.length, flagged.map((r) => r.id).join(' ')).toBeLessThanOrEqual(falseAlarms);
  });

  it(`misses no more than ${missed} of its ${concerns} concerns`, () => {
    const picked = rows.filter((r) => r.aim === 'miss');
    expect(picked).toHaveLength(concerns);
    const lost = picked.filter(missesACategory);
    expect(lost.length, lost.map((r) => r.id).join(' ')).toBeLessThanOrEqual(missed);
  });
});

import type { Category } from './types.js';

/**
 * Where the learned model's probability becomes a label, per category: `flag` labels the
 * comment (low severity), `sure` makes the label medium, and under `veto` the model overrules a
 * lexicon term or structure rule (never swearing, a school's own term, a roster name or a
 * personal-data pattern), if reading the label's clause alone it finds nothing there either.
 * `framedVeto` is the same, higher, bar for a label whose own sentence is framed as innocent
 * (frames.ts): a lesson, assembly or awareness talk that names a harm ("the session on self harm
 * and how to support a friend"), a secret kept for the panto, or a threat word said laughing ("ur
 * dead for tagging me 😂"). The frame alone overrules nothing: the model must also find the
 * comment, the sentence and the clause innocent, and a safeguarding concern said in the first
 * person ("after the assembly on self harm I realised I do it too") is never overruled.
 *
 * Chosen on the tuning splits (dev to dev7; `npx tsx bench/classifier-dev.ts`) and an attack
 * set of 428 hostile comments, never on test. The model is trained with hard negatives weighing
 * 12 (train-classifier.ts), which lowers every probability: safeguarding flags from 0.18 and
 * offensive from 0.4, which find as much as 0.4 and 0.6 did before on the tuning splits with a
 * sixth fewer hard negatives flagged; `sure` keeps the same share of findings at medium (the
 * default offensive threshold routes medium and up to the admins); the vetoes were lowered until
 * the attack set lost no more than before.
 *
 * Session 11: `part` reads each clause of a comment alone (create-classifier.ts, strongestParts): a
 * clause at or above it labels the comment even when the whole comment reads as ordinary ("Great
 * fundraiser for the hospice, congrats all. honestly everyone would be better off if i wasnt
 * here"). At 0.7 it found 16 more of the 300 concerns in tests/fixtures/classification/attack.jsonl
 * for 4 more hard negatives of 1,858 on the tuning splits, measured with session 10's model (0.5: 24
 * more for 17; 0.8: 13 for 3).
 * After the model was retrained on session 11's corpora, safeguarding `flag` moved from 0.18 to
 * 0.15: five more of 1,275 safeguarding rows found on the tuning splits for one more hard negative
 * (0.12: nine more for eight).
 *
 * Session 14: the model is trained on the tuning splits too (train-cli.ts, TRAINED_SPLITS). Chosen
 * with the same training run on dev to dev12 only, read on dev13 to dev17 (1,902 hard negatives):
 * offensive `flag` 0.4 to 0.42 and complaint 0.8 to 0.85 flag 3 fewer hard negatives (83 to 80)
 * for 2 fewer of 895 offensive rows and 6 of 201 complaints (138 to 132; the model before this
 * training found 100). Safeguarding stays at 0.15: at 0.17 the attack set lost 2 more concerns.
 *
 * Session 15 (19 bits, l2 1e-4; trained on dev to dev12, read on dev13 to dev19, 2,680 hard
 * negatives): offensive `flag` 0.42 to 0.44 flags one fewer ordinary comment and no more hard
 * negatives for 2 fewer of 1,258 offensive rows, and keeps attack-s13's "I'll knock the ref's door
 * tonight and drop his whistle back" (0.43) unflagged. Safeguarding stays at 0.15 (0.18: 5 fewer
 * hard negatives for 5 fewer of 1,461 concerns); the vetoes do not move a row between 0.003 and
 * 0.02.
 */
export const MODEL_OPERATING_POINTS: Readonly<
  Record<Category, { flag: number; sure: number; veto: number; framedVeto: number; part?: number }>
> = {
  offensive: { flag: 0.44, sure: 0.8, veto: 0.005, framedVeto: 0.05 },
  safeguarding: { flag: 0.15, sure: 0.65, veto: 0.005, framedVeto: 0.05, part: 0.7 },
  personal_data: { flag: 0.9, sure: 0.97, veto: 0, framedVeto: 0 },
  media_enquiry: { flag: 0.3, sure: 0.8, veto: 0, framedVeto: 0 },
  complaint: { flag: 0.85, sure: 0.97, veto: 0.03, framedVeto: 0.03 },
  spam: { flag: 0.5, sure: 0.9, veto: 0.01, framedVeto: 0.01 },
};

/**
 * The model does not overrule a label while any one clause of the comment, read alone, reaches
 * this for the label's category (session 14): "fundraising for the domestic abuse charity is
 * lovely. mines upstairs asleep and I'm packing a bag, does anyone know a safe place tonight" (its
 * second clause 0.53) keeps its label; "the theatre company doing the county lines play was
 * amazing, really hit home for year 9" (0.25) may still be overruled. At 0.3, on dev13 to dev17
 * read by a model trained without them, as many hard negatives flagged as with no such check (83
 * of 1,902; at the safeguarding `flag`, 0.15, one more) and one more attack-set concern kept.
 */
export const ANOTHER_CLAUSE_KEEPS = 0.3;

/** What a model label calls its finding (it reads the whole comment, so it has no span). */
export const MODEL_SUBCATEGORY: Readonly<Record<Category, string>> = {
  offensive: 'abusive_or_threatening',
  safeguarding: 'possible_concern',
  personal_data: 'personal_details',
  media_enquiry: 'possible_enquiry',
  complaint: 'possible_complaint',
  spam: 'possible_spam',
};

/** The model labels nothing on its own in a comment of fewer words (dev: 23 rows under 5 words, the offensive ones evasive spellings the lexicons catch). */
export const MODEL_MIN_WORDS = 4;

/** The model overrules a listed term (`veto`) only in a comment of at most this many words. */
export const MODEL_VETO_MAX_WORDS = 80;

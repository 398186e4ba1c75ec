import { isYearGroupMention } from './roster-terms.js';
import type { Span } from './types.js';

/**
 * P11 without a roster: a first name alone is treated as a pupil's when it stands next to a year
 * group or class ("Tom in Year 4", "Year 4's Tom", "Tom (6C)") or after a "my son / your daughter"
 * phrase ("my son Tom"). Words that begin sentences or praise a class ("Congratulations Year 6",
 * "Welcome Reception") and staff titles ("Mr Hill's Year 6") are not names.
 */
const NOT_A_NAME = new Set(
  'mr mrs miss ms mx dr sir madam year yr well thank thanks happy good great merry dear the this that these those our your my his her their its class form head deputy congrats congratulations huge big lovely brilliant welcome hello hi hey has have is are was were can could will would please reception nursery school sports world book red blue green christmas easter summer spring autumn winter monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december st saint team house lower upper key stage all every everyone everybody today tomorrow yesterday well done amazing fantastic super proud superb excellent wonderful parents pupils children students staff teachers and or but so also then when if as at in on from of for to with by after before during last next new term trip visit assembly letter letters homework uniform lunch dinner breakfast club clubs sorry apologies hope we i you they she he it there here what who why how where which some any no yes ok okay dear please note our whole both each'.split(
    ' ',
  ),
);
const TITLES = /(?:mr|mrs|miss|ms|mx|dr|sir)\.?\s+$/i;

const NAME = /(?<![\p{L}\p{N}'’-])\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?(?![\p{L}\p{N}])/gu;
const FAMILY_PHRASE =
  /\b(?:my|your|our|his|her|their)\s+(?:(?:little|eldest|youngest|oldest|older|younger)\s+)?(?:son|daughter|child|boy|girl|kid|grandson|granddaughter|stepson|stepdaughter)\b/giu;
/** What may join a name and a year group: nothing, "in", "from", "of", a comma, a bracket, "'s". */
const JOIN_AFTER = /^\s*(?:,|\(|-|–|—)?\s*(?:(?:in|from|of|is\s+in|who\s+is\s+in)\s+)?$/iu;
const JOIN_BEFORE = /^(?:['’]s\s+|,\s*)$/u;
const JOIN_FAMILY = /^\s*,?\s*$/u;

function yearMentions(text: string): Span[] {
  const re =
    /\b(?:year|yr|y)\s?-?(?:1[0-3]|[1-9]|r)\b|\bclass\s?(?:1[0-3]|[1-9])[a-z]?\b|\b[1-9][A-Za-z]\b|\b(?:reception|nursery)\b|\b\p{Lu}\p{Ll}+\s+class\b/giu;
  const out: Span[] = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const part = m[0];
    // "Willow class" counts; "my class", "the class" do not.
    if (/\sclass$/i.test(part) && NOT_A_NAME.has(part.split(/\s+/)[0]!.toLowerCase())) continue;
    if (/class$/i.test(part) || isYearGroupMention(part)) out.push([m.index, m.index + part.length]);
  }
  return out;
}

export interface PupilReference {
  /** The name, as written. */
  name: Span;
  /** The year group, class or family phrase that made it a pupil's. */
  context: Span;
}

/** Names that the text makes pupils' (each with what made it one). */
export function pupilReferences(text: string): PupilReference[] {
  const years = yearMentions(text);
  const families: Span[] = [];
  FAMILY_PHRASE.lastIndex = 0;
  for (let m = FAMILY_PHRASE.exec(text); m !== null; m = FAMILY_PHRASE.exec(text))
    families.push([m.index, m.index + m[0].length]);
  if (years.length === 0 && families.length === 0) return [];
  const out: PupilReference[] = [];
  NAME.lastIndex = 0;
  for (let m = NAME.exec(text); m !== null; m = NAME.exec(text)) {
    const name: Span = [m.index, m.index + m[0].length];
    if (NOT_A_NAME.has(m[0].toLowerCase())) continue;
    if (TITLES.test(text.slice(Math.max(0, name[0] - 6), name[0]))) continue;
    if (years.some(([s, e]) => s < name[1] && name[0] < e)) continue;
    const context =
      years.find(([s]) => s >= name[1] && JOIN_AFTER.test(text.slice(name[1], s))) ??
      years.find(([, e]) => e <= name[0] && JOIN_BEFORE.test(text.slice(e, name[0]))) ??
      families.find(([, e]) => e <= name[0] && JOIN_FAMILY.test(text.slice(e, name[0])));
    if (context) out.push({ name, context });
  }
  return out;
}

/** "your son", "my daughter": a pupil spoken of, whether or not named. */
export function familyPhrases(text: string): Span[] {
  const out: Span[] = [];
  FAMILY_PHRASE.lastIndex = 0;
  for (let m = FAMILY_PHRASE.exec(text); m !== null; m = FAMILY_PHRASE.exec(text))
    out.push([m.index, m.index + m[0].length]);
  return out;
}

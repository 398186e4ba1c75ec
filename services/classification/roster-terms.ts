/**
 * "Year 4", "Yr 4", "Y4", "4B", "class 3", "Reception", "Key Stage 2", "KS2", on the folded text.
 * Used only beside a roster first name: a first name alone is too common to mean a pupil.
 */
export const YEAR_GROUP_MENTION =
  /\b(?:year|yr|y)\s?-?(?:1[0-3]|[1-9]|r|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen)\b|\bclass\s?(?:1[0-3]|[1-9])[a-z]?\b|\b[1-9][a-z]\b|\bs[1-6]\b|\bp[1-7]\b|\b(?:reception|nursery)\b|\b(?:key\s?stage\s?|ks\s?)[1-5]\b/g;

/** The whole of a span is one year-group or class mention ("Year 6", "Reception", "6C"). */
export function isYearGroupMention(text: string): boolean {
  YEAR_GROUP_MENTION.lastIndex = 0;
  const m = YEAR_GROUP_MENTION.exec(text.toLowerCase());
  YEAR_GROUP_MENTION.lastIndex = 0;
  return m !== null && m.index === 0 && m[0].length === text.length;
}

/**
 * First names that are also ordinary English words. Beside a year group they name a pupil only
 * when written with a capital: "Year 6 will visit" is not about a pupil called Will.
 */
export const WORD_LIKE_FIRST_NAMES: ReadonlySet<string> = new Set(
  (
    'will may hope grace joy faith rose summer autumn winter june april august bill mark pat max ' +
    'ray jack amber ruby holly ivy daisy poppy hazel rowan willow river sky skye storm sunny frank ' +
    'rich sue don dawn eve lily iris penny jasmine heath reed glen dale star brook bob art chase ' +
    'hunter angel king honey crystal melody harmony destiny trinity patience charity liberty ' +
    'blossom clay cliff drew gene guy jay lane miles nick page rob robin rusty sandy stone ted ' +
    'wade young bay beau sage sonny hero noble major rocky scout bear fox wolf'
  ).split(' '),
);

/**
 * How X counts a post's length (developer.x.com "Counting characters"; the twitter-text v3
 * configuration): the text is NFC-normalised; a code point in the light ranges (Latin, Greek,
 * Cyrillic, Hebrew, Arabic... up to U+10FF, and some general punctuation) weighs 1, any other 2;
 * an emoji weighs 2 however many code points make it (a skin tone, a flag, a ZWJ family); a link
 * weighs 23 however long it is, because X shortens it to a t.co link. The limit is 280.
 *
 * The maintained `twitter-text` package does this; it is not a dependency here, so this follows
 * its published configuration. Links without a scheme are recognised by a list of common
 * top-level domains: a rarer one is counted as its characters, which errs short of X only for a
 * link shorter than 23 characters.
 */
export const X_MAX_WEIGHTED_LENGTH = 280;
export const X_URL_WEIGHT = 23;

/** Code point ranges weighing 1 (twitter-text v3 `ranges`); everything else weighs 2. */
const LIGHT_RANGES: readonly (readonly [number, number])[] = [
  [0x0000, 0x10ff],
  [0x2000, 0x200d],
  [0x2010, 0x201f],
  [0x2032, 0x2037],
];

const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F|\u20E3|\p{Regional_Indicator}/u;

const TLDS = [
  'com',
  'org',
  'net',
  'edu',
  'gov',
  'uk',
  'ie',
  'us',
  'eu',
  'io',
  'co',
  'info',
  'me',
  'tv',
  'ly',
  'app',
  'dev',
  'news',
  'online',
  'site',
  'school',
  'education',
  'academy',
].join('|');

/** Links with a scheme, and bare domains ending in a known top-level domain, with any path. */
const LINK = new RegExp(
  `https?://[^\\s]+|(?<![\\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+(?:${TLDS})(?![\\w-])(?:[/?#][^\\s]*)?`,
  'giu',
);
/** Punctuation that ends a sentence, not the link before it. */
const TRAILING = /[.,:;!?'")\]]+$/u;

function codePointWeight(cp: number): number {
  return LIGHT_RANGES.some(([from, to]) => cp >= from && cp <= to) ? 1 : 2;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

function textWeight(text: string): number {
  let weight = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (EMOJI.test(segment)) weight += 2;
    else for (const ch of segment) weight += codePointWeight(ch.codePointAt(0)!);
  }
  return weight;
}

/** The length X gives a post's text, to compare with X_MAX_WEIGHTED_LENGTH. */
export function xWeightedLength(raw: string): number {
  const text = raw.normalize('NFC');
  let weight = 0;
  let from = 0;
  for (const match of text.matchAll(LINK)) {
    const link = match[0].replace(TRAILING, '');
    weight += textWeight(text.slice(from, match.index)) + X_URL_WEIGHT;
    from = match.index + link.length;
  }
  return weight + textWeight(text.slice(from));
}

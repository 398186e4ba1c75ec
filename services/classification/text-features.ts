/**
 * The features the learned model reads: hashed word unigrams and bigrams and character 3- to
 * 5-grams of the normalised skeleton (case, accents, look-alike letters, leetspeak and split
 * letters already folded by TextNormaliser), plus any emoji of the original text. Runs of one
 * letter are cut to two first, so "sooooo" and "soo" are one word and stretched spellings share
 * their n-grams with the plain word.
 *
 * Training and classifying both call this, so the two can never read a text differently.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEED_WORD = 0x9e3779b1;
const SEED_BIGRAM = 0x85ebca77;
const SEED_CHAR = 0xc2b2ae3d;
const SEED_EMOJI = 0x27d4eb2f;
const SPACE = 0x20;
/** A text with fewer features counts as if it had this many (see `value`). */
export const MIN_FEATURES = 80;
const KISSES = /(?<=^| )x+(?= |$)/g;
const EMOJI = /\p{Extended_Pictographic}/gu;
const MAYBE_EMOJI = /[\u2600-\u27bf\ud83c-\ud83e]/;

/** Sparse features of one text: `count` hashed indices, each with the same weight `value`. */
export class FeatureBuffer {
  indices = new Int32Array(512);
  /** Where each feature starts in the skeleton (an emoji: -1), for reading a part of the text. */
  at = new Int32Array(512);
  /** Where each word starts in the skeleton. */
  wordAt = new Int32Array(128);
  count = 0;
  /** Words read (a sign-off kiss is not one). */
  words = 0;
  /** Every feature counts 1, scaled so the vector has length (at most) 1. */
  value = 0;
  private squeezed = new Uint16Array(256);
  /** For each character of `squeezed`, its index in the skeleton. */
  private from = new Int32Array(256);

  constructor(readonly bits: number) {}

  private push(hash: number, at: number): void {
    if (this.count === this.indices.length) {
      const grown = new Int32Array(this.indices.length * 2);
      grown.set(this.indices);
      this.indices = grown;
      const grownAt = new Int32Array(this.at.length * 2);
      grownAt.set(this.at);
      this.at = grownAt;
    }
    this.at[this.count] = at;
    this.indices[this.count++] = hash >>> (32 - this.bits);
  }

  private pushWord(at: number): void {
    if (this.words === this.wordAt.length) {
      const grown = new Int32Array(this.wordAt.length * 2);
      grown.set(this.wordAt);
      this.wordAt = grown;
    }
    this.wordAt[this.words++] = at;
  }

  /** Reads `skel` (TextNormaliser.skel) and, for emoji, the original text. */
  extract(skel: string, original: string): void {
    this.count = 0;
    this.words = 0;
    // A sign-off kiss ("x", "xx", "xxx") says nothing about the comment. Blanked letter for
    // letter, so that positions still match the skeleton (runs of spaces are one space below).
    if (skel.includes('x')) skel = skel.replace(KISSES, blank);
    // " " + skeleton with letter runs cut to two + " ".
    if (this.squeezed.length < skel.length + 2) {
      this.squeezed = new Uint16Array(skel.length * 2 + 2);
      this.from = new Int32Array(skel.length * 2 + 2);
    }
    const s = this.squeezed;
    const from = this.from;
    let n = 0;
    from[n] = 0;
    s[n++] = SPACE;
    for (let i = 0; i < skel.length; i++) {
      const c = skel.charCodeAt(i);
      if (n >= 3 && s[n - 1] === c && s[n - 2] === c) continue;
      if (c === SPACE && s[n - 1] === SPACE) continue;
      from[n] = i;
      s[n++] = c;
    }
    if (s[n - 1] !== SPACE) {
      from[n] = Math.max(0, skel.length - 1);
      s[n++] = SPACE;
    }

    // Character n-grams, 3 to 5 long, across word boundaries. Each starts where its first
    // letter is (a leading space belongs to the word after it).
    for (let i = 0; i + 3 <= n; i++) {
      let h = (FNV_OFFSET ^ SEED_CHAR) >>> 0;
      const end = Math.min(n, i + 5);
      const at = s[i] === SPACE && i + 1 < n ? from[i + 1]! : from[i]!;
      for (let j = i; j < end; j++) {
        h = Math.imul(h ^ s[j]!, FNV_PRIME);
        if (j - i >= 2) this.push(finish(h), at);
      }
    }

    // Words and pairs of neighbouring words.
    let previous = 0;
    let hasPrevious = false;
    let h = FNV_OFFSET;
    let inWord = false;
    let wordStart = 0;
    for (let i = 1; i < n; i++) {
      const c = s[i]!;
      if (c === SPACE) {
        if (inWord) {
          const word = h >>> 0;
          this.pushWord(wordStart);
          this.push(finish(word ^ SEED_WORD), wordStart);
          if (hasPrevious) this.push(finish(Math.imul(previous ^ SEED_BIGRAM, FNV_PRIME) ^ word), wordStart);
          previous = word;
          hasPrevious = true;
        }
        h = FNV_OFFSET;
        inWord = false;
      } else {
        if (!inWord) wordStart = from[i]!;
        h = Math.imul(h ^ c, FNV_PRIME);
        inWord = true;
      }
    }

    if (MAYBE_EMOJI.test(original)) {
      EMOJI.lastIndex = 0;
      for (let m = EMOJI.exec(original); m !== null; m = EMOJI.exec(original)) {
        this.push(finish(Math.imul(SEED_EMOJI ^ m[0].codePointAt(0)!, FNV_PRIME)), -1);
      }
    }
    // Scaled to length 1, except that a short text counts as if it had MIN_FEATURES: three words
    // are weaker evidence than thirty, and should not reach a label on one phrase alone.
    this.value = this.count === 0 ? 0 : 1 / Math.sqrt(Math.max(this.count, MIN_FEATURES));
  }
}

const blank = (kiss: string): string => ' '.repeat(kiss.length);

/** Final avalanche (murmur3 fmix32), so the top bits used as the index are well mixed. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

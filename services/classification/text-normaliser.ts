import { BMP_FOLD, FOLD_DROP, FOLD_EXPAND, foldAstral, foldExpansion } from './char-fold.js';

const SPACE = 0x20;
const NEWLINE = 0x0a;
const APOSTROPHE = 0x27;
const MASK = 0x2a;

// Leetspeak is only read inside a token that already has a letter, so "Year 4", "3:15" and
// phone numbers keep their digits while "sh1t" and "@ss" become words.
const LEET = new Int32Array(128).fill(-1);
for (const [from, to] of Object.entries({
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'i',
  '+': 't',
})) {
  LEET[from.charCodeAt(0)] = to.charCodeAt(0);
}

enum Kind {
  Separator = 0,
  Letter = 1,
  Digit = 2,
  /** A symbol that may stand for a letter, or is dropped, inside a word. */
  Inner = 3,
}

const KIND = new Uint8Array(0x10000);
for (let c = 0x80; c < 0x10000; c++) KIND[c] = Kind.Letter;
for (let c = 0x61; c <= 0x7a; c++) KIND[c] = Kind.Letter;
// Currency signs are kept in the folded text for the money rules but are not letters.
KIND[0xa3] = Kind.Separator;
KIND[0x20ac] = Kind.Separator;
for (let c = 0x30; c <= 0x39; c++) KIND[c] = Kind.Digit;
for (const ch of "@$!|+*'") KIND[ch.charCodeAt(0)] = Kind.Inner;

const decoder = new TextDecoder('utf-16le');

function decode(buf: Uint16Array, length: number): string {
  return decoder.decode(buf.subarray(0, length));
}

/**
 * Two normalised views of a text, each with a map from every character back to the original
 * UTF-16 offsets it came from, so matches on either view become spans on the original.
 *
 * - `light`: case, width, diacritics, confusables folded; invisible characters removed;
 *   punctuation and digits kept. Used for phone numbers, emails, postcodes, year groups.
 * - `skel`: words only, one space between them, leetspeak read, apostrophes dropped and
 *   letters split by spaces or dots ("f.u.c.k") joined. Used for every lexicon.
 *
 * One instance is reused across calls (classification is synchronous), so the buffers grow to
 * the longest text seen and are not reallocated per comment.
 */
export class TextNormaliser {
  light = '';
  lightLength = 0;
  lightStart = new Int32Array(256);
  lightEnd = new Int32Array(256);
  skel = '';
  skelLength = 0;
  skelStart = new Int32Array(256);
  skelEnd = new Int32Array(256);

  private lightBuf = new Uint16Array(256);
  private skelBuf = new Uint16Array(256);
  private tokStart = new Int32Array(64);
  private tokEnd = new Int32Array(64);
  private tokLetter = new Int32Array(64);

  run(text: string): void {
    this.buildLight(text);
    this.buildSkeleton();
  }

  private ensure(capacity: number): void {
    if (this.lightBuf.length >= capacity) return;
    let size = this.lightBuf.length;
    while (size < capacity) size *= 2;
    this.lightBuf = new Uint16Array(size);
    this.lightStart = new Int32Array(size);
    this.lightEnd = new Int32Array(size);
    this.skelBuf = new Uint16Array(size);
    this.skelStart = new Int32Array(size);
    this.skelEnd = new Int32Array(size);
    this.tokStart = new Int32Array(size);
    this.tokEnd = new Int32Array(size);
    this.tokLetter = new Int32Array(size);
  }

  private buildLight(text: string): void {
    const len = text.length;
    // An expansion yields at most three characters per code unit.
    this.ensure(len * 3 + 4);
    const out = this.lightBuf;
    const starts = this.lightStart;
    const ends = this.lightEnd;
    let n = 0;
    let i = 0;
    while (i < len) {
      const c = text.charCodeAt(i);
      let width = 1;
      let folded: number;
      if (c < 0x80) {
        folded = BMP_FOLD[c]!;
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          width = 2;
          folded = foldAstral(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        } else {
          folded = SPACE;
        }
      } else {
        folded = BMP_FOLD[c]!;
      }
      if (folded === FOLD_EXPAND) {
        const expanded = foldExpansion(c);
        for (let k = 0; k < expanded.length; k++) {
          out[n] = expanded.charCodeAt(k);
          starts[n] = i;
          ends[n] = i + width;
          n++;
        }
      } else if (folded !== FOLD_DROP) {
        out[n] = folded;
        starts[n] = i;
        ends[n] = i + width;
        n++;
      }
      i += width;
    }
    this.lightLength = n;
    this.light = decode(out, n);
  }

  private buildSkeleton(): void {
    const src = this.lightBuf;
    const n = this.lightLength;
    const tokStart = this.tokStart;
    const tokEnd = this.tokEnd;
    const tokLetter = this.tokLetter;
    let tokens = 0;
    let i = 0;
    while (i < n) {
      while (i < n && KIND[src[i]!] === Kind.Separator) i++;
      if (i >= n) break;
      let s = i;
      while (i < n && KIND[src[i]!] !== Kind.Separator) i++;
      let e = i;
      // Trailing "!!!" or quotes are punctuation, not letters; a leading '@' or '$' may be a letter.
      while (e > s && KIND[src[e - 1]!] === Kind.Inner && src[e - 1] !== 0x24) e--;
      while (s < e && KIND[src[s]!] === Kind.Inner && src[s] !== 0x40 && src[s] !== 0x24) s++;
      if (s >= e) continue;
      let letters = 0;
      let emitted = 0;
      let lastLetter = -1;
      for (let k = s; k < e; k++) {
        const kind = KIND[src[k]!];
        if (kind === Kind.Letter) {
          letters++;
          lastLetter = src[k]!;
        }
        if (kind !== Kind.Inner || (src[k] !== APOSTROPHE && src[k] !== 0x2a)) emitted++;
      }
      if (emitted === 0) continue;
      tokStart[tokens] = s;
      tokEnd[tokens] = e;
      // A token that is one letter (after reading leetspeak) may be part of "f u c k".
      tokLetter[tokens] =
        letters === 1 && emitted === 1 ? lastLetter : letters === 0 && emitted === 1 ? -2 : -1;
      tokens++;
    }

    let m = 0;
    let t = 0;
    while (t < tokens) {
      let runEnd = t;
      if (tokLetter[t]! >= 0) {
        while (
          runEnd + 1 < tokens &&
          tokLetter[runEnd + 1]! >= 0 &&
          this.shortGap(tokEnd[runEnd]!, tokStart[runEnd + 1]!)
        ) {
          runEnd++;
        }
        // "what a p r a t": a leading "a" or "i" is more likely the word before the spelling.
        const first = tokLetter[t]!;
        if (runEnd - t >= 4 && (first === 0x61 || first === 0x69)) {
          m = this.emitSeparated(t, m);
          t++;
          continue;
        }
        if (runEnd - t < 2) runEnd = t;
      }
      m = this.emitSeparator(t, m);
      for (let k = t; k <= runEnd; k++) m = this.emitToken(tokStart[k]!, tokEnd[k]!, m);
      t = runEnd + 1;
    }
    this.skelLength = m;
    this.skel = decode(this.skelBuf, m);
  }

  private emitSeparator(t: number, m: number): number {
    if (m === 0) return m;
    this.skelBuf[m] = SPACE;
    this.skelStart[m] = this.lightEnd[this.tokEnd[t - 1]! - 1]!;
    this.skelEnd[m] = this.lightStart[this.tokStart[t]!]!;
    return m + 1;
  }

  private emitSeparated(t: number, m: number): number {
    return this.emitToken(this.tokStart[t]!, this.tokEnd[t]!, this.emitSeparator(t, m));
  }

  private shortGap(from: number, to: number): boolean {
    if (to - from > 3) return false;
    for (let k = from; k < to; k++) if (this.lightBuf[k] === NEWLINE) return false;
    return true;
  }

  private emitToken(s: number, e: number, m: number): number {
    const src = this.lightBuf;
    const out = this.skelBuf;
    let hasLetter = false;
    for (let k = s; k < e; k++) {
      if (KIND[src[k]!] === Kind.Letter) {
        hasLetter = true;
        break;
      }
    }
    for (let k = s; k < e; k++) {
      const c = src[k]!;
      const kind = KIND[c];
      let emit = c;
      if (kind === Kind.Inner || (kind === Kind.Digit && hasLetter)) {
        if (c === APOSTROPHE) continue;
        // A masking star between letters stays, for the phrase matcher to read as any letter.
        if (c === MASK) {
          if (k > s && k + 1 < e) {
            out[m] = MASK;
            this.skelStart[m] = this.lightStart[k]!;
            this.skelEnd[m] = this.lightEnd[k]!;
            m++;
          }
          continue;
        }
        const leet = hasLetter ? LEET[c]! : -1;
        if (leet < 0) {
          if (kind === Kind.Inner) continue;
        } else {
          emit = leet;
        }
      }
      out[m] = emit;
      this.skelStart[m] = this.lightStart[k]!;
      this.skelEnd[m] = this.lightEnd[k]!;
      m++;
    }
    return m;
  }
}

/** The skeleton of a short string, for compiling lexicon terms the same way texts are read. */
let termNormaliser: TextNormaliser | undefined;

export function skeletonOf(text: string): string {
  termNormaliser ??= new TextNormaliser();
  termNormaliser.run(text);
  return termNormaliser.skel;
}

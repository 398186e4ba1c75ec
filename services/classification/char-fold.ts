// Folds one code point to the ASCII-ish form every matcher works on. Tables are built once at
// module load so the per-character cost at classification time is one array read.

/** Table value for "drop this character" (zero-width, combining marks, bidi controls). */
export const FOLD_DROP = 0;
/** Table value for "expands to more than one character"; see `foldExpansion`. */
export const FOLD_EXPAND = 0xffff;

const SPACE = 0x20;

// Lookalikes that Unicode normalisation does not fold: Cyrillic and Greek letters used to dodge
// filters, plus Latin letters whose stroke is not a combining mark.
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  з: '3',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  п: 'n',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ь: 'b',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  г: 'r',
  и: 'u',
  ц: 'u',
  ш: 'w',
  щ: 'w',
  д: 'a',
  л: 'n',
  я: 'r',
  ф: 'o',
  α: 'a',
  β: 'b',
  γ: 'y',
  δ: 'd',
  ε: 'e',
  ζ: 'z',
  η: 'n',
  ι: 'i',
  κ: 'k',
  λ: 'l',
  μ: 'u',
  ν: 'v',
  ο: 'o',
  π: 'n',
  ρ: 'p',
  σ: 'o',
  ς: 'c',
  τ: 't',
  υ: 'u',
  φ: 'o',
  χ: 'x',
  ψ: 'w',
  ω: 'w',
  ƒ: 'f',
  ł: 'l',
  đ: 'd',
  ħ: 'h',
  ı: 'i',
  ŀ: 'l',
  ø: 'o',
  ŧ: 't',
  ʃ: 'f',
  ɑ: 'a',
  ɡ: 'g',
  ɩ: 'i',
  ɪ: 'i',
  ʀ: 'r',
  ʏ: 'y',
  ᴀ: 'a',
  ʙ: 'b',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ғ: 'f',
  ɢ: 'g',
  ʜ: 'h',
  ᴊ: 'j',
  ᴋ: 'k',
  ʟ: 'l',
  ᴍ: 'm',
  ɴ: 'n',
  ᴏ: 'o',
  ᴘ: 'p',
  ǫ: 'q',
  ꜱ: 's',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ᴢ: 'z',
  ƈ: 'c',
  ɗ: 'd',
  ƙ: 'k',
  ƥ: 'p',
  ʠ: 'q',
  ƭ: 't',
  ʋ: 'v',
  ȥ: 'z',
  ɓ: 'b',
  ɦ: 'h',
  ɱ: 'm',
  ɲ: 'n',
  ɾ: 'r',
  ʂ: 's',
  ʐ: 'z',
  ƴ: 'y',
  ɠ: 'g',
  '¡': 'i',
  '£': '£',
  '€': '€',
  '‘': "'",
  '’': "'",
  '‛': "'",
  '′': "'",
  '“': '"',
  '”': '"',
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '–': '-',
  '—': '-',
  '―': '-',
};

const EXPANSIONS_BY_CHAR: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th' };

const table = new Uint16Array(0x10000);
const expansions = new Map<number, string>();

function foldString(s: string): string | undefined {
  const lower = s.toLowerCase();
  const viaConfusable = CONFUSABLES[lower] ?? CONFUSABLES[s];
  if (viaConfusable !== undefined) return viaConfusable;
  const expanded = EXPANSIONS_BY_CHAR[lower];
  if (expanded !== undefined) return expanded;
  const stripped = s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const strippedConfusable = CONFUSABLES[stripped];
  if (strippedConfusable !== undefined) return strippedConfusable;
  if (/^[a-z0-9]{1,3}$/.test(stripped)) return stripped;
  if (stripped.length === 1 && stripped.charCodeAt(0) < 0x80) return stripped;
  return undefined;
}

function classify(cp: number): string | 0 {
  const s = String.fromCharCode(cp);
  if (/[\p{M}\p{Cf}]/u.test(s)) return 0;
  if (cp < 0x80) {
    if (cp < 0x20 || cp === 0x7f) return ' ';
    return s.toLowerCase();
  }
  if (/[\p{Z}\p{Cc}]/u.test(s)) return ' ';
  const folded = foldString(s);
  if (folded !== undefined) return folded;
  if (/\p{L}/u.test(s)) return s.toLowerCase().length === 1 ? s.toLowerCase() : s;
  return ' ';
}

function fill(from: number, to: number): void {
  for (let cp = from; cp < to; cp++) {
    const f = classify(cp);
    if (f === 0) table[cp] = FOLD_DROP;
    else if (f.length === 1) table[cp] = f.charCodeAt(0);
    else {
      table[cp] = FOLD_EXPAND;
      expansions.set(cp, f);
    }
  }
}

fill(0, 0x3400);
// CJK and other large scripts cannot hide an English word; they pass through as letters.
for (let cp = 0x3400; cp < 0xa000; cp++) table[cp] = cp;
fill(0xa000, 0xd800);
for (let cp = 0xd800; cp < 0xe000; cp++) table[cp] = SPACE;
fill(0xe000, 0x10000);

export const BMP_FOLD: Readonly<Uint16Array> = table;

export function foldExpansion(cp: number): string {
  return expansions.get(cp) ?? ' ';
}

const mathAlnum = new Uint16Array(0x400);
for (let i = 0; i < 0x400; i++) {
  const folded = foldString(String.fromCodePoint(0x1d400 + i));
  mathAlnum[i] = folded !== undefined && folded.length === 1 ? folded.charCodeAt(0) : SPACE;
}

/** Folds a supplementary-plane code point: styled maths letters, boxed letters, emoji. */
export function foldAstral(cp: number): number {
  if (cp >= 0x1d400 && cp < 0x1d800) return mathAlnum[cp - 0x1d400]!;
  // Squared, negative circled and negative squared Latin capitals, and regional indicators.
  if (cp >= 0x1f130 && cp <= 0x1f149) return 0x61 + cp - 0x1f130;
  if (cp >= 0x1f150 && cp <= 0x1f169) return 0x61 + cp - 0x1f150;
  if (cp >= 0x1f170 && cp <= 0x1f189) return 0x61 + cp - 0x1f170;
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return 0x61 + cp - 0x1f1e6;
  if (cp >= 0xe0000 && cp <= 0xe007f) return FOLD_DROP;
  return SPACE;
}

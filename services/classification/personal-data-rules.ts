import type { Severity } from './types.js';

export interface RuleHit {
  subcategory: string;
  severity: Severity;
  source: string;
  /** Offsets into the text the rule ran on, end exclusive. */
  start: number;
  end: number;
}

// These run on the folded text, so full-width digits and zero-width characters are already gone.
// Compiled once; `lastIndex` is reset on every use.
const EMAIL = /[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/g;
const EMAIL_SPELLED =
  /[a-z0-9][a-z0-9._-]*\s*(?:\(at\)|\[at\]|\sat\s)\s*[a-z0-9-]+\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*(?:com|co|org|net|uk|gov|sch)\b(?:\s*(?:\.|\(dot\)|\sdot\s)\s*uk)?/g;
// UK numbers: 07xxx mobiles, 01/02/03 landlines, with +44 or 0044, in the usual groupings.
const PHONE =
  /(?<![\d])(?:(?:\+|00)\s?44\s?\(?0?\)?\s?|\(?0)(?:1|2|3|7|8)\d{1,4}\)?(?:[\s.-]?\d){6,8}(?!\d)/g;
// Inward codes never use C, I, K, M, O or V, which keeps "b4 5pm" out.
const POSTCODE = /\b(?:([a-pr-uwyz][a-hk-y]?)\d[a-z\d]?)\s?\d[abd-hjlnp-uw-z]{2}\b/g;
/**
 * The UK's postcode areas (Royal Mail, plus the Crown dependencies). The shape alone also matches
 * words such as "id10ts" ("ID1 0TS"), so an area that does not exist is not a postcode.
 */
const POSTCODE_AREAS = new Set(
  (
    'ab al b ba bb bd bh bl bn br bs bt ca cb cf ch cm co cr ct cv cw da dd de dg dh dl dn dt dy e ec ' +
    'eh en ex fk fy g gl gu gy ha hd hg hp hr hs hu hx ig im ip iv je ka kt kw ky l la ld le ll ln ls ' +
    'lu m me mk ml n ne ng nn np nr nw ol ox pa pe ph pl po pr rg rh rm s sa se sg sk sl sm sn so sp ' +
    'sr ss st sw sy ta td tf tn tq tr ts tw ub w wa wc wd wf wn wr ws wv yo ze'
  ).split(' '),
);
const STREET_SUFFIX =
  'Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Cres|Grove|Place|Court|Gardens|Terrace|Mews|Hill|Rise|Square|Row|Walk|Park|View';
// Addresses are matched on the original text: a house number then capitalised street words.
const ADDRESS = new RegExp(
  `\\b(?:[Ff]lat\\s+\\d+[A-Za-z]?,?\\s+)?\\d{1,4}[A-Za-z]?,?\\s+(?:[A-Z][a-z'’]+\\s+){1,3}(?:${STREET_SUFFIX})\\b`,
  'g',
);

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) n++;
  }
  return n;
}

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) return true;
  }
  return false;
}

function each(re: RegExp, text: string, fn: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) fn(m);
}

/** Phone numbers, emails and postcodes on the folded text. */
export function findPersonalDataInLight(light: string, onHit: (hit: RuleHit) => void): void {
  if (light.includes('@')) {
    each(EMAIL, light, (m) =>
      onHit({
        subcategory: 'email',
        severity: 'medium',
        source: 'rule:email',
        start: m.index,
        end: m.index + m[0].length,
      }),
    );
  }
  if (
    (light.includes(' at ') || light.includes('(at)') || light.includes('[at]')) &&
    (light.includes(' dot ') || light.includes('(dot)') || light.includes('[dot]'))
  ) {
    each(EMAIL_SPELLED, light, (m) =>
      onHit({
        subcategory: 'email',
        severity: 'medium',
        source: 'rule:email-spelled',
        start: m.index,
        end: m.index + m[0].length,
      }),
    );
  }
  if (!hasDigit(light)) return;
  each(PHONE, light, (m) => {
    const digits = digitCount(m[0]);
    if (digits < 10 || digits > 13) return;
    onHit({
      subcategory: 'phone',
      severity: 'medium',
      source: 'rule:uk-phone',
      start: m.index,
      end: m.index + m[0].length,
    });
  });
  each(POSTCODE, light, (m) => {
    if (!POSTCODE_AREAS.has(m[1]!)) return;
    onHit({
      subcategory: 'postcode',
      severity: 'medium',
      source: 'rule:uk-postcode',
      start: m.index,
      end: m.index + m[0].length,
    });
  });
}

/** Street addresses, on the original text because capitals are what separate them from prose. */
export function findAddresses(text: string, onHit: (hit: RuleHit) => void): void {
  if (!hasDigit(text)) return;
  each(ADDRESS, text, (m) =>
    onHit({
      subcategory: 'address',
      severity: 'medium',
      source: 'rule:street-address',
      start: m.index,
      end: m.index + m[0].length,
    }),
  );
}

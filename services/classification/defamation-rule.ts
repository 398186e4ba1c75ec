import type { Label, Span } from './types.js';

/**
 * P7 defamation: an allegation of a crime or of misconduct against a named or identifiable member
 * of staff ("Mr Patel stole the trip money", "the head is a drunk"). A rule of two parts in one
 * sentence: who (a title and surname, or a staff role) and what (a crime or misconduct). Either
 * alone is not enough: "Mr Patel was brilliant" and "someone stole my bike" are not defamation.
 * Whether it is true is for the senior leader it is escalated to; the rule only finds it.
 */

/** A title and a capitalised surname ("Mrs O'Neill", "Mr. Smith-Jones"), or a staff role. */
export const NAMED_STAFF = /\b(?:Mr|Mrs|Miss|Ms|Mx|Dr|Sir)\.?\s+[A-Z][A-Za-z'’-]+/g;
const STAFF_ROLE =
  /\b(?:the|your|their|that|this|his|her|our|my (?:son|daughter|child|kid)(?:'s|’s))\s+(?:(?:new|old|deputy|assistant|class|form|pe|maths|english|science|music)\s+)?(?:head\s?teacher|headmaster|headmistress|head|principal|teacher|teaching assistant|ta|senco|caretaker|receptionist|business manager|bursar|governor|dinner lady)\b/gi;

/** Crimes and misconduct alleged of a person. Kept to what an allegation says, not insults. */
const ALLEGATION = new RegExp(
  [
    String.raw`\b(?:is|was|are|he's|she's|they're)\s+(?:a\s+|an\s+)?(?:thief|fraud|fraudster|criminal|drunk|alcoholic|druggie|junkie|racist|abuser|paedo|pedo|paedophile|pedophile|nonce|liar|bully|corrupt|crook)\b`,
    String.raw`\b(?:stole|steals|stealing|stolen|nicked|nicking|pocketed|pocketing|embezzl\w*|fiddl(?:ed|ing) the (?:books|accounts|money)|cook(?:ed|ing) the books|falsifi\w+|forged|forging)\b`,
    String.raw`\b(?:hit|hits|hitting|slapped|slaps|punched|kicked|assaulted|abused|abuses|abusing|groped|touched up)\s+(?:a\s+|the\s+|my\s+|our\s+|some\s+)?(?:kids?|child(?:ren)?|pupils?|students?|son|daughter|boy|girl|year\s?\d+s?)\b`,
    String.raw`\b(?:drunk|drinking|on drugs|high|stoned)\s+(?:at|in|on)\s+(?:school|work|the job|the trip|parents'? evening)\b`,
    String.raw`\b(?:takes|taking|dealing|deals|sells|selling)\s+drugs\b`,
    String.raw`\b(?:having an affair|sleeping with|shagging)\b`,
    String.raw`\b(?:was|got|been|being)\s+(?:arrested|convicted|charged|cautioned|sacked|struck off|suspended for)\b`,
    String.raw`\b(?:has a|with a|got a)\s+criminal record\b`,
    String.raw`\b(?:lied|lies|lying)\s+(?:to|about)\s+(?:ofsted|parents|the governors|the police|us)\b`,
  ].join('|'),
  'gi',
);
const SENTENCE_END = /[.!?\n]/;
/** How far apart who and what may be in one sentence. */
const MAX_GAP = 100;

function matches(re: RegExp, text: string): Span[] {
  re.lastIndex = 0;
  const out: Span[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  return out;
}

function sameSentence(text: string, a: Span, b: Span): boolean {
  const from = Math.min(a[1], b[1]);
  const to = Math.max(a[0], b[0]);
  if (to - from > MAX_GAP) return false;
  return !SENTENCE_END.test(text.slice(from, to));
}

/** The named or identifiable staff members a text speaks of: "Mr Patel", "the head". */
export function staffReferences(text: string): string[] {
  return [
    ...new Set(
      [...matches(NAMED_STAFF, text), ...matches(STAFF_ROLE, text)].map(([s, e]) => text.slice(s, e)),
    ),
  ];
}

/** The defamation label for a text, or null: staff spans and allegation spans in the same sentence. */
export function findDefamation(text: string): Label | null {
  const who = [...matches(NAMED_STAFF, text), ...matches(STAFF_ROLE, text)];
  if (who.length === 0) return null;
  // In text order, without overlaps: only allegations within MAX_GAP of a reference can pair with
  // it, so each reference looks at its neighbours (a long hostile comment is not who × what work).
  const what = matches(ALLEGATION, text);
  const spans = new Set<Span>();
  for (const w of who) {
    let lo = 0;
    let hi = what.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (what[mid]![1] < w[0] - MAX_GAP) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < what.length && what[i]![0] <= w[1] + MAX_GAP; i++) {
      if (sameSentence(text, w, what[i]!)) spans.add(w).add(what[i]!);
    }
  }
  if (spans.size === 0) return null;
  const unique = [...new Map([...spans].map((s) => [`${s[0]}:${s[1]}`, s])).values()].sort(
    (x, y) => x[0] - y[0],
  );
  return {
    category: 'offensive',
    subcategory: 'defamation',
    severity: 'medium',
    spans: unique,
    source: 'rule:conduct/defamation',
    confidence: 0.8,
  };
}

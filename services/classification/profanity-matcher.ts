import {
  type BlacklistedTerm,
  collapseDuplicatesTransformer,
  englishDataset,
  englishRecommendedWhitelistMatcherTransformers,
  type MatchPayload,
  RegExpMatcher,
  SyntaxKind,
} from 'obscenity';

const SPACE = 0x20;

interface AnchorNode {
  next: Map<number, AnchorNode> | undefined;
  group: number;
}

export interface ProfanityHit {
  word: string;
  /** Offsets into the skeleton, end exclusive. */
  start: number;
  end: number;
}

/**
 * obscenity's English dataset behind a pre-filter.
 *
 * Running every obscenity pattern over a whole comment costs about 30 µs, more than half the
 * budget. Instead each pattern is filed under its longest literal ("ck" for f?ck, "shit" for
 * shit), one scan of the skeleton finds which literals occur, and only the patterns under those
 * literals run, only on the few words around each occurrence.
 */
class AnchoredProfanityMatcher {
  private readonly root: AnchorNode = { next: undefined, group: -1 };
  private readonly quick: RegExpMatcher[] = [];
  private readonly matchers: RegExpMatcher[] = [];
  /** Letters that begin some literal, so most positions are skipped with one array read. */
  private readonly starts = new Uint8Array(0x10000);
  private readonly seenGroup: Int32Array;
  private readonly seenStart: Int32Array;

  constructor() {
    const built = englishDataset.build();
    const groups = new Map<string, BlacklistedTerm[]>();
    for (const term of built.blacklistedTerms) {
      const anchor = longestLiteral(term);
      const list = groups.get(anchor);
      if (list === undefined) groups.set(anchor, [term]);
      else list.push(term);
    }
    for (const [anchor, terms] of groups) {
      const group = this.matchers.length;
      this.quick.push(
        new RegExpMatcher({ blacklistedTerms: terms, blacklistMatcherTransformers: [collapse()] }),
      );
      this.matchers.push(
        new RegExpMatcher({
          blacklistedTerms: terms,
          whitelistedTerms: built.whitelistedTerms,
          blacklistMatcherTransformers: [collapse()],
          whitelistMatcherTransformers: englishRecommendedWhitelistMatcherTransformers,
        }),
      );
      let node = this.root;
      this.starts[anchor.charCodeAt(0)] = 1;
      for (let i = 0; i < anchor.length; i++) {
        node.next ??= new Map();
        const code = anchor.charCodeAt(i);
        let child = node.next.get(code);
        if (child === undefined) {
          child = { next: undefined, group: -1 };
          node.next.set(code, child);
        }
        node = child;
      }
      node.group = group;
    }
    this.seenGroup = new Int32Array(this.matchers.length);
    this.seenStart = new Int32Array(this.matchers.length);
  }

  match(skel: string, onHit: (hit: ProfanityHit) => void): void {
    const len = skel.length;
    this.seenGroup.fill(0);
    for (let p = 0; p < len; p++) {
      const first = skel.charCodeAt(p);
      if (this.starts[first] === 0 || (p > 0 && skel.charCodeAt(p - 1) === first)) continue;
      let node = this.root.next?.get(first);
      let prev = first;
      let q = p + 1;
      while (node !== undefined) {
        if (node.group >= 0) this.runGroup(node.group, skel, p, q, onHit);
        if (q >= len) break;
        const c = skel.charCodeAt(q);
        const child = node.next?.get(c);
        if (child === undefined && c === prev) {
          q++;
          continue;
        }
        node = child;
        prev = c;
        q++;
      }
    }
  }

  private runGroup(
    group: number,
    skel: string,
    from: number,
    to: number,
    onHit: (hit: ProfanityHit) => void,
  ) {
    // Take the words holding the literal and one word either side: obscenity's allow-list has
    // two-word entries ("pen is", "s hit") that must see their neighbour.
    let start = from;
    let words = 0;
    while (start > 0) {
      if (skel.charCodeAt(start - 1) === SPACE && ++words > 1) break;
      start--;
    }
    let end = to;
    words = 0;
    while (end < skel.length) {
      if (skel.charCodeAt(end) === SPACE && ++words > 1) break;
      end++;
    }
    const marker = start + 1;
    if (this.seenGroup[group] === marker) return;
    this.seenGroup[group] = marker;
    this.seenStart[group] = start;
    const window = skel.slice(start, end);
    if (!this.quick[group]!.hasMatch(window)) return;
    const matches: MatchPayload[] = this.matchers[group]!.getAllMatches(window);
    for (const m of matches) {
      const word = englishDataset.getPayloadWithPhraseMetadata(m).phraseMetadata?.originalWord ?? 'profanity';
      onHit({ word, start: start + m.startIndex, end: start + m.endIndex + 1 });
    }
  }
}

// English thresholds from obscenity's preset: "ass", "boob", "fellatio" keep their doubles.
function collapse() {
  return collapseDuplicatesTransformer({
    defaultThreshold: 1,
    customThresholds: new Map([
      ['b', 2],
      ['e', 2],
      ['o', 2],
      ['l', 2],
      ['s', 2],
      ['g', 2],
    ]),
  });
}

/**
 * The longest run of letters every match must contain. An optional repeat of the previous
 * letter ("s[s]e[e]x") does not break the run, since the scan tolerates repeated letters.
 */
function longestLiteral(term: BlacklistedTerm): string {
  let best = '';
  let run = '';
  for (const node of term.pattern.nodes) {
    if (node.kind === SyntaxKind.Literal) {
      run += String.fromCodePoint(...node.chars);
    } else if (
      node.kind === SyntaxKind.Optional &&
      node.childNode.kind === SyntaxKind.Literal &&
      node.childNode.chars.length === 1 &&
      run.length > 0 &&
      run.codePointAt(run.length - 1) === node.childNode.chars[0]
    ) {
      continue;
    } else {
      run = '';
    }
    if (run.length > best.length) best = run;
  }
  return best.length > 0 ? best : '?';
}

let shared: AnchoredProfanityMatcher | undefined;

/** The dataset is fixed, so one compiled matcher serves every classifier in the process. */
export function profanityMatcher(): AnchoredProfanityMatcher {
  shared ??= new AnchoredProfanityMatcher();
  return shared;
}

export type { AnchoredProfanityMatcher };

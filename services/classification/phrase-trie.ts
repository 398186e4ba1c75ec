import { skeletonOf } from './text-normaliser.js';

const SPACE = 0x20;
const MASK = 0x2a;

interface TrieNode {
  /** Children for 'a'..'z' and space, by index: the common case without a hash lookup. */
  kids: (TrieNode | undefined)[] | undefined;
  /** Children for any other character. */
  next: Map<number, TrieNode> | undefined;
  /** Term ids that end here, at the end of a word. */
  exact: number[] | undefined;
  /** Continue here after skipping the rest of the current word ("kill*"). */
  rest: TrieNode | undefined;
  /** Continue here after skipping one whole word ("~"). */
  anyWord: TrieNode | undefined;
}

function newNode(): TrieNode {
  return { kids: undefined, next: undefined, exact: undefined, rest: undefined, anyWord: undefined };
}

function slot(code: number): number {
  if (code >= 0x61 && code <= 0x7a) return code - 0x61;
  return code === SPACE ? 26 : -1;
}

function childOf(node: TrieNode, code: number): TrieNode | undefined {
  const i = slot(code);
  return i >= 0 ? node.kids?.[i] : node.next?.get(code);
}

function setChild(node: TrieNode, code: number, child: TrieNode): void {
  const i = slot(code);
  if (i >= 0) {
    node.kids ??= new Array<TrieNode | undefined>(27).fill(undefined);
    node.kids[i] = child;
  } else {
    node.next ??= new Map();
    node.next.set(code, child);
  }
}

type Step = { kind: 'char'; code: number } | { kind: 'rest' } | { kind: 'any' };

/** Receives `(termId, skelStart, skelEnd)` for every match. */
export type TrieHit = (termId: number, start: number, end: number) => void;

/**
 * Matches lexicon phrases on a text skeleton, anchored at word starts.
 *
 * Term syntax: words separated by spaces; `word*` matches any word starting with `word`; `~` is
 * an optional wildcard word. Terms are compiled through the same normaliser as texts, and
 * repeated letters are collapsed on both sides, so "fuuuck", "assess" and "asess" meet.
 */
export class PhraseTrie {
  private readonly root = newNode();
  size = 0;

  add(term: string, termId: number): void {
    const words = term.trim().toLowerCase().split(/\s+/);
    const variants = expandOptionalWords(words);
    for (const variant of variants) {
      const steps = stepsOf(variant);
      if (steps.length === 0 || steps[0]?.kind !== 'char') continue;
      let node = this.root;
      for (const step of steps) {
        if (step.kind === 'char') {
          let child = childOf(node, step.code);
          if (child === undefined) {
            child = newNode();
            setChild(node, step.code, child);
          }
          node = child;
        } else if (step.kind === 'rest') {
          node.rest ??= newNode();
          node = node.rest;
        } else {
          node.anyWord ??= newNode();
          node = node.anyWord;
        }
      }
      node.exact ??= [];
      if (!node.exact.includes(termId)) node.exact.push(termId);
      this.size++;
    }
  }

  /** Reports every match starting at a word start of `skel`. */
  match(skel: string, onHit: TrieHit): void {
    const len = skel.length;
    let pos = 0;
    while (pos < len) {
      this.walk(this.root, skel, pos, pos, -1, onHit);
      const space = skel.indexOf(' ', pos);
      if (space < 0) break;
      pos = space + 1;
    }
  }

  private walk(start: TrieNode, skel: string, from: number, pos: number, prev: number, onHit: TrieHit): void {
    const len = skel.length;
    let node = start;
    for (;;) {
      const c = pos < len ? skel.charCodeAt(pos) : SPACE;
      if (c === prev && c !== SPACE && c !== MASK) {
        pos++;
        continue;
      }
      if (c === SPACE) {
        if (node.exact !== undefined) for (const id of node.exact) onHit(id, from, pos);
        if (node.anyWord !== undefined && pos < len) {
          let q = pos + 1;
          while (q < len && skel.charCodeAt(q) !== SPACE) q++;
          if (q > pos + 1) this.walk(node.anyWord, skel, from, q, -1, onHit);
        }
      }
      if (node.rest !== undefined) {
        let q = pos;
        while (q < len && skel.charCodeAt(q) !== SPACE) q++;
        this.walk(node.rest, skel, from, q, -1, onHit);
      }
      if (pos >= len) return;
      if (c === MASK) {
        // "sh*t", "c*nt": a masked letter may be any letter of the term.
        if (node.kids !== undefined) {
          for (let i = 0; i < 26; i++) {
            const child = node.kids[i];
            if (child !== undefined) this.walk(child, skel, from, pos + 1, MASK, onHit);
          }
        }
        if (node.next !== undefined) {
          for (const child of node.next.values()) this.walk(child, skel, from, pos + 1, MASK, onHit);
        }
        return;
      }
      const child = childOf(node, c);
      if (child === undefined) return;
      node = child;
      prev = c;
      pos++;
    }
  }
}

function expandOptionalWords(words: string[]): string[][] {
  let variants: string[][] = [[]];
  for (const word of words) {
    if (word === '~') {
      variants = variants.flatMap((v) => [v, [...v, '~']]);
    } else {
      for (const v of variants) v.push(word);
    }
  }
  return variants;
}

function stepsOf(words: string[]): Step[] {
  const steps: Step[] = [];
  for (const word of words) {
    // The wildcard word carries its own leading space: it is taken at the end of a word.
    if (word === '~') {
      steps.push({ kind: 'any' });
      continue;
    }
    if (steps.length > 0) steps.push({ kind: 'char', code: SPACE });
    const prefix = word.endsWith('*');
    const skel = skeletonOf(prefix ? word.slice(0, -1) : word);
    let prev = -1;
    for (let i = 0; i < skel.length; i++) {
      const code = skel.charCodeAt(i);
      if (code === prev && code !== SPACE) continue;
      steps.push({ kind: 'char', code });
      prev = code;
    }
    if (prefix) steps.push({ kind: 'rest' });
  }
  return steps;
}

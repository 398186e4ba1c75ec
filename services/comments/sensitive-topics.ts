import type { SensitiveTopic } from './reply-policy.js';

export interface TopicHit {
  topic: string;
  /** The words that touched it, as written in the reply. */
  words: string[];
  spans: [number, number][];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isCapitals = (term: string) => /^[A-Z]{2,}$/.test(term);

const memo = new Map<string, RegExp>();
function patternFor(term: string): RegExp {
  const known = memo.get(term);
  if (known) return known;
  // Whole words only; spaces in a phrase match any run of spaces; capitals (SEN) match only as written.
  const body = escapeRegExp(term.trim()).replace(/\s+/g, '\\s+');
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, isCapitals(term) ? 'gu' : 'giu');
  if (memo.size > 5_000) memo.clear();
  memo.set(term, re);
  return re;
}

/** P10: the school's sensitive topics a text touches, each with the words that touched it. */
export function touchedTopics(text: string, topics: readonly SensitiveTopic[]): TopicHit[] {
  const hits: TopicHit[] = [];
  for (const topic of topics) {
    const spans: [number, number][] = [];
    for (const term of topic.terms) {
      const re = patternFor(term);
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) spans.push([m.index, m.index + m[0].length]);
    }
    if (spans.length === 0) continue;
    spans.sort((a, b) => a[0] - b[0]);
    hits.push({ topic: topic.name, words: [...new Set(spans.map(([s, e]) => text.slice(s, e)))], spans });
  }
  return hits;
}

import { escapeHtml } from '@kitajs/html';
import { bidiBalancer } from '../../core/bidi-isolation.js';

/**
 * Untrusted comment text with the classifier's matched spans wrapped in <mark>, isolated in one
 * <bdi> like every piece of public text (see PublicText). Every piece of the text is escaped;
 * spans are clamped to the text and merged, so a bad span can never cut a tag open.
 */
export function HighlightedText({ text, spans }: { text: string; spans: [number, number][] }): string {
  const sorted = spans
    .map(([s, e]) => [Math.max(0, Math.min(s, text.length)), Math.max(0, Math.min(e, text.length))] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const bidi = bidiBalancer();
  const piece = (from: number, to: number) => escapeHtml(bidi.take(text.slice(from, to)));
  let out = '';
  let at = 0;
  for (const [s, e] of sorted) {
    if (e <= at) continue;
    const start = Math.max(s, at);
    out += piece(at, start);
    out += `<mark>${piece(start, e)}</mark>`;
    at = e;
  }
  return `<bdi>${out}${piece(at, text.length)}${bidi.end()}</bdi>`;
}

import { escapeHtml } from '@kitajs/html';

/**
 * Untrusted comment text with the classifier's matched spans wrapped in <mark>. Every piece of
 * the text is escaped; spans are clamped to the text and merged, so a bad span can never cut a
 * tag open.
 */
export function HighlightedText({ text, spans }: { text: string; spans: [number, number][] }): string {
  const sorted = spans
    .map(([s, e]) => [Math.max(0, Math.min(s, text.length)), Math.max(0, Math.min(e, text.length))] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [s, e] of sorted) {
    if (e <= at) continue;
    const start = Math.max(s, at);
    out += escapeHtml(text.slice(at, start));
    out += `<mark>${escapeHtml(text.slice(start, e))}</mark>`;
    at = e;
  }
  return out + escapeHtml(text.slice(at));
}

import { escapeHtml } from '@kitajs/html';

/**
 * Public text (a comment, its author's name) in HTML: escaped and isolated in its own `<bdi>`, so
 * a right-to-left override (U+202E) cannot reorder what is around it. Pages use PublicText
 * (services/web/components/public-text.tsx); emails use this.
 */
export function isolateHtml(text: string): string {
  return `<bdi>${escapeHtml(balanceBidi(text))}</bdi>`;
}

/**
 * Public text for a place that takes no markup (a plain-text email, Slack, Teams): balanced, and
 * between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, which do in plain text what `<bdi>`
 * does on a page.
 */
export function isolatePlain(text: string): string {
  return `\u2068${balanceBidi(text)}\u2069`;
}

const ISOLATE_OPEN = new Set([0x2066, 0x2067, 0x2068]);
const PDI = 0x2069;
/** Characters that may end a bidi paragraph (UAX #9 class B). */
const PARAGRAPH_END = new Set([0x0a, 0x0d, 0x1c, 0x1d, 0x1e, 0x85, 0x2029]);

/**
 * Pairs the text's directional isolates among themselves. Browsers implement `<bdi>` by
 * bracketing its text with isolate controls, so a stray POP DIRECTIONAL ISOLATE (U+2069) inside
 * would close the `<bdi>` itself and let an override after it reorder the page, and an isolate
 * the text leaves open would take the `<bdi>`'s own closing mark. So a PDI that closes nothing is
 * dropped, and each isolate still open is closed before a paragraph break and at the end.
 * Overrides and embeddings (U+202A–U+202E) need nothing: an isolate's end closes them.
 */
export function balanceBidi(text: string): string {
  const balancer = bidiBalancer();
  return balancer.take(text) + balancer.end();
}

/** balanceBidi over a text cut in pieces (matched words marked): isolates pair across the cuts. */
export function bidiBalancer(): { take(piece: string): string; end(): string } {
  let open = 0;
  return {
    take(piece) {
      let out = '';
      let from = 0;
      for (let i = 0; i < piece.length; i++) {
        const c = piece.charCodeAt(i);
        if (ISOLATE_OPEN.has(c)) open++;
        else if (c === PDI) {
          if (open > 0) open--;
          else {
            out += piece.slice(from, i);
            from = i + 1;
          }
        } else if (PARAGRAPH_END.has(c) && open > 0) {
          out += `${piece.slice(from, i)}${'\u2069'.repeat(open)}`;
          from = i;
          open = 0;
        }
      }
      return from === 0 ? piece : out + piece.slice(from);
    },
    end() {
      const closing = '\u2069'.repeat(open);
      open = 0;
      return closing;
    },
  };
}

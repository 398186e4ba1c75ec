import type { FieldError } from './page-bits.js';

/**
 * The GOV.UK Design System's error pattern, for every form the page kit serves
 * (https://design-system.service.gov.uk/components/error-summary/ and /error-message/):
 *
 * - an error summary at the top of the page ("There is a problem", role=alert, focused on load by
 *   app.js), each error a link to its field;
 * - an error message above each field in error, tied to it by aria-describedby, the field marked
 *   aria-invalid.
 *
 * The errors come from the form's zod validation (the route's body schema, or the verb's own
 * check) through the flash cookie (page-kit.ts `runForm`); `withFormErrors` places them on the
 * page the form was on, which is rendered as usual: the form's own markup needs nothing extra.
 */

export function ErrorSummary({ errors }: { errors: { text: string; href: string | null }[] }): JSX.Element {
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
      <h2 class="error-summary-title" id="error-summary-title">
        There is a problem
      </h2>
      <ul class="error-summary-list">
        {errors.map((e) => (
          <li>
            {e.href ? (
              <a href={e.href} safe>
                {e.text}
              </a>
            ) : (
              <span safe>{e.text}</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ErrorMessage({ id, text }: { id: string; text: string }): JSX.Element {
  return (
    <span class="error-message" id={id}>
      <span class="visually-hidden">Error:</span> <span safe>{text}</span>
    </span>
  );
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Attribute values as kitajs writes them (the characters it escapes). */
const asAttribute = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('"', '&#34;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Where the posted form sits in the page: its markup range, or the whole page when not found. */
function formRange(html: string, action: string | undefined): [number, number] {
  if (action) {
    const open = new RegExp(`<form\\b[^>]*\\baction="${escapeRegExp(asAttribute(action))}"[^>]*>`).exec(html);
    if (open) {
      const end = html.indexOf('</form>', open.index);
      return [open.index, end === -1 ? html.length : end];
    }
  }
  const main = html.indexOf('<main');
  return [main === -1 ? 0 : main, html.length];
}

/**
 * The page with the form's errors shown: the summary first in <main>, each field's message before
 * the field. Only tags the page rendered itself can match (any text from outside is escaped, so a
 * comment cannot contain `<input name=`); an error whose field is not on the page is listed
 * without a link.
 */
export async function withFormErrors(
  markup: string | Promise<string>,
  errors: FieldError[],
  action: string | undefined,
): Promise<string> {
  let html = await markup;
  const summary: { text: string; href: string | null }[] = [];
  for (const [index, error] of errors.entries()) {
    const [from, to] = formRange(html, action);
    const control = error.field
      ? new RegExp(
          `<(input|select|textarea)\\b(?![^>]*\\btype="hidden")[^>]*\\bname="${escapeRegExp(asAttribute(error.field))}"[^>]*>`,
        ).exec(html.slice(from, to))
      : null;
    if (!control) {
      summary.push({ text: error.text, href: null });
      continue;
    }
    let tag = control[0];
    const idMatch = /\bid="([^"]*)"/.exec(tag);
    const id = idMatch?.[1] ?? `field-in-error-${index + 1}`;
    const messageId = `${id}-error`;
    if (!idMatch) tag = tag.replace(/^<(\w+)/, `<$1 id="${id}"`);
    const described = /\baria-describedby="([^"]*)"/.exec(tag);
    tag = described
      ? tag.replace(described[0], `aria-describedby="${messageId} ${described[1]}"`)
      : tag.replace(/^<(\w+)/, `<$1 aria-describedby="${messageId}"`);
    tag = tag.replace(/^<(\w+)/, '<$1 aria-invalid="true"');
    const at = from + control.index;
    const message = await ErrorMessage({ id: messageId, text: error.text });
    html = `${html.slice(0, at)}${message}${tag}${html.slice(at + control[0].length)}`;
    summary.push({ text: error.text, href: `#${id}` });
  }
  const main = /<main\b[^>]*>/.exec(html);
  const box = await ErrorSummary({ errors: summary });
  if (!main) return html.replace('<body>', `<body>${box}`);
  const at = main.index + main[0].length;
  return `${html.slice(0, at)}${box}${html.slice(at)}`;
}

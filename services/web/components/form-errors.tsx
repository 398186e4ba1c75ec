import { CONTROL_TAG, type FormValues, restoreFormValues } from './form-values.js';
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
 * check, or a refusal naming its field) through the flash (page-kit.ts `runForm`); `withFormState`
 * places them on the page the form was on, which is rendered as usual, and puts back what was typed
 * (form-values.ts): the form's own markup needs nothing extra.
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

/**
 * How well a form's markup fits what was posted: each of its control names that was sent (or that
 * an error names) counts; a hidden field whose value differs from the one sent rules it out (two
 * forms may post to one address, told apart by a hidden field, as "Flag this" and "Mark as a media
 * enquiry" are).
 */
function fitOf(markup: string, state: Pick<FormState, 'values' | 'errors'>): number {
  const named = new Set([
    ...Object.keys(state.values ?? {}),
    ...state.errors.flatMap((e) => (e.field ? [e.field, e.field.split('.').at(-1)!] : [])),
  ]);
  let fit = 0;
  for (const m of markup.matchAll(new RegExp(CONTROL_TAG.source, 'g'))) {
    const source = m[2] ?? '';
    const name = /\sname="([^"]*)"/.exec(source)?.[1];
    if (!name || !named.has(name)) continue;
    const sent = state.values?.[name];
    if (/\stype="hidden"/.test(source) && sent !== undefined) {
      const value = /\svalue="([^"]*)"/.exec(source)?.[1] ?? '';
      if (![sent].flat().some((v) => asAttribute(v) === value)) return -1;
    }
    fit += 1;
  }
  return fit;
}

/**
 * Where the posted form sits in the page: its markup range (the form whose action it is, or which
 * has a button with that `formaction`; of several, the one that fits what was posted) and its id,
 * or the whole of <main> when not found.
 */
function formRange(
  html: string,
  action: string | undefined,
  state: Pick<FormState, 'values' | 'errors'> = { errors: [] },
): { range: [number, number]; found: boolean; id?: string | undefined } {
  if (action) {
    const value = escapeRegExp(asAttribute(action));
    const starts = [...html.matchAll(new RegExp(`<form\\b[^>]*\\baction="${value}"[^>]*>`, 'g'))].map(
      (m) => m.index ?? 0,
    );
    if (starts.length === 0) {
      const button = new RegExp(`<button\\b[^>]*\\bformaction="${value}"`).exec(html);
      if (button) starts.push(html.lastIndexOf('<form', button.index));
    }
    const forms = starts
      .filter((at) => at !== -1)
      .map((at) => {
        const end = html.indexOf('</form>', at);
        return { at, end: end === -1 ? html.length : end };
      });
    let best: { at: number; end: number } | undefined;
    let bestFit = -1;
    for (const form of forms) {
      const fit = forms.length === 1 ? 0 : fitOf(html.slice(form.at, form.end), state);
      if (fit > bestFit) [best, bestFit] = [form, fit];
    }
    if (best) {
      const id = /^<form\b[^>]*\bid="([^"]*)"/.exec(html.slice(best.at))?.[1];
      return { range: [best.at, best.end], found: true, id };
    }
  }
  const main = html.indexOf('<main');
  return { range: [main === -1 ? 0 : main, html.length], found: false };
}

/**
 * The control an error is about, in `part` (the posted form's markup): the control of that name
 * (a nested field, `retention.quarantinedDays`, as named in full or by its last part); with no
 * field (or one not on the page), the form's first control the person fills in, so a refusal of
 * the whole form still links to the form (`onField` false: no message is put on that control).
 */
function findControl(
  part: string,
  field: string | null,
  wholeForm: boolean,
): { control: RegExpExecArray; onField: boolean } | null {
  const controls = [...part.matchAll(new RegExp(CONTROL_TAG.source, 'g'))].filter(
    (m) => m[1] !== 'option' && !/\stype="(hidden|submit|button)"/.test(m[2] ?? ''),
  );
  if (field) {
    const parts = field.split('.');
    const names = [...new Set([field, parts.at(-1)!, parts[0]!])].map((n) => ` name="${asAttribute(n)}"`);
    for (const name of names) {
      const found = controls.find((m) => (m[2] ?? '').includes(name));
      if (found) return { control: found as RegExpExecArray, onField: true };
    }
  }
  const first = wholeForm ? (controls[0] as RegExpExecArray | undefined) : undefined;
  return first ? { control: first, onField: false } : null;
}

/** What a refused form brings back to its page: the errors, the form's address, what was typed. */
export interface FormState {
  errors: FieldError[];
  /** The address the form posted to; its <form action> on the page. */
  form: string | undefined;
  values?: FormValues | undefined;
}

/**
 * The page with a refused form's state shown: what was typed put back in the form, the summary
 * first in <main>, each field's message before the field. Only tags the page rendered itself can
 * match (any text from outside is escaped, so a comment cannot contain `<input name=`); an error
 * whose field is not on the page is listed without a link.
 */
export async function withFormState(markup: string | Promise<string>, state: FormState): Promise<string> {
  let html = await markup;
  const { errors, form: action, values } = state;
  if (values) {
    const { range, found, id } = formRange(html, action, state);
    // Controls of the form placed outside it first (they come before or after its markup).
    if (found && id)
      html = `${restoreFormValues(html.slice(0, range[0]), values, id)}${html.slice(range[0], range[1])}${restoreFormValues(html.slice(range[1]), values, id)}`;
    const placed = found && id ? formRange(html, action, state).range : range;
    if (found)
      html = `${html.slice(0, placed[0])}${restoreFormValues(html.slice(...placed), values)}${html.slice(placed[1])}`;
  }
  if (errors.length === 0) return html;
  const summary: { text: string; href: string | null }[] = [];
  for (const [index, error] of errors.entries()) {
    const {
      range: [from, to],
      found,
    } = formRange(html, action, state);
    const match = findControl(html.slice(from, to), error.field, found);
    if (!match) {
      summary.push({ text: error.text, href: null });
      continue;
    }
    const { control, onField } = match;
    let tag = control[0];
    const idMatch = /\bid="([^"]*)"/.exec(tag);
    const id = idMatch?.[1] ?? `field-in-error-${index + 1}`;
    const messageId = `${id}-error`;
    if (!idMatch) tag = tag.replace(/^<(\w+)/, `<$1 id="${id}"`);
    let message = '';
    if (onField && !html.includes(`id="${messageId}"`)) {
      const described = /\baria-describedby="([^"]*)"/.exec(tag);
      tag = described
        ? tag.replace(described[0], `aria-describedby="${messageId} ${described[1]}"`)
        : tag.replace(/^<(\w+)/, `<$1 aria-describedby="${messageId}"`);
      if (!/\baria-invalid=/.test(tag)) tag = tag.replace(/^<(\w+)/, '<$1 aria-invalid="true"');
      message = await ErrorMessage({ id: messageId, text: error.text });
    }
    const at = from + (control.index ?? 0);
    html = `${html.slice(0, at)}${message}${tag}${html.slice(at + control[0].length)}`;
    summary.push({ text: error.text, href: `#${id}` });
  }
  const main = /<main\b[^>]*>/.exec(html);
  const box = await ErrorSummary({ errors: summary });
  if (!main) return html.replace('<body>', `<body>${box}`);
  const at = main.index + main[0].length;
  return `${html.slice(0, at)}${box}${html.slice(at)}`;
}

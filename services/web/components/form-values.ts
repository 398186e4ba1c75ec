/**
 * Puts what a person typed back into the form they posted, when the form was refused (GOV.UK:
 * "keep what the user entered"). The page is rendered as usual, with the saved values; this then
 * sets each control of the posted form from what was sent: text boxes and text areas get the
 * typed text, selects, checkboxes and radios the choices made. Hidden fields (the CSRF token,
 * ids) and passwords keep the page's own values.
 *
 * It works on the markup the page components wrote, whose attribute values are always quoted (any
 * text from outside is escaped), so a tag is matched attribute by attribute and a typed `>` in a
 * value cannot end it early.
 */

/** What a form sent: a value per name, or several when a name repeats (checkboxes, multi-selects). */
export type FormValues = Record<string, string | string[]>;

type Attrs = [name: string, value: string | null][];

/** Typed text as an attribute value or a text area's content: every markup character escaped. */
const escapeText = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&#34;')
    .replaceAll("'", '&#39;');

/** One form control's opening tag (or an option's) as the page components write it. */
export const CONTROL_TAG = /<(input|select|textarea|option)\b((?:\s+[^\s=>"'/]+(?:="[^"]*")?)*)\s*\/?>/g;

function parseAttrs(source: string): Attrs {
  const attrs: Attrs = [];
  for (const m of source.matchAll(/\s+([^\s=>"'/]+)(?:="([^"]*)")?/g)) attrs.push([m[1]!, m[2] ?? null]);
  return attrs;
}

const attr = (attrs: Attrs, name: string) => attrs.find(([n]) => n === name)?.[1];

/** Sets (or, with null, removes) one attribute; a new value is escaped in full. */
function withAttr(attrs: Attrs, name: string, value: string | null | false): Attrs {
  const rest = attrs.filter(([n]) => n !== name);
  if (value === false) return rest;
  return [...rest, [name, value === null ? null : escapeText(value)]];
}

const renderTag = (tag: string, attrs: Attrs) =>
  `<${tag}${attrs.map(([n, v]) => (v === null ? ` ${n}` : ` ${n}="${v}"`)).join('')}>`;

/** The HTML's way of writing back an attribute value kitajs wrote (it escapes `"` and `&`). */
const unescapeAttr = (v: string) =>
  v
    .replaceAll('&#34;', '"')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

const listOf = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat());

const KEEP_OWN_VALUE = new Set(['hidden', 'password', 'submit', 'button', 'reset', 'file', 'image']);

/**
 * `html` with the values sent put in its controls: every control, or, with `formId`, only those
 * that belong to that form from outside it (`form="…"`, a checkbox on an inbox row).
 */
export function restoreFormValues(html: string, values: FormValues, formId?: string): string {
  let select: string | null = null;
  let out = '';
  let last = 0;
  for (const m of html.matchAll(new RegExp(CONTROL_TAG.source, 'g'))) {
    const [whole, tag, source] = m as unknown as [string, string, string];
    const at = m.index ?? 0;
    let attrs = parseAttrs(source);
    if (formId !== undefined && tag !== 'option' && attr(attrs, 'form') !== formId) {
      if (tag === 'select') select = null;
      continue;
    }
    const name = attr(attrs, 'name');
    let replacement = whole;
    let skipTo = at + whole.length;
    if (tag === 'select') select = name && name in values ? name : null;
    if (tag === 'option' && select) {
      const value = unescapeAttr(attr(attrs, 'value') ?? '');
      attrs = withAttr(attrs, 'selected', listOf(values[select]).includes(value) ? null : false);
      replacement = renderTag(tag, attrs);
    } else if (name && tag === 'input') {
      const type = (attr(attrs, 'type') ?? 'text').toLowerCase();
      const sent = listOf(values[unescapeAttr(name)]);
      if (type === 'checkbox' || type === 'radio') {
        // A posted form sent every ticked box: one not sent was unticked.
        const value = unescapeAttr(attr(attrs, 'value') ?? 'on');
        attrs = withAttr(attrs, 'checked', sent.includes(value) ? null : false);
        replacement = renderTag(tag, attrs);
      } else if (!KEEP_OWN_VALUE.has(type) && unescapeAttr(name) in values) {
        attrs = withAttr(attrs, 'value', sent[0] ?? '');
        replacement = renderTag(tag, attrs);
      }
    } else if (name && tag === 'textarea' && unescapeAttr(name) in values) {
      const end = html.indexOf('</textarea>', skipTo);
      if (end !== -1) {
        replacement = `${whole}${escapeText(listOf(values[unescapeAttr(name)])[0] ?? '')}`;
        skipTo = end;
      }
    }
    out += html.slice(last, at) + replacement;
    last = skipTo;
  }
  return out + html.slice(last);
}

/** A form body as sent, kept to what a form can hold: strings (the first 20 of a repeated name). */
export function formValuesOf(body: unknown, leaveOut: readonly string[] = ['_csrf']): FormValues | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const values: FormValues = {};
  for (const [name, value] of Object.entries(body)) {
    if (leaveOut.includes(name) || /password/i.test(name)) continue;
    if (typeof value === 'string') values[name] = value;
    else if (Array.isArray(value))
      values[name] = value.filter((v): v is string => typeof v === 'string').slice(0, 200);
  }
  return Object.keys(values).length ? values : null;
}

import { escapeHtml } from '@kitajs/html';
import type { StoredLabel } from '../../../db/schema/index.js';
import { CsrfField } from './csrf-field.js';
import { PublicText } from './public-text.js';
import { formatInZone } from './time-zone.js';

/** A message carried across a form's 303 redirect. Plain text; escaped when shown. */
export interface FlashMessage {
  kind: 'ok' | 'error';
  text: string;
  /** A link to follow next (the platform's sign-in page when connecting); http(s) only. */
  link?: string | undefined;
}

export function Flash({ flash }: { flash?: FlashMessage | null | undefined }): string {
  if (!flash) return '';
  const link =
    flash.link && /^https?:\/\//.test(flash.link)
      ? ` <a class="button-link" href="${escapeHtml(flash.link)}">Continue to the platform</a>`
      : '';
  return flash.kind === 'ok'
    ? `<p class="flash flash-ok" role="status">${escapeHtml(flash.text)}${link}</p>`
    : `<p class="flash flash-error" role="alert">${escapeHtml(flash.text)}</p>`;
}

/** The hidden CSRF field every state-changing form carries. */
export function csrfField(token: string): string {
  return CsrfField({ token }) as string;
}

/** A point in time as readable text inside a <time> element, in the page's zone (see <Time> in kit.tsx). */
export function when(date: Date | string | null | undefined, empty = '—'): string {
  if (!date) return escapeHtml(empty);
  const d = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(d.getTime())) return escapeHtml(empty);
  return `<time datetime="${d.toISOString()}">${escapeHtml(formatInZone(d))}</time>`;
}

/** Label chips: category and subcategory, one per distinct pair, the most severe kept. */
export function labelChips(labels: readonly StoredLabel[]): string {
  const seen = new Map<string, string>();
  for (const l of labels) {
    const key = `${l.category}/${l.subcategory}`;
    const prev = seen.get(key);
    if (!prev || prev === 'low' || (prev === 'medium' && l.severity === 'high')) seen.set(key, l.severity);
  }
  return [...seen.entries()]
    .map(([key, severity]) => {
      const [category = '', sub = ''] = key.split('/');
      return `<span class="label label-${escapeHtml(category)} severity-${escapeHtml(severity)}">${escapeHtml(
        category.replaceAll('_', ' '),
      )}: ${escapeHtml(sub.replaceAll('_', ' '))} (${escapeHtml(severity)})</span>`;
    })
    .join(' ');
}

/** Hostile public text, escaped, in a block that keeps bidi overrides from leaking. */
export function quoted(text: string | null | undefined, empty = 'Text not available'): string {
  if (text === null || text === undefined) return `<p class="comment-text muted">${escapeHtml(empty)}</p>`;
  return `<p class="comment-text">${PublicText({ text })}</p>`;
}

/** Public text cut to a listing's length; the comment page shows the rest. */
export function excerptOf(text: string, max = 280): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

let fieldSeq = 0;
/** A unique id for a form control, so every label's `for` points at its own control. */
export function fieldId(prefix: string): string {
  fieldSeq = (fieldSeq + 1) % 1_000_000;
  return `${prefix}-${fieldSeq}`;
}

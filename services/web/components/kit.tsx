import type { PropsWithChildren } from '@kitajs/html';
import { CsrfField } from './csrf-field.js';
import { PublicText } from './public-text.js';
import { formatInZone } from './time-zone.js';

/**
 * Shared JSX pieces of the staff pages. Text given as props is escaped here (kitajs escapes
 * attributes; text children carry `safe`); public text goes through PublicText instead.
 */

/**
 * A point in time as readable text inside a <time> element, in the viewer's school's zone with the
 * zone's abbreviation ("2026-07-02 00:30 BST"; the zone comes from the page render, see
 * time-zone.ts); '—' when there is none. Extra attributes (class, data-*) go on the <time>.
 */
export function Time({
  at,
  empty = '—',
  seconds = false,
  ...attrs
}: {
  at: Date | string | null | undefined;
  empty?: string;
  seconds?: boolean;
  class?: string;
  [data: `data-${string}`]: string | undefined;
}): JSX.Element {
  if (!at) return <span safe>{empty}</span>;
  const d = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) return <span safe>{empty}</span>;
  return (
    <time {...attrs} datetime={d.toISOString()} safe>
      {formatInZone(d, undefined, seconds)}
    </time>
  );
}

/** A state-changing form: POST, with the session's CSRF field. */
export function PostForm({
  action,
  csrfToken,
  class: cls,
  id,
  children,
}: PropsWithChildren<{ action: string; csrfToken: string; class?: string; id?: string }>): JSX.Element {
  return (
    <form method="post" action={action} class={cls} id={id}>
      <CsrfField token={csrfToken} />
      {children}
    </form>
  );
}

/** One `<option>`; selected when its value is the current one. */
export function Option({
  value,
  label,
  selected,
}: {
  value: string;
  label: string;
  selected?: string | undefined;
}) {
  return (
    <option value={value} selected={value === selected} safe>
      {label}
    </option>
  );
}

/** A label with its first letter in capitals: "hide" → "Hide". */
export const sentenceCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** An identifier shown as words: `media_enquiry` → "media enquiry". */
export const words = (s: string) => s.replaceAll('_', ' ');

/**
 * Who did something, in an audit row: a person by name; Hallmonitor's own work (a worker, a
 * webhook) as "Hallmonitor", with which part of it in muted words ("automatic: processing").
 */
export function ActorName({ name, system }: { name: string; system: boolean }): JSX.Element {
  if (!system) return <PublicText text={name} />;
  return (
    <>
      Hallmonitor{' '}
      <span class="muted" safe>
        {`(automatic: ${name.replaceAll('-', ' ')})`}
      </span>
    </>
  );
}

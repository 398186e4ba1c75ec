import type { StoredLabel } from '../../../db/schema/index.js';
import { CsrfField } from './csrf-field.js';
import { fieldId } from './page-bits.js';
import { PublicText } from './public-text.js';

/**
 * JSX pieces the moderation pages (flags, approvals, safeguarding, accounts) share: quoted public
 * text, label chips, the "Open the comment" link, note and reject fields.
 */

/** Hostile public text, escaped, in a block that keeps bidi overrides from leaking. */
export function Quoted({
  text,
  empty = 'Text not available',
}: {
  text: string | null | undefined;
  empty?: string;
}): JSX.Element {
  if (text === null || text === undefined) {
    return (
      <p class="comment-text muted" safe>
        {empty}
      </p>
    );
  }
  return (
    <p class="comment-text">
      <PublicText text={text} />
    </p>
  );
}

/** Category and subcategory chips, one per distinct pair, the most severe kept, in a `<div>`. */
export function LabelChips({ labels }: { labels: readonly StoredLabel[] }): JSX.Element {
  const seen = new Map<string, { category: string; sub: string; severity: string }>();
  for (const l of labels) {
    const key = `${l.category}/${l.subcategory}`;
    const prev = seen.get(key)?.severity;
    if (!prev || prev === 'low' || (prev === 'medium' && l.severity === 'high')) {
      seen.set(key, { category: l.category, sub: l.subcategory, severity: l.severity });
    }
  }
  return (
    <div>
      {[...seen.values()].map((c, i) => (
        <>
          {i > 0 ? ' ' : ''}
          <span class={`label label-${c.category} severity-${c.severity}`} safe>
            {`${c.category.replaceAll('_', ' ')}: ${c.sub.replaceAll('_', ' ')} (${c.severity})`}
          </span>
        </>
      ))}
    </div>
  );
}

/** A link to a comment's page; nothing when there is no comment. */
export function CommentLink({
  commentId,
  text = 'Open the comment',
}: {
  commentId: string | null;
  text?: string;
}): JSX.Element {
  if (!commentId) return '';
  return (
    <a href={`/comments/${commentId}`} safe>
      {text}
    </a>
  );
}

/** A labelled `note` textarea with a unique id. */
export function NoteField({ label, required = true }: { label: string; required?: boolean }): JSX.Element {
  const id = fieldId('note');
  return (
    <>
      <label for={id} safe>
        {label}
      </label>
      <textarea id={id} name="note" required={required} maxlength="4000" rows="2"></textarea>
    </>
  );
}

/** Where a form comes back to after it is sent. */
export function ReturnTo({ path }: { path: string | undefined }): JSX.Element {
  return path ? <input type="hidden" name="returnTo" value={path} /> : '';
}

/** Reject something with a required reason (a proposed action, a sensitive reply). */
export function RejectForm({
  action,
  csrfToken,
  returnTo,
}: {
  action: string;
  csrfToken: string;
  returnTo?: string;
}): JSX.Element {
  const reason = fieldId('reject-reason');
  return (
    <form method="post" action={action} class="inline-form">
      <CsrfField token={csrfToken} />
      <ReturnTo path={returnTo} />
      <label for={reason}>Reason to reject</label>
      <input id={reason} name="reason" required maxlength="2000" />
      <button type="submit" class="secondary">
        Reject
      </button>
    </form>
  );
}

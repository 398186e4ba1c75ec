import { escapeHtml } from '@kitajs/html';
import type { CommentLabel } from '../../audit/audit-labels.js';
import { PublicText } from './public-text.js';

/**
 * A comment named as a person would ("Comment by @author on 3 Dec 2026"), for audit rows; the
 * handle is public text, isolated on its own. Labels come from services/audit/audit-labels.ts.
 */
export function CommentName({ label }: { label: CommentLabel }): JSX.Element {
  if (label.handle === null) return <span safe>{`Comment (redacted) on ${label.day}`}</span>;
  return (
    <>
      Comment by {label.byName ? '' : '@'}
      <PublicText text={label.handle} />
      {escapeHtml(` on ${label.day}`)}
    </>
  );
}

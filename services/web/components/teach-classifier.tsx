import type { StoredLabel } from '../../../db/schema/index.js';
import { SCHOOL_TERM_CATEGORIES } from '../../classification/add-school-term.js';
import { Option, PostForm, words } from './kit.js';

export interface TeachClassifierProps {
  commentId: string;
  labels: readonly StoredLabel[];
  csrfToken: string;
  /** A refusal of one of these forms, shown above it. Plain text. */
  error?: { form: string; message: string } | undefined;
}

function ErrorFor({ error, form }: { error: TeachClassifierProps['error']; form: string }) {
  if (!error || error.form !== form) return '';
  return (
    <div class="flash flash-error form-error" role="alert">
      <p safe>{error.message}</p>
    </div>
  );
}

/**
 * On the comment page: "Flag this" (a category the classifier missed; a safeguarding concern
 * reaches the safeguarding leads at once), and on each of its flags "Right" (a confirmation, for
 * the quality report) and "Not a problem". Every
 * correction is audited and lands in the school's review list.
 */
export function TeachClassifier({ commentId, labels, csrfToken, error }: TeachClassifierProps): JSX.Element {
  const flagged = [...new Set(labels.map((l) => l.category))];
  return (
    <div class="teach-classifier">
      <PostForm
        action={`/comments/${commentId}/flag`}
        csrfToken={csrfToken}
        class="inline-form"
        id="flag-this"
      >
        <ErrorFor error={error} form="flag" />
        <label for="flag-category">Flag this as</label>
        {/* No default: a preselected "offensive" on a disclosure would be one careless click from the
            wrong route. The person chooses. */}
        <select id="flag-category" name="category" required>
          <option value="" selected>
            Choose…
          </option>
          {SCHOOL_TERM_CATEGORIES.map((c) => (
            <Option value={c} label={words(c)} />
          ))}
        </select>
        <label for="flag-note">Note (optional)</label>
        <input id="flag-note" name="note" maxlength="2000" />
        <button type="submit">Flag this</button>
      </PostForm>
      <ErrorFor error={error} form="not-a-problem" />
      {flagged.map((category) => (
        <PostForm
          action={`/comments/${commentId}/flag`}
          csrfToken={csrfToken}
          class="inline-form confirm-flag"
        >
          <input type="hidden" name="category" value={category} />
          <button type="submit" safe>
            {`Right: confirm the ${words(category)} flag`}
          </button>
        </PostForm>
      ))}
      {flagged.map((category) => (
        <PostForm
          action={`/comments/${commentId}/not-a-problem`}
          csrfToken={csrfToken}
          class="inline-form not-a-problem"
        >
          <input type="hidden" name="category" value={category} />
          <label for={`clear-${category}`} safe>
            {`Not a problem (${words(category)}): why`}
          </label>
          <input id={`clear-${category}`} name="reason" required maxlength="2000" />
          <button type="submit" class="secondary" safe>
            {`Not a problem: clear the ${words(category)} flag`}
          </button>
        </PostForm>
      ))}
    </div>
  );
}

import { PostForm } from './kit.js';

/**
 * Raise a safeguarding concern, or report misuse to a senior leader: open to every member of
 * staff who can see the comment (an auditor only reads). Both reach the people at once.
 */
export function RaiseConcernForms({
  commentId,
  csrfToken,
}: {
  commentId: string;
  csrfToken: string;
}): JSX.Element {
  return (
    <div class="concern-forms">
      <PostForm
        action={`/comments/${commentId}/concerns`}
        csrfToken={csrfToken}
        class="stack-form"
        id="safeguarding-concern"
      >
        <input type="hidden" name="kind" value="safeguarding" />
        <fieldset>
          <legend>Raise a safeguarding concern</legend>
          <p class="hint" id="safeguarding-hint">
            Goes to the school's safeguarding leads at once, as an urgent notification. Say what worries you.
          </p>
          <label for="safeguarding-note">What worries you</label>
          <textarea
            id="safeguarding-note"
            name="note"
            required
            maxlength="4000"
            rows="3"
            aria-describedby="safeguarding-hint"
          ></textarea>
          <button type="submit">Raise a safeguarding concern</button>
        </fieldset>
      </PostForm>
      <PostForm
        action={`/comments/${commentId}/concerns`}
        csrfToken={csrfToken}
        class="stack-form"
        id="report-misuse"
      >
        <input type="hidden" name="kind" value="misuse" />
        <fieldset>
          <legend>Report misuse to a senior leader</legend>
          <p class="hint" id="misuse-hint">
            Defamatory, discriminatory or harassing content, or a data-protection breach: the senior leaders
            are told at once and it joins their escalations queue.
          </p>
          <label for="misuse-note">What happened</label>
          <textarea
            id="misuse-note"
            name="note"
            required
            maxlength="4000"
            rows="3"
            aria-describedby="misuse-hint"
          ></textarea>
          <button type="submit">Report misuse to a senior leader</button>
        </fieldset>
      </PostForm>
    </div>
  );
}

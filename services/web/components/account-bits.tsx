import type { AccountView } from '../../accounts/account-view.js';
import { PostForm } from './kit.js';
import { NoteField, ReturnTo } from './moderation-bits.js';
import { fieldId } from './page-bits.js';

/** JSX pieces the accounts, account and approvals pages share. */

/** The account's admins' names, comma-separated; "none" when it has none. */
export function AdminNames({ a }: { a: AccountView }): JSX.Element {
  return <span safe>{a.admins.map((x) => x.displayName).join(', ') || 'none'}</span>;
}

/** A senior leader's periodic review of an account: re-approve or suspend, with a required note. */
export function ReviewForm({
  account,
  csrfToken,
  returnTo,
  outcomeLabel,
  suspendLabel,
}: {
  account: AccountView;
  csrfToken: string;
  returnTo?: string;
  outcomeLabel: string;
  suspendLabel: string;
}): JSX.Element {
  const outcome = fieldId(returnTo ? 'review-outcome' : 'outcome');
  return (
    <PostForm action={`/accounts/${account.id}/review`} csrfToken={csrfToken} class="stack-form">
      <ReturnTo path={returnTo} />
      <label for={outcome} safe>
        {outcomeLabel}
      </label>
      <select id={outcome} name="outcome">
        <option value="reapprove">Re-approve for another period</option>
        <option value="suspend" safe>
          {suspendLabel}
        </option>
      </select>
      <NoteField label="Review note (required)" />
      <button type="submit">Record review</button>
    </PostForm>
  );
}

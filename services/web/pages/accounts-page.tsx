import type { AccountView } from '../../accounts/account-view.js';
import type { SchoolStaff } from '../../accounts/list-school-staff.js';
import { platformProfiles } from '../../platforms/platform-profiles.js';
import { AdminNames } from '../components/account-bits.js';
import { Option, PostForm, Time } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import { PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface AccountsPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  accounts: AccountView[];
  /** Coverage gaps (mentions a poll could not reach) per account id. */
  gapCounts: ReadonlyMap<string, number>;
  schoolNames: ReadonlyMap<string, string>;
  /** Schools where the person may propose an account, with their staff to choose admins from. */
  proposeIn: SchoolStaff[];
}

const STATUS_TEXT: Record<string, string> = {
  proposed: 'Proposed: awaiting a senior leader',
  approved: 'Approved: to be connected',
  rejected: 'Rejected',
  connected: 'Connected: to be activated',
  active: 'Active: monitored',
  suspended: 'Suspended',
  retired: 'Retired',
};
const CREDENTIAL_TEXT: Record<string, string> = {
  none: 'not connected',
  valid: 'working',
  needs_reauth: 'needs reconnecting',
};

export const statusText = (s: string) => STATUS_TEXT[s] ?? s;
export const credentialText = (s: string) => CREDENTIAL_TEXT[s] ?? s;

/** The last poll's time ("never" before the first), and its error as the platform sent it. */
export function LastPoll({ a }: { a: AccountView }): JSX.Element {
  return (
    <>
      <Time at={a.lastPolledAt} empty="never" />
      {a.lastPollError ? (
        <>
          <br />
          <span class="error-text">
            <PublicText text={a.lastPollError} />
          </span>
        </>
      ) : (
        ''
      )}
    </>
  );
}

function ProposeForm({ schools, csrfToken }: { schools: SchoolStaff[]; csrfToken: string }): JSX.Element {
  if (schools.length === 0) return '';
  return (
    <section aria-labelledby="propose-h">
      <h2 id="propose-h">Propose an account</h2>
      <p class="help">A senior leader who is not you approves it; then one of its admins connects it.</p>
      <PostForm action="/accounts" csrfToken={csrfToken} class="stack-form propose">
        <label for="p-school">School</label>
        <select id="p-school" name="schoolId">
          {schools.map((s) => (
            <Option value={s.schoolId} label={s.schoolName} />
          ))}
        </select>
        <label for="p-platform">Platform</label>
        <select id="p-platform" name="platform">
          {platformProfiles().map((p) => (
            <Option value={p.platform} label={p.displayName} />
          ))}
        </select>
        <label for="p-handle">Handle</label>
        <input id="p-handle" name="handle" required maxlength="51" autocomplete="off" />
        <label for="p-purpose">What the account is for</label>
        <textarea id="p-purpose" name="purpose" required maxlength="2000" rows="2"></textarea>
        <label for="p-audience">Who it is for</label>
        <textarea id="p-audience" name="audience" required maxlength="2000" rows="2"></textarea>
        {schools.map((s) => (
          <fieldset class="admins">
            <legend safe>{`Admins at ${s.schoolName} (choose at least two)`}</legend>
            {s.people.map((p) => (
              <label class="check">
                <input type="checkbox" name="admins" value={p.userId} /> <span safe>{p.displayName}</span>
              </label>
            ))}
          </fieldset>
        ))}
        <label class="check">
          <input type="checkbox" name="confirmTraining" required /> Each admin has completed training and
          signed the acceptable-use agreement
        </label>
        <button type="submit">Propose</button>
      </PostForm>
    </section>
  );
}

function AccountRow({
  a,
  schoolName,
  gaps,
}: {
  a: AccountView;
  schoolName: string;
  gaps: number;
}): JSX.Element {
  return (
    <tr data-account-id={a.id}>
      <td>
        <a href={`/accounts/${a.id}`} safe>
          {a.label}
        </a>
      </td>
      <td safe>{schoolName}</td>
      <td class={`status status-${a.status}`}>
        <span safe>{statusText(a.status)}</span>
        {a.governance.reviewOverdue ? (
          <>
            {' '}
            <strong>(review overdue)</strong>
          </>
        ) : (
          ''
        )}
      </td>
      <td safe>{credentialText(a.credentialStatus)}</td>
      <td>
        <AdminNames a={a} />
      </td>
      <td>
        <LastPoll a={a} />
      </td>
      <td safe>{String(gaps)}</td>
    </tr>
  );
}

/** Every official account of the person's schools, and the proposal form. */
export function AccountsPage(props: AccountsPageProps): JSX.Element {
  return (
    <Layout title="Accounts" user={props.user} csrfToken={props.csrfToken} current="accounts">
      <main id="main">
        <h1>Accounts</h1>
        <Flash flash={props.flash} />
        {props.accounts.length === 0 ? (
          <p class="empty">No official accounts yet.</p>
        ) : (
          <section class="table-wrap" aria-label="Table, scrolls sideways" tabindex="0">
            <table class="accounts">
              <caption class="visually-hidden">Official accounts</caption>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">School</th>
                  <th scope="col">Status</th>
                  <th scope="col">Connection</th>
                  <th scope="col">Admins</th>
                  <th scope="col">Last poll</th>
                  <th scope="col">Coverage gaps</th>
                </tr>
              </thead>
              <tbody>
                {props.accounts.map((a) => (
                  <AccountRow
                    a={a}
                    schoolName={props.schoolNames.get(a.schoolId) ?? ''}
                    gaps={props.gapCounts.get(a.id) ?? 0}
                  />
                ))}
              </tbody>
            </table>
          </section>
        )}
        <ProposeForm schools={props.proposeIn} csrfToken={props.csrfToken} />
      </main>
    </Layout>
  );
}

import { escapeHtml } from '@kitajs/html';
import type { AccountView } from '../../accounts/account-view.js';
import type { SchoolStaff } from '../../accounts/list-school-staff.js';
import { csrfField, Flash, type FlashMessage, when } from '../components/page-bits.js';
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

function proposeForm(schools: SchoolStaff[], csrfToken: string): string {
  if (schools.length === 0) return '';
  const schoolOptions = schools
    .map((s) => `<option value="${escapeHtml(s.schoolId)}">${escapeHtml(s.schoolName)}</option>`)
    .join('');
  const staff = schools
    .map(
      (s) =>
        `<fieldset class="admins"><legend>Admins at ${escapeHtml(s.schoolName)} (choose at least two)</legend>${s.people
          .map(
            (p) =>
              `<label class="check"><input type="checkbox" name="admins" value="${escapeHtml(p.userId)}" /> ${escapeHtml(
                p.displayName,
              )}</label>`,
          )
          .join('')}</fieldset>`,
    )
    .join('');
  return `<section aria-labelledby="propose-h"><h2 id="propose-h">Propose an account</h2><p class="help">A senior leader who is not you approves it; then one of its admins connects it.</p><form method="post" action="/accounts" class="stack-form propose">${csrfField(
    csrfToken,
  )}<label for="p-school">School</label><select id="p-school" name="schoolId">${schoolOptions}</select><label for="p-platform">Platform</label><select id="p-platform" name="platform"><option value="x">X</option><option value="facebook">Facebook</option><option value="instagram">Instagram</option><option value="youtube">YouTube</option></select><label for="p-handle">Handle</label><input id="p-handle" name="handle" required maxlength="51" autocomplete="off" /><label for="p-purpose">What the account is for</label><textarea id="p-purpose" name="purpose" required maxlength="2000" rows="2"></textarea><label for="p-audience">Who it is for</label><textarea id="p-audience" name="audience" required maxlength="2000" rows="2"></textarea>${staff}<label class="check"><input type="checkbox" name="confirmTraining" required /> Each admin has completed training and signed the acceptable-use agreement</label><button type="submit">Propose</button></form></section>`;
}

/** Every official account of the person's schools, and the proposal form. */
export function AccountsPage(props: AccountsPageProps): JSX.Element {
  return (
    <Layout title="Accounts" user={props.user} csrfToken={props.csrfToken} current="accounts">
      <main id="main">
        <h1>Accounts</h1>
        {Flash({ flash: props.flash })}
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
                {props.accounts
                  .map(
                    (a) =>
                      `<tr data-account-id="${escapeHtml(a.id)}"><td><a href="/accounts/${escapeHtml(a.id)}">${escapeHtml(
                        a.label,
                      )}</a></td><td>${escapeHtml(props.schoolNames.get(a.schoolId) ?? '')}</td><td class="status status-${escapeHtml(
                        a.status,
                      )}">${escapeHtml(statusText(a.status))}${
                        a.governance.reviewOverdue ? ' <strong>(review overdue)</strong>' : ''
                      }</td><td>${escapeHtml(credentialText(a.credentialStatus))}</td><td>${
                        a.admins.map((x) => escapeHtml(x.displayName)).join(', ') || 'none'
                      }</td><td>${when(a.lastPolledAt, 'never')}${
                        a.lastPollError
                          ? `<br /><span class="error-text">${PublicText({ text: a.lastPollError })}</span>`
                          : ''
                      }</td><td>${String(props.gapCounts.get(a.id) ?? 0)}</td></tr>`,
                  )
                  .join('')}
              </tbody>
            </table>
          </section>
        )}
        {proposeForm(props.proposeIn, props.csrfToken)}
      </main>
    </Layout>
  );
}

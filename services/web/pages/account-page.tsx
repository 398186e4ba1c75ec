import { escapeHtml } from '@kitajs/html';
import type { AccountView } from '../../accounts/account-view.js';
import type { CoverageGapItem } from '../../accounts/list-coverage-gaps.js';
import type { QuarantinedItemView } from '../../accounts/list-quarantined-items.js';
import { csrfField, Flash, type FlashMessage, fieldId, when } from '../components/page-bits.js';
import { PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';
import { credentialText, statusText } from './accounts-page.js';

export interface AccountPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  account: AccountView;
  schoolName: string;
  gaps: CoverageGapItem[];
  /** Items a poll could not read, kept raw; null for people who may not read them. */
  quarantined: QuarantinedItemView[] | null;
  /** Staff of the account's school who are not admins yet. */
  candidates: { userId: string; displayName: string }[];
  may: { manage: boolean; connect: boolean; seniorLeader: boolean };
}

const CONNECTABLE = new Set(['approved', 'connected', 'active', 'suspended']);
const REVIEWABLE = new Set(['approved', 'connected', 'active', 'suspended']);

function post(path: string, csrfToken: string, inner: string, cls = 'stack-form'): string {
  return `<form method="post" action="${escapeHtml(path)}" class="${cls}">${csrfField(csrfToken)}${inner}</form>`;
}

function noteField(label: string, required = true): string {
  const id = fieldId('note');
  return `<label for="${id}">${escapeHtml(label)}</label><textarea id="${id}" name="note" ${
    required ? 'required ' : ''
  }maxlength="4000" rows="2"></textarea>`;
}

function settingsForm(a: AccountView, csrfToken: string): string {
  const s = a.settings;
  const sel = (v: string) => (s.offensiveThreshold === v ? ' selected' : '');
  const box = (name: string, label: string, on: boolean) =>
    `<label class="check"><input type="checkbox" name="${name}"${on ? ' checked' : ''} /> ${escapeHtml(label)}</label>`;
  return post(
    `/accounts/${a.id}/settings`,
    csrfToken,
    `<label for="s-threshold">Offensive threshold</label><select id="s-threshold" name="offensiveThreshold"><option value="low"${sel(
      'low',
    )}>Low: flag more</option><option value="medium"${sel('medium')}>Medium</option><option value="high"${sel(
      'high',
    )}>High: flag only the worst</option></select>${box('autoHide', 'Hide high-severity offensive comments at once', s.autoHide)}${box(
      'twoAdminHide',
      'Hiding needs a second admin',
      s.twoAdminHide,
    )}${box(
      'conversationBackstop',
      'Also read whole conversations (backstop)',
      s.conversationBackstop,
    )}<label for="s-poll">Seconds between polls (blank: the default)</label><input id="s-poll" name="pollIntervalSeconds" type="number" min="15" max="86400" value="${
      s.pollIntervalSeconds === undefined ? '' : String(s.pollIntervalSeconds)
    }" /><label for="s-expiry">Hours a proposal waits for the second admin</label><input id="s-expiry" name="proposalExpiryHours" type="number" min="1" max="168" value="${String(
      s.proposalExpiryHours,
    )}" /><label for="s-purpose">Purpose</label><textarea id="s-purpose" name="purpose" maxlength="2000" rows="2">${escapeHtml(
      a.purpose,
    )}</textarea><label for="s-audience">Audience</label><textarea id="s-audience" name="audience" maxlength="2000" rows="2">${escapeHtml(
      a.audience,
    )}</textarea><button type="submit">Save settings</button>`,
  );
}

/** One account: status, admins, settings, and the lifecycle steps this person may take. */
export function AccountPage(props: AccountPageProps): JSX.Element {
  const { account: a, csrfToken, may } = props;
  const base = `/accounts/${a.id}`;
  const lifecycle: string[] = [];
  if (may.connect && CONNECTABLE.has(a.status) && a.platform === 'x') {
    lifecycle.push(
      post(
        `${base}/connect`,
        csrfToken,
        `<button type="submit">${a.credentialStatus === 'valid' ? 'Reconnect' : 'Connect'} to X</button>`,
        'inline-form',
      ),
    );
  }
  if (may.manage && (a.status === 'connected' || a.status === 'suspended')) {
    lifecycle.push(
      post(
        `${base}/activate`,
        csrfToken,
        '<button type="submit">Activate monitoring</button>',
        'inline-form',
      ),
    );
  }
  if (may.manage && a.status === 'active') {
    lifecycle.push(
      post(
        `${base}/suspend`,
        csrfToken,
        `${noteField('Why suspend (required)')}<button type="submit" class="secondary">Suspend</button>`,
      ),
    );
  }
  if (may.seniorLeader && REVIEWABLE.has(a.status)) {
    const outcome = fieldId('outcome');
    lifecycle.push(
      post(
        `${base}/review`,
        csrfToken,
        `<label for="${outcome}">Review outcome</label><select id="${outcome}" name="outcome"><option value="reapprove">Re-approve for another period</option><option value="suspend">Suspend</option></select>${noteField(
          'Review note (required)',
        )}<button type="submit">Record review</button>`,
      ),
    );
  }
  if (may.seniorLeader && a.status !== 'retired' && a.status !== 'rejected') {
    lifecycle.push(
      post(
        `${base}/retire`,
        csrfToken,
        `${noteField('Why retire (required)')}<button type="submit" class="danger">Retire for good</button>`,
      ),
    );
  }
  const adminRows = a.admins
    .map(
      (x) =>
        `<li>${escapeHtml(x.displayName)}${x.acknowledgedCurrentPolicy ? '' : ' <span class="muted">(has not acknowledged the current policy)</span>'}${
          may.manage
            ? post(
                `${base}/admins/${x.userId}/remove`,
                csrfToken,
                `<button type="submit" class="secondary" aria-label="${escapeHtml(`Remove ${x.displayName}`)}">Remove</button>`,
                'inline-form',
              )
            : ''
        }</li>`,
    )
    .join('');
  const addAdmin =
    may.manage && props.candidates.length > 0
      ? post(
          `${base}/admins`,
          csrfToken,
          `<label for="a-user">Add an admin</label><select id="a-user" name="userId">${props.candidates
            .map((c) => `<option value="${escapeHtml(c.userId)}">${escapeHtml(c.displayName)}</option>`)
            .join(
              '',
            )}</select><label class="check"><input type="checkbox" name="trainingCompleted" required /> Has completed training</label><label class="check"><input type="checkbox" name="acceptableUseSigned" required /> Has signed the acceptable-use agreement</label><button type="submit">Add admin</button>`,
        )
      : '';
  return (
    <Layout title={a.label} user={props.user} csrfToken={csrfToken} current="accounts">
      <main id="main">
        <p>
          <a href="/accounts">All accounts</a>
        </p>
        <h1 safe>{a.label}</h1>
        {Flash({ flash: props.flash })}
        <dl class="facts">
          <dt>School</dt>
          <dd safe>{props.schoolName}</dd>
          <dt>Status</dt>
          <dd safe>{statusText(a.status)}</dd>
          <dt>Connection</dt>
          <dd safe>{credentialText(a.credentialStatus)}</dd>
          <dt>Last poll</dt>
          <dd>
            {when(a.lastPolledAt, 'never')}
            {a.lastPollError
              ? ` <span class="error-text">${PublicText({ text: a.lastPollError })}</span>`
              : ''}
          </dd>
          <dt>Review due</dt>
          <dd>{when(a.reviewDueAt)}</dd>
          <dt>Decision note</dt>
          <dd safe>{a.decisionNote ?? '—'}</dd>
        </dl>
        {a.governance.activationBlockers.length > 0 && a.status !== 'active' ? (
          <section aria-labelledby="blockers-h">
            <h2 id="blockers-h">Before it can be activated</h2>
            <ul>{a.governance.activationBlockers.map((b) => `<li>${escapeHtml(b)}</li>`).join('')}</ul>
          </section>
        ) : (
          ''
        )}
        {lifecycle.length > 0 ? (
          <section aria-labelledby="life-h">
            <h2 id="life-h">Status</h2>
            <div class="lifecycle">{lifecycle.join('')}</div>
          </section>
        ) : (
          ''
        )}
        <section aria-labelledby="admins-h">
          <h2 id="admins-h">Admins</h2>
          <ul class="admins-list">{adminRows || '<li>none</li>'}</ul>
          {addAdmin}
        </section>
        {may.manage ? (
          <section aria-labelledby="settings-h">
            <h2 id="settings-h">Settings</h2>
            {settingsForm(a, csrfToken)}
          </section>
        ) : (
          ''
        )}
        <section aria-labelledby="gaps-h">
          <h2 id="gaps-h">Coverage gaps ({String(props.gaps.length)})</h2>
          {props.gaps.length === 0 ? (
            <p class="empty">Every mention has been read.</p>
          ) : (
            <ul>{props.gaps.map((g) => `<li>${when(g.createdAt)}: ${escapeHtml(g.note)}</li>`).join('')}</ul>
          )}
        </section>
        {props.quarantined === null ? '' : QuarantinedSection({ items: props.quarantined })}
      </main>
    </Layout>
  );
}

/** Comments a poll could not read: the rest of their page was stored; these are shown as sent. */
function QuarantinedSection({ items }: { items: QuarantinedItemView[] }): string {
  const list = items
    .map(
      (q) =>
        `<li><p>${when(q.createdAt)}: ${
          q.externalId ? `post ${escapeHtml(q.externalId)}` : 'an item without a readable id'
        }, ${escapeHtml(q.reason)}</p><details><summary>As the platform sent it</summary><pre class="comment-text">${escapeHtml(
          q.rawItem,
        )}</pre></details></li>`,
    )
    .join('');
  return (
    <section aria-labelledby="quarantined-h">
      <h2 id="quarantined-h">Comments that could not be read ({String(items.length)})</h2>
      {items.length === 0 ? (
        <p class="empty">Every fetched comment was readable.</p>
      ) : (
        <>
          <p>
            The platform sent these in a shape Hallmonitor could not read. The rest of each poll was stored as
            usual; read these here or in the platform's own app, as they may need a response.
          </p>
          <ul class="quarantined">{list}</ul>
        </>
      )}
    </section>
  ) as string;
}

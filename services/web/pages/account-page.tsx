import type { AccountView } from '../../accounts/account-view.js';
import type { CoverageGapItem } from '../../accounts/list-coverage-gaps.js';
import type { QuarantinedItemView } from '../../accounts/list-quarantined-items.js';
import { type PollIntervalInUse, WEBHOOK_HEALTHY_WITHIN_MS } from '../../ingestion/webhook-health.js';
import { platformDisplayName, platformProfile } from '../../platforms/platform-profiles.js';
import type { QuotaPlan } from '../../platforms/youtube/youtube-quota.js';
import { ReviewForm } from '../components/account-bits.js';
import { AccountRiskTag } from '../components/account-risk.js';
import { Option, PostForm, Time } from '../components/kit.js';
import { NoteField } from '../components/moderation-bits.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';
import { credentialText, LastPoll, statusText } from './accounts-page.js';

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
  /** How often it is polled now, and why (longer while its platform's webhooks are delivering). */
  pollInterval?: PollIntervalInUse;
  /** Why this installation cannot connect accounts on the platform (no configuration); null: it can. */
  connectUnavailable?: string | null;
  /** A platform with a daily unit quota (YouTube), for the account's admins: the day's use and plan. */
  quota?: QuotaPlan | null;
}

/** "every 15 minutes" / "every 90 seconds" / "every hour" */
export function everyText(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? 'every hour' : `every ${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? 'every minute' : `every ${seconds / 60} minutes`;
  return `every ${seconds} seconds`;
}

function PollIntervalText({ interval }: { interval: PollIntervalInUse }): JSX.Element {
  const every = everyText(interval.seconds);
  if (interval.why === 'webhooks')
    return (
      <>
        <span safe>{`${every}, as a backstop: webhook deliveries are arriving (last `}</span>
        <Time at={interval.webhooks?.lastDeliveryAt ?? null} />
        {')'}
      </>
    );
  const own = interval.why === 'account' ? ' (this account’s setting)' : ' (the default)';
  if (interval.webhooks === null) return <span safe>{`${every}${own}`}</span>;
  return (
    <span
      safe
    >{`${every}${own}: no webhook delivery in the last ${WEBHOOK_HEALTHY_WITHIN_MS / 60_000} minutes, so polling is not relaxed`}</span>
  );
}

const CONNECTABLE = new Set(['approved', 'connected', 'active', 'suspended']);
const REVIEWABLE = new Set(['approved', 'connected', 'active', 'suspended']);

function Check({ name, label, on }: { name: string; label: string; on: boolean }): JSX.Element {
  return (
    <label class="check">
      <input type="checkbox" name={name} checked={on} /> <span safe>{label}</span>
    </label>
  );
}

function SettingsForm({ a, csrfToken }: { a: AccountView; csrfToken: string }): JSX.Element {
  const s = a.settings;
  return (
    <PostForm action={`/accounts/${a.id}/settings`} csrfToken={csrfToken} class="stack-form">
      <label for="s-threshold">Offensive threshold</label>
      <select id="s-threshold" name="offensiveThreshold">
        <Option value="low" label="Low: flag more" selected={s.offensiveThreshold} />
        <Option value="medium" label="Medium" selected={s.offensiveThreshold} />
        <Option value="high" label="High: flag only the worst" selected={s.offensiveThreshold} />
      </select>
      <Check name="autoHide" label="Hide high-severity offensive comments at once" on={s.autoHide} />
      <Check name="twoAdminHide" label="Hiding needs a second admin" on={s.twoAdminHide} />
      <Check
        name="conversationBackstop"
        label="Also read whole conversations (backstop)"
        on={s.conversationBackstop}
      />
      <label for="s-poll">Seconds between polls (blank: the default)</label>
      <input
        id="s-poll"
        name="pollIntervalSeconds"
        type="number"
        min="15"
        max="86400"
        value={s.pollIntervalSeconds === undefined ? '' : String(s.pollIntervalSeconds)}
      />
      <label for="s-expiry">Hours a proposal waits for the second admin</label>
      <input
        id="s-expiry"
        name="proposalExpiryHours"
        type="number"
        min="1"
        max="168"
        value={String(s.proposalExpiryHours)}
      />
      <label for="s-purpose">Purpose</label>
      <textarea id="s-purpose" name="purpose" maxlength="2000" rows="2" safe>
        {a.purpose}
      </textarea>
      <label for="s-audience">Audience</label>
      <textarea id="s-audience" name="audience" maxlength="2000" rows="2" safe>
        {a.audience}
      </textarea>
      <button type="submit">Save settings</button>
    </PostForm>
  );
}

/** The lifecycle steps this person may take on the account now; nothing when there are none. */
function Lifecycle({
  a,
  csrfToken,
  may,
  connectUnavailable,
}: Pick<AccountPageProps, 'may' | 'csrfToken' | 'connectUnavailable'> & { a: AccountView }) {
  const base = `/accounts/${a.id}`;
  const connect = may.connect && CONNECTABLE.has(a.status) && !connectUnavailable;
  const cannotConnect = may.connect && CONNECTABLE.has(a.status) && connectUnavailable;
  const activate = may.manage && (a.status === 'connected' || a.status === 'suspended');
  const suspend = may.manage && a.status === 'active';
  const review = may.seniorLeader && REVIEWABLE.has(a.status);
  const retire = may.seniorLeader && a.status !== 'retired' && a.status !== 'rejected';
  if (!connect && !cannotConnect && !activate && !suspend && !review && !retire) return '';
  return (
    <section aria-labelledby="life-h">
      <h2 id="life-h">Status</h2>
      <div class="lifecycle">
        {connect && platformProfile(a.platform).connect.kind === 'app-password' ? (
          <p>
            <a class="button-link" href={`${base}/connect/bluesky`} safe>
              {connectLabel(a)}
            </a>
          </p>
        ) : connect ? (
          <PostForm action={`${base}/connect`} csrfToken={csrfToken} class="inline-form">
            <button type="submit" safe>
              {connectLabel(a)}
            </button>
          </PostForm>
        ) : cannotConnect ? (
          <p class="muted" safe>
            {`Not connectable here: ${cannotConnect}`}
          </p>
        ) : (
          ''
        )}
        {activate ? (
          <PostForm action={`${base}/activate`} csrfToken={csrfToken} class="inline-form">
            <button type="submit">Activate monitoring</button>
          </PostForm>
        ) : (
          ''
        )}
        {suspend ? (
          <PostForm action={`${base}/suspend`} csrfToken={csrfToken} class="stack-form">
            <NoteField label="Why suspend (required)" />
            <button type="submit" class="secondary">
              Suspend
            </button>
          </PostForm>
        ) : (
          ''
        )}
        {review ? (
          <ReviewForm
            account={a}
            csrfToken={csrfToken}
            outcomeLabel="Review outcome"
            suspendLabel="Suspend"
          />
        ) : (
          ''
        )}
        {retire ? (
          <PostForm action={`${base}/retire`} csrfToken={csrfToken} class="stack-form">
            <NoteField label="Why retire (required)" />
            <button type="submit" class="danger">
              Retire for good
            </button>
          </PostForm>
        ) : (
          ''
        )}
      </div>
    </section>
  );
}

function Admins({
  a,
  csrfToken,
  manage,
  candidates,
}: {
  a: AccountView;
  csrfToken: string;
  manage: boolean;
  candidates: AccountPageProps['candidates'];
}): JSX.Element {
  const base = `/accounts/${a.id}`;
  return (
    <section aria-labelledby="admins-h">
      <h2 id="admins-h">Admins</h2>
      <ul class="admins-list">
        {a.admins.length === 0 ? (
          <li>none</li>
        ) : (
          a.admins.map((x) => (
            <li>
              <span safe>{x.displayName}</span>
              {x.acknowledgedCurrentPolicy ? (
                ''
              ) : (
                <>
                  {' '}
                  <span class="muted">(has not acknowledged the current policy)</span>
                </>
              )}
              {manage ? (
                <PostForm
                  action={`${base}/admins/${x.userId}/remove`}
                  csrfToken={csrfToken}
                  class="inline-form"
                >
                  <button type="submit" class="secondary" aria-label={`Remove ${x.displayName}`}>
                    Remove
                  </button>
                </PostForm>
              ) : (
                ''
              )}
            </li>
          ))
        )}
      </ul>
      {manage && candidates.length > 0 ? (
        <PostForm action={`${base}/admins`} csrfToken={csrfToken} class="stack-form">
          <label for="a-user">Add an admin</label>
          {/* Nobody preselected: the first name in the list (the auditor, in the demo) is not a choice. */}
          <select id="a-user" name="userId" required>
            <option value="" selected>
              Choose a person…
            </option>
            {candidates.map((c) => (
              <Option value={c.userId} label={c.displayName} />
            ))}
          </select>
          <label class="check">
            <input type="checkbox" name="trainingCompleted" required /> Has completed training
          </label>
          <label class="check">
            <input type="checkbox" name="acceptableUseSigned" required /> Has signed the acceptable-use
            agreement
          </label>
          <button type="submit">Add admin</button>
        </PostForm>
      ) : (
        ''
      )}
    </section>
  );
}

/** One account: status, admins, settings, and the lifecycle steps this person may take. */
export function AccountPage(props: AccountPageProps): JSX.Element {
  const { account: a, csrfToken, may } = props;
  return (
    <Layout title={a.label} user={props.user} csrfToken={csrfToken} current="accounts">
      <main id="main">
        <p>
          <a href="/accounts">All accounts</a>
        </p>
        <h1 safe>{a.label}</h1>
        <Flash flash={props.flash} />
        {a.governance.peopleRisk ? (
          <p
            class={a.governance.peopleRisk.overdue ? 'risk-banner risk-overdue' : 'risk-banner'}
            role={a.governance.peopleRisk.overdue ? 'alert' : undefined}
          >
            <AccountRiskTag risk={a.governance.peopleRisk} /> Name another admin below, or ask a trust admin
            to name a safeguarding lead; monitoring carries on meanwhile.
          </p>
        ) : (
          ''
        )}
        <dl class="facts">
          <dt>School</dt>
          <dd safe>{props.schoolName}</dd>
          <dt>Status</dt>
          <dd safe>{statusText(a.status)}</dd>
          <dt>Connection</dt>
          <dd safe>{credentialText(a.credentialStatus)}</dd>
          <dt>Last poll</dt>
          <dd>
            <LastPoll a={a} />
          </dd>
          {props.pollInterval ? (
            <>
              <dt>Polling</dt>
              <dd>
                <PollIntervalText interval={props.pollInterval} />
              </dd>
            </>
          ) : (
            ''
          )}
          <dt>Review due</dt>
          <dd>
            <Time at={a.reviewDueAt} />
          </dd>
          <dt>Decision note</dt>
          <dd safe>{a.decisionNote ?? '—'}</dd>
        </dl>
        {a.governance.activationBlockers.length > 0 && a.status !== 'active' ? (
          <section aria-labelledby="blockers-h">
            <h2 id="blockers-h">Before it can be activated</h2>
            <ul>
              {a.governance.activationBlockers.map((b) => (
                <li safe>{b}</li>
              ))}
            </ul>
          </section>
        ) : (
          ''
        )}
        <Lifecycle
          a={a}
          csrfToken={csrfToken}
          may={may}
          connectUnavailable={props.connectUnavailable ?? null}
        />
        {props.quota ? <QuotaSection plan={props.quota} platform={platformDisplayName(a.platform)} /> : ''}
        <Admins a={a} csrfToken={csrfToken} manage={may.manage} candidates={props.candidates} />
        {may.manage ? (
          <section aria-labelledby="settings-h">
            <h2 id="settings-h">Settings</h2>
            <SettingsForm a={a} csrfToken={csrfToken} />
          </section>
        ) : (
          ''
        )}
        <section aria-labelledby="gaps-h">
          <h2 id="gaps-h" safe>{`Coverage gaps (${props.gaps.length})`}</h2>
          {props.gaps.length === 0 ? (
            <p class="empty">Every mention has been read.</p>
          ) : (
            <ul>
              {props.gaps.map((g) => (
                <li>
                  <Time at={g.createdAt} />
                  <span safe>{`: ${g.note}`}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        {props.quarantined === null ? '' : <QuarantinedSection items={props.quarantined} />}
      </main>
    </Layout>
  );
}

const units = (n: number) => `${n.toLocaleString('en-GB')} ${n === 1 ? 'unit' : 'units'}`;

function every(seconds: number): string {
  if (seconds < 120) return `every ${seconds} seconds`;
  if (seconds < 7_200) return `every ${Math.round(seconds / 60)} minutes`;
  return `every ${Math.round(seconds / 360) / 10} hours`;
}

/** The day's spend of the platform's quota, and how polling is spaced so moderation never starves. */
function QuotaSection({ plan, platform }: { plan: QuotaPlan; platform: string }): JSX.Element {
  return (
    <section aria-labelledby="quota-h">
      <h2 id="quota-h" safe>{`${platform} quota today`}</h2>
      <dl class="facts">
        <dt>Used today</dt>
        <dd safe>{`${units(plan.usedToday)} of this account's ${units(plan.budget)}`}</dd>
        <dt>Kept for moderation</dt>
        <dd
          safe
        >{`${units(plan.reserve)}: polling stops before it, so holding, rejecting and replying always have units (each costs 50)`}</dd>
        <dt>Polling</dt>
        <dd>
          {plan.pollingPaused ? (
            <>Paused until the quota resets: only moderation and replies spend units now</>
          ) : (
            <span safe>{`${every(plan.intervalSeconds)}, to last until the reset`}</span>
          )}
        </dd>
        <dt>Resets</dt>
        <dd>
          <Time at={plan.resetsAt} /> (midnight Pacific time)
        </dd>
      </dl>
    </section>
  );
}

/** Comments a poll could not read: the rest of their page was stored; these are shown as sent. */
function QuarantinedSection({ items }: { items: QuarantinedItemView[] }): JSX.Element {
  return (
    <section aria-labelledby="quarantined-h">
      <h2 id="quarantined-h" safe>{`Comments that could not be read (${items.length})`}</h2>
      {items.length === 0 ? (
        <p class="empty">Every fetched comment was readable.</p>
      ) : (
        <>
          <p>
            The platform sent these in a shape Hallmonitor could not read. The rest of each poll was stored as
            usual; read these here or in the platform's own app, as they may need a response.
          </p>
          <ul class="quarantined">
            {items.map((q) => (
              <li>
                <p>
                  <Time at={q.createdAt} />
                  <span safe>
                    {`: ${q.externalId ? `post ${q.externalId}` : 'an item without a readable id'}, ${q.reason}`}
                  </span>
                </p>
                <details>
                  <summary>As the platform sent it</summary>
                  <pre class="comment-text" safe>
                    {q.rawItem}
                  </pre>
                </details>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** What the connect button says: the platform's own way in ("Connect a Facebook Page"). */
export function connectLabel(a: Pick<AccountView, 'platform' | 'credentialStatus'>): string {
  const again = a.credentialStatus === 'valid';
  const connect = platformProfile(a.platform).connect;
  if (connect.kind === 'facebook-login')
    return connect.picker === 'pages'
      ? `${again ? 'Reconnect' : 'Connect'} a Facebook Page`
      : `${again ? 'Reconnect' : 'Connect'} Instagram through its Facebook Page`;
  return `${again ? 'Reconnect' : 'Connect'} to ${platformDisplayName(a.platform)}`;
}

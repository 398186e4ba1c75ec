import type { RiskReason } from '../../../db/schema/index.js';
import { RISK_WORDS } from '../../accounts/account-risks.js';
import type { PeopleSettingsView } from '../../accounts/people-settings.js';
import { Option, PostForm, Time } from './kit.js';
import { fieldId } from './page-bits.js';

/**
 * P4 and P8 on the school settings page: what happens when a change would leave an active account
 * with fewer than two working admins or the school without a safeguarding lead, how long a
 * replacement may take, and the accounts now at risk.
 */
export function PeopleSettingsSection({
  action,
  csrfToken,
  people,
}: {
  action: string;
  csrfToken: string;
  people: PeopleSettingsView | null | undefined;
}): JSX.Element {
  if (!people) return '';
  const mode = fieldId('shortfall-mode');
  const days = fieldId('replacement-days');
  return (
    <section aria-labelledby="people-h" class="people-settings">
      <h2 id="people-h">People the policy requires</h2>
      <p class="help">
        Every active account has at least two working admins, and the school has a safeguarding lead. When
        disabling a person, revoking a role or removing an admin would break that, Hallmonitor either refuses
        (the policy read literally) or lets it happen and puts the account at risk: senior leaders are told
        and a replacement is due within the time below. After that the account keeps being monitored but is
        shown in red on the accounts list, its page and the inbox.
      </p>
      <p>
        <a href={action.replace(/\/settings\/people$/, '/policy')}>The school's social media policy</a>: read
        it, acknowledge it, see who has not, and publish a new version.
      </p>
      {people.hasSafeguardingLead ? (
        ''
      ) : (
        <p class="flash-error" role="alert">
          This school has no safeguarding lead: no account can be activated, and safeguarding concerns go to
          senior leaders instead.
        </p>
      )}
      {people.editable ? (
        <PostForm action={action} csrfToken={csrfToken} class="stack-form">
          <label for={mode}>When a change would leave an account short</label>
          <select id={mode} name="shortfallMode">
            <Option value="refuse" label="Refuse the change" selected={people.shortfallMode} />
            <Option
              value="at_risk"
              label="Allow it and put the account at risk"
              selected={people.shortfallMode}
            />
          </select>
          <label for={days}>Days to name a replacement</label>
          <input
            id={days}
            name="replacementDays"
            type="number"
            min="1"
            max="90"
            required
            value={String(people.replacementDays)}
          />
          <button type="submit">Save people settings</button>
        </PostForm>
      ) : (
        <p safe>
          {people.shortfallMode === 'refuse'
            ? 'Changes that would leave an account short are refused.'
            : `Changes that would leave an account short put it at risk; a replacement is due within ${people.replacementDays} days.`}
        </p>
      )}
      <BehaviourLead
        action={action.replace(/\/people$/, '/behaviour-lead')}
        csrfToken={csrfToken}
        people={people}
      />
      {people.atRisk.length ? (
        <>
          <h3>Accounts at risk</h3>
          <ul class="risk-list">
            {people.atRisk.map((r) => (
              <li class={r.overdue ? 'risk-overdue' : 'risk'} data-account-id={r.accountId}>
                <a href={`/accounts/${r.accountId}`} safe>
                  {r.label}
                </a>
                <span safe>{`: ${r.reasons.map((x) => RISK_WORDS[x as RiskReason] ?? x).join(', ')}; `}</span>
                {r.overdue ? <strong>replacement overdue since </strong> : <span>replacement due </span>}
                <Time at={r.dueAt} />
              </li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}
    </section>
  );
}

/** 002 §5 Pupils: who a pupil's comment on the school's accounts goes to (the behaviour policy). */
function BehaviourLead({
  action,
  csrfToken,
  people,
}: {
  action: string;
  csrfToken: string;
  people: PeopleSettingsView;
}): JSX.Element {
  const id = fieldId('behaviour-lead');
  const leadText: string = people.behaviourLead
    ? `Behaviour lead: ${people.behaviourLead.name}`
    : 'No behaviour lead is named: the senior leaders receive pupils’ comments.';
  return (
    <div id="behaviour-lead">
      <h3>Behaviour lead</h3>
      <p class="help">
        The school does not reply to pupils on its accounts (policy 002 §5 Pupils): a comment that appears to
        come from a pupil goes to the behaviour lead, and its reply box refuses replies. With nobody named,
        the senior leaders receive them.
      </p>
      {people.editable ? (
        <PostForm action={action} csrfToken={csrfToken} class="stack-form">
          <label for={id}>Behaviour lead</label>
          <select id={id} name="userId">
            <Option
              value=""
              label="Nobody: the senior leaders"
              selected={people.behaviourLead?.userId ?? ''}
            />
            {people.staff.map((p) => (
              <Option value={p.userId} label={p.name} selected={people.behaviourLead?.userId ?? ''} />
            ))}
          </select>
          <button type="submit">Save behaviour lead</button>
        </PostForm>
      ) : (
        <p safe>{leadText}</p>
      )}
    </div>
  );
}

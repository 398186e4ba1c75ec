import type { RiskReason } from '../../../db/schema/index.js';
import { RISK_WORDS } from '../../accounts/account-risks.js';
import { Time } from './kit.js';

export interface RiskNote {
  reasons: readonly string[];
  dueAt: string;
  overdue: boolean;
}

const reasonWords = (reasons: readonly string[]) =>
  reasons.map((r) => RISK_WORDS[r as RiskReason] ?? r).join(' and ');

/**
 * P4/P8 on an account's row or page: at risk (amber) until the replacement is due, then red.
 * Says why in words, so colour is never the only sign.
 */
export function AccountRiskTag({ risk }: { risk: RiskNote | null | undefined }): JSX.Element {
  if (!risk) return '';
  return (
    <span class={risk.overdue ? 'risk-tag risk-overdue' : 'risk-tag'}>
      <span
        safe
      >{`${risk.overdue ? 'At risk, replacement overdue' : 'At risk'}: ${reasonWords(risk.reasons)}; replacement due `}</span>
      <Time at={risk.dueAt} />
    </span>
  );
}

/** The inbox header's list of the person's accounts at risk; red when any is overdue. */
export function AtRiskBanner({
  accounts,
}: {
  accounts: readonly (RiskNote & { accountId: string; label: string })[] | undefined;
}): JSX.Element {
  if (!accounts?.length) return '';
  const overdue = accounts.some((a) => a.overdue);
  return (
    <section
      class={overdue ? 'risk-banner risk-overdue' : 'risk-banner'}
      aria-labelledby="risk-banner-h"
      role={overdue ? 'alert' : undefined}
    >
      <h2 id="risk-banner-h">
        {overdue
          ? 'Accounts without the people the policy requires, past their replacement deadline'
          : 'Accounts at risk'}
      </h2>
      <ul>
        {accounts.map((a) => (
          <li class={a.overdue ? 'risk-overdue' : ''} data-account-id={a.accountId}>
            <a href={`/accounts/${a.accountId}`} safe>
              {a.label}
            </a>
            <span
              safe
            >{`: ${reasonWords(a.reasons)}; ${a.overdue ? 'replacement was due' : 'replacement due'} `}</span>
            <Time at={a.dueAt} />
          </li>
        ))}
      </ul>
    </section>
  );
}

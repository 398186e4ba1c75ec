import type { Severity } from '../../comments/inbox-urgency.js';

const SEVERITY_NAMES: Record<Severity, string> = { high: 'High', medium: 'Medium', low: 'Low' };
const URGENCY_NAMES: Record<number, string> = { 0: 'Safeguarding', 1: 'Threat' };

/** A comment's severity at a glance: words as well as colour, so it reads without colour too. */
export function SeverityBadge({ severity }: { severity: Severity | null }): JSX.Element {
  if (!severity) return '';
  return (
    <strong
      class={`severity-badge severity-${severity}`}
      safe
    >{`${SEVERITY_NAMES[severity]} severity`}</strong>
  );
}

/** Why a comment is at the top of the inbox: safeguarding or a threat. Nothing for the rest. */
export function UrgencyBadge({ urgency }: { urgency: number }): JSX.Element {
  const name = URGENCY_NAMES[urgency];
  if (!name) return '';
  return (
    <strong class="urgency-badge" safe>
      {name}
    </strong>
  );
}

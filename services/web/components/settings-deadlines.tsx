import type { DeadlineSettings } from '../../deadlines/deadline-settings.js';
import { RETENTION_KINDS } from '../../deadlines/retention-settings.js';
import { fieldId } from './page-bits.js';

export interface DeadlineSettingsSectionProps {
  action: string;
  csrfToken: string;
  settings: DeadlineSettings;
}

/**
 * The school's P1, P2 and P12 settings: the holding reply and the follow-up target, who monitors the
 * accounts while the school is closed (a warning when nobody is named and a closure is coming), and
 * how long each kind of record is kept.
 */
export function DeadlineSettingsSection(p: DeadlineSettingsSectionProps): JSX.Element {
  const s = p.settings;
  const holding = fieldId('holding-reply');
  const followUp = fieldId('follow-up-days');
  const monitors = fieldId('closure-monitors');
  const r = s.retention;
  const number = (name: string, label: string, value: number, max: number) => {
    const id = fieldId(`retention-${name}`);
    return (
      <>
        <label for={id} safe>
          {label}
        </label>
        <input id={id} name={name} type="number" min="1" max={String(max)} value={String(value)} required />
      </>
    );
  };
  return (
    <section aria-labelledby="deadline-settings-h">
      <h2 id="deadline-settings-h">Responses, monitoring and retention</h2>
      {s.unmonitoredClosures.length > 0 ? (
        <div class="flash flash-error" role="alert" id="closure-monitor-warning">
          <p>
            Nobody is named to monitor the accounts while the school is closed (P1), and closures are coming:
          </p>
          <ul>
            {s.unmonitoredClosures.map((c) => (
              <li safe>{`${c.label}: ${c.from} to ${c.to}`}</li>
            ))}
          </ul>
        </div>
      ) : (
        ''
      )}
      <form method="post" action={p.action} class="stack-form">
        <input type="hidden" name="_csrf" value={p.csrfToken} />
        <h3>Holding reply (P2)</h3>
        <p class="help">
          “Acknowledge” posts this reply to the commenter on the platform, through the same checks as any
          reply. It meets the response deadline; the comment then stays in the follow-up queue until it is
          answered in full. An internal “seen” does not meet the deadline.
        </p>
        <label for={holding}>Holding reply</label>
        <textarea id={holding} name="holdingReplyTemplate" rows="3" maxlength="2000" required safe>
          {s.holdingReplyTemplate}
        </textarea>
        <label for={followUp}>Full answer due within (working days after the holding reply)</label>
        <input
          id={followUp}
          name="followUpWorkingDays"
          type="number"
          min="1"
          max="30"
          value={String(s.followUpWorkingDays)}
          required
        />
        <h3>Monitoring during closures (P1)</h3>
        <label for={monitors}>Who monitors the accounts while the school is closed</label>
        <select id={monitors} name="closureMonitorIds" multiple="multiple" size="4">
          {s.staff.map((person) => (
            <option value={person.id} selected={s.closureMonitorIds.includes(person.id)} safe>
              {person.name}
            </option>
          ))}
        </select>
        <h3>Retention (P12)</h3>
        <p class="help">
          The nightly retention job destroys each kind of record once it is older than its period, and records
          what it destroyed in the <a href="/reports/retention">retention report</a>.
        </p>
        {number('retentionMonths', `${RETENTION_KINDS.comments}: months`, s.retentionMonths, 120)}
        {number('quarantinedDays', `${RETENTION_KINDS.quarantinedItems}: days`, r.quarantinedDays, 3650)}
        {number('notificationMonths', `${RETENTION_KINDS.notifications}: months`, r.notificationMonths, 120)}
        {number('deliveryLogDays', `${RETENTION_KINDS.deliveryLog}: days`, r.deliveryLogDays, 3650)}
        {number(
          'safeguardingYears',
          'Kept for safeguarding, per the school’s safeguarding records policy: years',
          r.safeguardingYears,
          100,
        )}
        <p class="help">Kept for safeguarding (not destroyed by the periods above until this one ends):</p>
        <ul class="kept-for-safeguarding">
          <li>comments flagged as safeguarding, or with a safeguarding escalation, and their replies</li>
          <li>safeguarding escalations and their notes</li>
          <li>the audit log entries about them</li>
        </ul>
        <button type="submit">Save responses, monitoring and retention</button>
      </form>
    </section>
  );
}

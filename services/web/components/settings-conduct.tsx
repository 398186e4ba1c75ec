import type { ConductSettingsView } from '../../accounts/conduct-settings.js';
import { Option, PostForm } from './kit.js';
import { fieldId } from './page-bits.js';

/**
 * P6 and P7 on the school settings page: the headteacher (a designation on a senior leader) and the
 * deputies who approve replies to media enquiries, the data protection officer told of personal
 * data published in a comment, and what counts as harassment.
 */
export function ConductSettingsSection({
  action,
  csrfToken,
  conduct,
}: {
  action: string;
  csrfToken: string;
  conduct: ConductSettingsView | null | undefined;
}): JSX.Element {
  if (!conduct) return '';
  const head = fieldId('headteacher');
  const deputies = fieldId('media-deputies');
  const dpoUser = fieldId('dpo-user');
  const dpoEmail = fieldId('dpo-email');
  const count = fieldId('harassment-count');
  const days = fieldId('harassment-days');
  const deputyIds = new Set(conduct.deputies.map((d) => d.id));
  // The headteacher is not their own deputy.
  const candidates = conduct.seniorLeaders.filter((p) => p.id !== conduct.headteacher?.id);
  return (
    <section aria-labelledby="conduct-h" class="conduct-settings">
      <h2 id="conduct-h">Media enquiries and unacceptable conduct</h2>
      <p class="help">
        A journalist's enquiry goes to the headteacher: no reply, and no offline response, without their
        written approval or that of a deputy named here (P6). Defamation, discriminatory content, harassment,
        threats and personal data published in a comment go to the senior leaders at once; personal data also
        to the data protection officer (P7).
      </p>
      {conduct.headteacher ? (
        ''
      ) : (
        <p class="flash-error" role="alert">
          No headteacher is named: until one is, any senior leader approves replies to media enquiries.
        </p>
      )}
      {conduct.editable ? (
        <PostForm action={action} csrfToken={csrfToken} class="stack-form">
          <label for={head}>Headteacher (a senior leader)</label>
          <select id={head} name="headteacherId">
            <Option value="" label="Nobody named" selected={conduct.headteacher?.id ?? ''} />
            {conduct.seniorLeaders.map((p) => (
              <Option value={p.id} label={p.name} selected={conduct.headteacher?.id ?? ''} />
            ))}
          </select>
          <fieldset>
            <legend>Deputies who may approve media replies in the headteacher's place</legend>
            {candidates.length === 0 ? (
              <p class="muted">No other senior leader at this school to name as a deputy.</p>
            ) : (
              ''
            )}
            {candidates.map((p) => (
              <p class="checkbox">
                <input
                  type="checkbox"
                  id={`${deputies}-${p.id}`}
                  name="mediaDeputyIds"
                  value={p.id}
                  checked={deputyIds.has(p.id)}
                />
                <label for={`${deputies}-${p.id}`} safe>
                  {p.name}
                </label>
              </p>
            ))}
          </fieldset>
          <label for={dpoUser}>Data protection officer in Hallmonitor</label>
          <select id={dpoUser} name="dpoUserId">
            <Option value="" label="Nobody here" selected={conduct.dpo.user?.id ?? ''} />
            {conduct.staff.map((p) => (
              <Option value={p.id} label={p.name} selected={conduct.dpo.user?.id ?? ''} />
            ))}
          </select>
          <label for={dpoEmail}>Data protection officer's email (an outside DPO service)</label>
          <input id={dpoEmail} name="dpoEmail" type="email" maxlength="320" value={conduct.dpo.email ?? ''} />
          <label for={count}>
            Harassment: this many offensive comments by one author, or naming one member of staff
          </label>
          <input
            id={count}
            name="harassmentCount"
            type="number"
            min="2"
            max="20"
            required
            value={String(conduct.harassmentCount)}
          />
          <label for={days}>Harassment: within this many days</label>
          <input
            id={days}
            name="harassmentWindowDays"
            type="number"
            min="1"
            max="90"
            required
            value={String(conduct.harassmentWindowDays)}
          />
          <button type="submit">Save media and conduct settings</button>
        </PostForm>
      ) : (
        <ul>
          <li safe>{`Headteacher: ${conduct.headteacher?.name ?? 'nobody named'}`}</li>
          <li
            safe
          >{`Deputies for media replies: ${conduct.deputies.map((d) => d.name).join(', ') || 'none'}`}</li>
          <li
            safe
          >{`Data protection officer: ${[conduct.dpo.user?.name, conduct.dpo.email].filter(Boolean).join(', ') || 'nobody named'}`}</li>
          <li
            safe
          >{`Harassment: ${conduct.harassmentCount} offensive comments within ${conduct.harassmentWindowDays} days`}</li>
        </ul>
      )}
    </section>
  );
}

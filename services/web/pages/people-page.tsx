import type { ListedUser } from '../../auth/list-users.js';
import { Option, PostForm } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export const ROLE_NAMES: Record<string, string> = {
  comms: 'Comms staff',
  senior_leader: 'Senior leader',
  safeguarding_lead: 'Safeguarding lead',
  trust_admin: 'Trust admin',
  auditor: 'Auditor',
};

export interface PeoplePageProps {
  user: NavUser;
  csrfToken: string;
  flash: FlashMessage | null;
  /** The signed-in trust admin (they may not disable themselves). */
  userId: string;
  people: ListedUser[];
  /** The schools where the viewer is trust admin: where roles can be granted. */
  schools: { id: string; name: string }[];
}

function SchoolSelect({ id, schools }: { id: string; schools: PeoplePageProps['schools'] }): JSX.Element {
  return (
    <select id={id} name="schoolId">
      {schools.map((s) => (
        <Option value={s.id} label={s.name} />
      ))}
    </select>
  );
}

function RoleSelect({ id }: { id: string }): JSX.Element {
  return (
    <select id={id} name="role">
      {Object.entries(ROLE_NAMES).map(([value, label]) => (
        <Option value={value} label={label} />
      ))}
    </select>
  );
}

function PersonRow({
  p,
  person,
  index,
}: {
  p: PeoplePageProps;
  person: ListedUser;
  index: number;
}): JSX.Element {
  const schoolName = new Map(p.schools.map((s) => [s.id, s.name]));
  const base = `/people/${person.id}`;
  const n = String(index);
  return (
    <tr data-user-id={person.id} class={person.disabled ? 'disabled-person' : ''}>
      <th scope="row">
        <span safe>{person.displayName}</span>
        <br />
        <span class="muted" safe>
          {person.email}
        </span>
      </th>
      <td>
        <strong class={`tag ${person.disabled ? 'tag-grey' : 'tag-green'}`}>
          {person.disabled ? 'Disabled' : 'Active'}
        </strong>
        <br />
        <span class="muted">
          {person.ssoLinked
            ? 'Signs in with SSO'
            : person.hasPassword
              ? 'Signs in with a password'
              : 'Invited'}
        </span>
      </td>
      <td>
        {person.roles.length ? (
          <ul class="role-list">
            {person.roles.map((r) => (
              <li>
                <span
                  safe
                >{`${ROLE_NAMES[r.role] ?? r.role} at ${schoolName.get(r.schoolId) ?? 'a school'}`}</span>
                <PostForm action={`${base}/roles/revoke`} csrfToken={p.csrfToken} class="inline-form">
                  <input type="hidden" name="schoolId" value={r.schoolId} />
                  <input type="hidden" name="role" value={r.role} />
                  <button
                    type="submit"
                    class="secondary"
                    aria-label={`Revoke ${ROLE_NAMES[r.role] ?? r.role} at ${schoolName.get(r.schoolId) ?? 'a school'} from ${person.displayName}`.replaceAll(
                      '"',
                      '',
                    )}
                  >
                    Revoke
                  </button>
                </PostForm>
              </li>
            ))}
          </ul>
        ) : (
          <span class="muted">No role yet</span>
        )}
      </td>
      <td>
        <details>
          <summary>
            Change<span class="visually-hidden" safe>{` ${person.displayName}`}</span>
          </summary>
          <PostForm action={`${base}/roles`} csrfToken={p.csrfToken} class="stack-form">
            <label for={`grant-role-${n}`}>Role</label>
            <RoleSelect id={`grant-role-${n}`} />
            <label for={`grant-school-${n}`}>At school</label>
            <SchoolSelect id={`grant-school-${n}`} schools={p.schools} />
            <button type="submit">Grant role</button>
          </PostForm>
          {person.id === p.userId ? (
            <p class="muted">You cannot disable yourself.</p>
          ) : (
            <PostForm
              action={`${base}/${person.disabled ? 'enable' : 'disable'}`}
              csrfToken={p.csrfToken}
              class="stack-form"
            >
              <label for={`status-reason-${n}`}>Reason (recorded in the audit log)</label>
              <input id={`status-reason-${n}`} name="reason" maxlength="500" />
              <button type="submit" class={person.disabled ? '' : 'warning'}>
                {person.disabled ? 'Enable sign-in' : 'Disable sign-in'}
              </button>
            </PostForm>
          )}
        </details>
      </td>
    </tr>
  );
}

/** People and roles (trust admins): who holds which role where; invite, grant, revoke, disable. */
export function PeoplePage(p: PeoplePageProps): JSX.Element {
  return (
    <Layout title="People and roles" user={p.user} csrfToken={p.csrfToken} current="people">
      <main id="main" class="people-page">
        <h1>People and roles</h1>
        <Flash flash={p.flash} />
        <p class="help">
          Everyone with a role at your schools, and people invited with no role yet. Granting or revoking a
          role, or disabling someone, ends their sessions at once; every change is in the audit log.
        </p>
        <section aria-labelledby="people-h">
          <h2 id="people-h">Who holds which role</h2>
          {p.people.length ? (
            <table class="people">
              <caption class="visually-hidden">People, their sign-in status and roles</caption>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Status</th>
                  <th scope="col">Roles</th>
                  <th scope="col">
                    <span class="visually-hidden">Change</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.people.map((person, i) => (
                  <PersonRow p={p} person={person} index={i} />
                ))}
              </tbody>
            </table>
          ) : (
            <p class="empty">No one yet.</p>
          )}
        </section>
        <section aria-labelledby="invite-h">
          <h2 id="invite-h">Invite a person</h2>
          <PostForm action="/people/invite" csrfToken={p.csrfToken} class="stack-form invite">
            <label for="invite-name">Full name</label>
            <input id="invite-name" name="displayName" required maxlength="200" autocomplete="name" />
            <label for="invite-email">Email address</label>
            <p class="help" id="invite-email-hint">
              Their school email: they sign in with it (SSO, or a password a trust admin sets).
            </p>
            <input
              id="invite-email"
              name="email"
              type="email"
              required
              maxlength="320"
              autocomplete="email"
              aria-describedby="invite-email-hint"
              spellcheck="false"
            />
            <label for="invite-role">First role</label>
            <select id="invite-role" name="role">
              <option value="">No role yet</option>
              {Object.entries(ROLE_NAMES).map(([value, label]) => (
                <Option value={value} label={label} />
              ))}
            </select>
            <label for="invite-school">At school</label>
            <SchoolSelect id="invite-school" schools={p.schools} />
            <button type="submit">Invite</button>
          </PostForm>
        </section>
      </main>
    </Layout>
  );
}

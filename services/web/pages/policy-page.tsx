import type { PolicyStatus } from '../../accounts/get-policy-status.js';
import { PostForm, Time } from '../components/kit.js';
import { Flash, type FlashMessage, fieldId } from '../components/page-bits.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface PolicyPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  school: { id: string; name: string };
  status: PolicyStatus;
  /** Senior leaders and trust admins publish a new version. */
  canPublish: boolean;
}

/**
 * P5: the school's social media policy, read and acknowledged here by everyone who replies or
 * moderates; a new version published here asks everyone to acknowledge it again.
 */
export function PolicyPage(p: PolicyPageProps): JSX.Element {
  const base = `/schools/${p.school.id}/policy`;
  const s = p.status;
  const label = fieldId('policy-version');
  const url = fieldId('policy-url');
  return (
    <Layout
      title={`Social media policy · ${p.school.name}`}
      user={p.user}
      csrfToken={p.csrfToken}
      current="policy"
    >
      <main id="main" class="policy-page">
        <h1 safe>{`Social media policy: ${p.school.name}`}</h1>
        <Flash flash={p.flash} />
        {s.versionLabel ? (
          <section aria-labelledby="current-h">
            <h2 id="current-h" safe>{`Current version: ${s.versionLabel}`}</h2>
            <p>
              Published <Time at={s.versionAt} />.{' '}
              <a href={s.documentUrl ?? '#'} rel="noopener noreferrer" target="_blank">
                Read the policy document
              </a>
              .
            </p>
            {s.acknowledgedByMe ? (
              <p class="flash-ok" data-acknowledged="yes" safe>
                {`You have acknowledged version ${s.versionLabel}.`}
              </p>
            ) : (
              <PostForm action={`${base}/acknowledge`} csrfToken={p.csrfToken} class="stack-form">
                <p>
                  Replying to comments and moderating them need your acknowledgement of the current version.
                </p>
                <input type="hidden" name="versionLabel" value={s.versionLabel} />
                <label class="check">
                  <input type="checkbox" name="read" required /> I have read version{' '}
                  <span safe>{s.versionLabel}</span> of the policy and will follow it
                </label>
                <button type="submit">Acknowledge the policy</button>
              </PostForm>
            )}
          </section>
        ) : (
          <p class="flash-error">
            The school has not published its social media policy in Hallmonitor yet. Nobody can reply or
            moderate until it has, and they have acknowledged it.
          </p>
        )}
        {s.outstanding ? (
          <section aria-labelledby="outstanding-h">
            <h2 id="outstanding-h">Still to acknowledge</h2>
            {s.outstanding.length ? (
              <ul class="outstanding">
                {s.outstanding.map((o) => (
                  <li safe>{o.displayName}</li>
                ))}
              </ul>
            ) : (
              <p class="empty">Everyone who uses an account has acknowledged it.</p>
            )}
          </section>
        ) : (
          ''
        )}
        {p.canPublish ? (
          <section aria-labelledby="publish-h">
            <h2 id="publish-h">Publish a new version</h2>
            <p class="help">
              Everyone who uses the school's accounts is asked to acknowledge it, and cannot reply or moderate
              until they have. A version label is never reused.
            </p>
            <PostForm action={`${base}/publish`} csrfToken={p.csrfToken} class="stack-form">
              <label for={label}>Version label</label>
              <input id={label} name="versionLabel" required maxlength="100" />
              <label for={url}>Link to the policy document</label>
              <input id={url} name="documentUrl" type="url" required maxlength="2000" />
              <button type="submit">Publish this version</button>
            </PostForm>
          </section>
        ) : (
          ''
        )}
      </main>
    </Layout>
  );
}

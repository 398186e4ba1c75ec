import type { PagePicker } from '../../accounts/connect-facebook.js';
import { PostForm } from '../components/kit.js';
import { Flash, type FlashMessage } from '../components/page-bits.js';
import { PublicHandle, PublicText } from '../components/public-text.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface PagePickerPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  picker: PagePicker;
  pickerId: string;
  /** "Oakfield Primary on Facebook" */
  accountLabel: string;
}

/**
 * After Facebook Login: the Pages the person administers, each with its linked Instagram business
 * account. Only the approved account can be chosen; the others say why not. Page and account names
 * come from Facebook and are escaped.
 */
export function PagePickerPage(props: PagePickerPageProps): JSX.Element {
  const { picker, csrfToken } = props;
  const instagram = picker.platform === 'instagram';
  const choosable = picker.choices.filter((c) => c.matches).length;
  const title = instagram ? 'Choose the Instagram account' : 'Choose the Facebook Page';
  return (
    <Layout title={title} user={props.user} csrfToken={csrfToken} current="accounts">
      <main id="main">
        <p>
          <a href={`/accounts/${picker.accountId}`} safe>
            {`Back to ${props.accountLabel}`}
          </a>
        </p>
        <h1>{title}</h1>
        <Flash flash={props.flash} />
        {picker.signedInAs ? (
          <p>
            You signed in to Facebook as <PublicText text={picker.signedInAs} />.
          </p>
        ) : (
          ''
        )}
        {instagram ? (
          <p>
            These are the Pages you administer on Facebook and the Instagram business account linked to each.
            The approved account is @<bdi safe>{picker.expected.replace(/^@/, '')}</bdi>.
          </p>
        ) : (
          <p>
            These are the Pages you administer on Facebook, and the Instagram business account linked to each.
            The approved Page is <bdi safe>{picker.expected}</bdi>.
          </p>
        )}
        {picker.choices.length === 0 ? (
          <p class="empty">
            Facebook listed no Pages for this sign-in. Sign in as a person with a role on the Page, and allow
            Hallmonitor to see the Page when Facebook asks.
          </p>
        ) : (
          <table class="page-picker">
            <caption class="visually-hidden">Pages you administer</caption>
            <thead>
              <tr>
                <th scope="col">Facebook Page</th>
                <th scope="col">Linked Instagram account</th>
                <th scope="col">Choose</th>
              </tr>
            </thead>
            <tbody>
              {picker.choices.map((c) => (
                <tr>
                  <td>
                    <PublicText text={c.pageName} />
                  </td>
                  <td>
                    {c.instagram ? (
                      <PublicHandle handle={c.instagram.username} />
                    ) : (
                      <span class="muted">none</span>
                    )}
                    {c.instagram && c.instagramAccount ? (
                      <PostForm
                        action={`/accounts/${c.instagramAccount.accountId}/connect/facebook`}
                        csrfToken={csrfToken}
                        class="inline-form"
                      >
                        <input type="hidden" name="picker" value={props.pickerId} />
                        <input type="hidden" name="choice" value={c.instagram.id} />
                        <button type="submit" class="secondary">
                          Connect <PublicHandle handle={c.instagram.username} /> too
                        </button>
                      </PostForm>
                    ) : (
                      ''
                    )}
                  </td>
                  <td>
                    {c.matches ? (
                      <PostForm
                        action={`/accounts/${picker.accountId}/connect/facebook`}
                        csrfToken={csrfToken}
                        class="inline-form"
                      >
                        <input type="hidden" name="picker" value={props.pickerId} />
                        <input type="hidden" name="choice" value={c.value} />
                        <button type="submit">
                          Connect{' '}
                          {instagram ? (
                            <PublicHandle handle={c.instagram?.username ?? ''} />
                          ) : (
                            <PublicText text={c.pageName} />
                          )}
                        </button>
                      </PostForm>
                    ) : (
                      <span class="muted">
                        <bdi safe>{c.why ?? ''}</bdi>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {picker.choices.length > 0 && choosable === 0 ? (
          <p class="flash-error" role="alert">
            None of these is the approved account, so nothing can be connected with this sign-in
            {picker.signedInAs ? (
              <>
                {' as '}
                <PublicText text={picker.signedInAs} />
              </>
            ) : (
              ''
            )}
            . Sign out of Facebook (or open a private window), sign in as someone with a role on{' '}
            <bdi safe>
              {instagram ? `the Page linked to @${picker.expected.replace(/^@/, '')}` : picker.expected}
            </bdi>
            , then press Connect again.
          </p>
        ) : (
          ''
        )}
      </main>
    </Layout>
  );
}

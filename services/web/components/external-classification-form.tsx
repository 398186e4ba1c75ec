import type { ExternalTierView } from '../../classification/describe-external-tiers.js';

export interface ExternalClassificationSectionProps {
  action: string;
  csrfToken: string;
  tiers: ExternalTierView[];
}

/**
 * Trust admins decide whether comment text leaves the installation for an outside classifier, and
 * see exactly where it would go (the endpoint's host) before they turn one on.
 */
export function ExternalClassificationSection(p: ExternalClassificationSectionProps): JSX.Element {
  return (
    <section aria-labelledby="external-h">
      <h2 id="external-h">Outside classification (whole trust)</h2>
      <p class="help">
        Comments are always classified here, on this installation. A second opinion from an outside classifier
        sends each comment's text to that classifier's address. Anything either flags is flagged, and the
        comment page says which one said what. Off unless a trust admin turns it on; each change is audited.
      </p>
      <ul class="external-tiers">
        {p.tiers.map((t) => (
          <li data-tier={t.tier}>
            <strong safe>{t.title}</strong>
            {': '}
            {t.configured ? (
              <>
                {t.on ? 'on' : 'off'}
                {'. '}
                <span
                  safe
                >{`${t.on ? 'Comment text is sent to' : 'Turning it on sends comment text to'} ${t.host} (model ${t.model}).`}</span>
                {t.onForOtherHost ? (
                  <span
                    safe
                  >{` It was turned on for ${t.onForOtherHost}, which this installation no longer uses: nothing is sent until it is turned on again.`}</span>
                ) : (
                  ''
                )}
                <form method="post" action={p.action} class="inline-form">
                  <input type="hidden" name="_csrf" value={p.csrfToken} />
                  <input type="hidden" name="tier" value={t.tier} />
                  <input type="hidden" name="on" value={t.on ? 'false' : 'true'} />
                  <button type="submit" class={t.on ? 'secondary' : undefined} safe>
                    {t.on ? `Turn off the ${t.title.toLowerCase()}` : `Send comment text to ${t.host ?? ''}`}
                  </button>
                </form>
              </>
            ) : (
              'not configured on this installation.'
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

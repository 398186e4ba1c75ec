import type { SchoolContactDetails } from '../../classification/own-contact-details.js';
import { fieldId } from './page-bits.js';

export interface ContactDetailsSectionProps {
  action: string;
  csrfToken: string;
  details: SchoolContactDetails;
  /** Senior leaders and trust admins change them; others see them. */
  editable: boolean;
}

/**
 * The school's published contact details. A reply that gives them out is not refused as personal
 * data; anyone else's email, phone or address still is.
 */
export function ContactDetailsSection(p: ContactDetailsSectionProps): JSX.Element {
  const emails = fieldId('contact-emails');
  const phones = fieldId('contact-phones');
  const address = fieldId('contact-address');
  const website = fieldId('contact-website');
  const d = p.details;
  return (
    <section aria-labelledby="contacts-h">
      <h2 id="contacts-h">Published contact details</h2>
      <p class="help">
        The school's own office email, phone, postal address and website. Replies may give these out: the
        outgoing check does not treat them as personal data. Anyone else's details are still refused. Each
        change is audited.
      </p>
      {p.editable ? (
        <form method="post" action={p.action} class="stack-form">
          <input type="hidden" name="_csrf" value={p.csrfToken} />
          <label for={emails}>Office email addresses, one per line</label>
          <textarea id={emails} name="emails" rows="2" maxlength="1300" spellcheck="false" safe>
            {d.emails.join('\n')}
          </textarea>
          <label for={phones}>Office phone numbers, one per line</label>
          <textarea id={phones} name="phones" rows="2" maxlength="130" spellcheck="false" safe>
            {d.phones.join('\n')}
          </textarea>
          <label for={address}>Postal address</label>
          <textarea id={address} name="address" rows="3" maxlength="300" safe>
            {d.address}
          </textarea>
          <label for={website}>Website</label>
          <input id={website} name="website" value={d.website} maxlength="200" spellcheck="false" />
          <button type="submit">Save contact details</button>
        </form>
      ) : (
        <dl class="contact-details">
          <dt>Email</dt>
          <dd safe>{d.emails.join(', ') || '—'}</dd>
          <dt>Phone</dt>
          <dd safe>{d.phones.join(', ') || '—'}</dd>
          <dt>Address</dt>
          <dd safe>{d.address || '—'}</dd>
          <dt>Website</dt>
          <dd safe>{d.website || '—'}</dd>
        </dl>
      )}
    </section>
  );
}

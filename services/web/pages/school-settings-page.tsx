import { escapeHtml } from '@kitajs/html';
import type { ConductSettingsView } from '../../accounts/conduct-settings.js';
import type { PeopleSettingsView } from '../../accounts/people-settings.js';
import { SCHOOL_TERM_CATEGORIES } from '../../classification/add-school-term.js';
import type { ExternalTierView } from '../../classification/describe-external-tiers.js';
import type { RosterEntryView } from '../../classification/list-roster.js';
import type { SchoolTermView } from '../../classification/list-school-terms.js';
import type { SchoolContactDetails } from '../../classification/own-contact-details.js';
import { HOLIDAY_REGIONS } from '../../deadlines/bank-holidays.js';
import type { DeadlineSettings } from '../../deadlines/deadline-settings.js';
import type { Closure, SchoolCalendar } from '../../deadlines/school-calendar.js';
import { ContactDetailsSection } from '../components/contact-details-form.js';
import { ExternalClassificationSection } from '../components/external-classification-form.js';
import { Option, PostForm, Time, words } from '../components/kit.js';
import { Flash, type FlashMessage, fieldId } from '../components/page-bits.js';
import { ConductSettingsSection } from '../components/settings-conduct.js';
import { DeadlineSettingsSection } from '../components/settings-deadlines.js';
import { PeopleSettingsSection } from '../components/settings-people.js';
import { SettingsReplies, type SettingsRepliesProps } from '../components/settings-replies.js';
import type { NavUser } from '../components/site-nav.js';
import { Layout } from '../layout.js';

export interface SchoolSettingsPageProps {
  user: NavUser;
  csrfToken: string;
  flash?: FlashMessage | null;
  school: { id: string; name: string };
  /** The person's other schools with a settings page (a switcher); may be empty. */
  otherSchools: { id: string; name: string }[];
  /** Null: the person may not read the terms (the section is left out). */
  terms: { entries: SchoolTermView[]; editable: boolean } | null;
  /** Null: not a safeguarding lead or trust admin here. */
  roster: { count: number; entries: RosterEntryView[] } | null;
  /** Null: may not change the calendar (senior leaders and trust admins may). */
  calendar: SchoolCalendar | null;
  /** P1, P2, P12 settings (senior leaders and trust admins); null leaves the section out. */
  deadlineSettings?: DeadlineSettings | null;
  /** Whether to link the school's notification settings (trust admins). */
  notifications: boolean;
  /** The school's published contact details (replies may give them out). */
  contactDetails?: { details: SchoolContactDetails; editable: boolean };
  /** Trust admins: the outside classification tiers and whether the trust has them on. */
  externalClassification?: ExternalTierView[] | null;
  /** P4/P8: people the policy requires (settings-people.tsx). */
  people?: PeopleSettingsView | null;
  /** P6/P7: headteacher, media deputies, data protection officer, harassment (settings-conduct.tsx). */
  conduct?: ConductSettingsView | null;
  /** House rules, notices, sensitive topics, sign-off (policy-replies). */
  replies?: SettingsRepliesProps | null;
}

function TermRow({
  base,
  t,
  csrfToken,
  editable,
}: {
  base: string;
  t: SchoolTermView;
  csrfToken: string;
  editable: boolean;
}): JSX.Element {
  const what =
    t.kind === 'allow'
      ? 'allow-list'
      : `${words(t.category ?? '')}: ${words(t.subcategory ?? '')} (${t.severity ?? ''})`;
  return (
    <tr data-entry-id={t.id}>
      <td>
        <bdi safe>{t.term}</bdi>
      </td>
      <td safe>{what}</td>
      <td>
        <Time at={t.createdAt} />
      </td>
      <td>
        {editable ? (
          <PostForm action={`${base}/terms/${t.id}/remove`} csrfToken={csrfToken} class="inline-form">
            <button type="submit" class="secondary" aria-label={escapeHtml(`Remove ${t.term}`)}>
              Remove
            </button>
          </PostForm>
        ) : (
          ''
        )}
      </td>
    </tr>
  );
}

function TermsTable({
  p,
  base,
  kind,
  empty,
}: {
  p: SchoolSettingsPageProps;
  base: string;
  kind: 'term' | 'allow';
  empty: string;
}): JSX.Element {
  const { entries, editable } = p.terms!;
  const rows = entries.filter((t) => t.kind === kind);
  if (!rows.length)
    return (
      <p class="empty" safe>
        {empty}
      </p>
    );
  return (
    <table class="settings-table">
      <thead>
        <tr>
          <th scope="col">{kind === 'term' ? 'Term' : 'Entry'}</th>
          <th scope="col">Flags as</th>
          <th scope="col">Added</th>
          <th scope="col">
            <span class="visually-hidden">Remove</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <TermRow base={base} t={t} csrfToken={p.csrfToken} editable={editable} />
        ))}
      </tbody>
    </table>
  );
}

function TermsSection({ p, base }: { p: SchoolSettingsPageProps; base: string }): JSX.Element {
  if (!p.terms) return '';
  const { editable } = p.terms;
  const term = fieldId('term');
  const category = fieldId('category');
  const severity = fieldId('severity');
  const allow = fieldId('allow');
  return (
    <>
      <section aria-labelledby="terms-h">
        <h2 id="terms-h">School terms</h2>
        <p class="help">
          Words the classifier flags at this school on top of the shipped lists (a local nickname used as an
          insult). Changes apply to the next comment; each is audited.
        </p>
        <TermsTable p={p} base={base} kind="term" empty="No terms of your own yet." />
        {editable ? (
          <PostForm action={`${base}/terms`} csrfToken={p.csrfToken} class="stack-form">
            <input type="hidden" name="kind" value="term" />
            <label for={term}>Term to flag</label>
            <input id={term} name="term" required minlength="2" maxlength="100" />
            <label for={category}>Category</label>
            <select id={category} name="category">
              {SCHOOL_TERM_CATEGORIES.map((c) => (
                <Option value={c} label={words(c)} />
              ))}
            </select>
            <label for={severity}>Severity</label>
            <select id={severity} name="severity">
              {['low', 'medium', 'high'].map((v) => (
                <Option value={v} label={v} selected="medium" />
              ))}
            </select>
            <button type="submit">Add term</button>
          </PostForm>
        ) : (
          ''
        )}
      </section>
      <section aria-labelledby="allow-h">
        <h2 id="allow-h">Allow-list</h2>
        <p class="help">Words that must never be flagged here (a place name such as Scunthorpe).</p>
        <TermsTable p={p} base={base} kind="allow" empty="No allow-list entries yet." />
        {editable ? (
          <PostForm action={`${base}/terms`} csrfToken={p.csrfToken} class="stack-form">
            <input type="hidden" name="kind" value="allow" />
            <label for={allow}>Word or phrase never to flag</label>
            <input id={allow} name="term" required minlength="2" maxlength="100" />
            <button type="submit">Add to allow-list</button>
          </PostForm>
        ) : (
          <p class="help">Only senior leaders and trust admins change these lists.</p>
        )}
      </section>
    </>
  );
}

function RosterSection({ p, base }: { p: SchoolSettingsPageProps; base: string }): JSX.Element {
  if (!p.roster) return '';
  const { count, entries } = p.roster;
  const csv = fieldId('csv');
  const mode = fieldId('mode');
  return (
    <section aria-labelledby="roster-h">
      <h2 id="roster-h">Pupil roster</h2>
      <p class="help">
        Comments naming a pupil are escalated to safeguarding, and staff replies naming one are refused. Names
        are stored encrypted, never logged; the audit log records counts only.{' '}
        <strong safe>{`${count} ${count === 1 ? 'pupil' : 'pupils'}`}</strong> on the roster.
      </p>
      {entries.length ? (
        <>
          <PostForm action={`${base}/roster/remove`} csrfToken={p.csrfToken} class="roster-list">
            <table class="settings-table">
              <thead>
                <tr>
                  <th scope="col">
                    <span class="visually-hidden">Select</span>
                  </th>
                  <th scope="col">Last name</th>
                  <th scope="col">First name</th>
                  <th scope="col">Year or class</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((r) => {
                  const id = fieldId('pupil');
                  return (
                    <tr>
                      <td>
                        <input type="checkbox" id={id} name="ids" value={r.id} />
                      </td>
                      <td>
                        <label for={id}>
                          <bdi safe>{r.lastName}</bdi>
                        </label>
                      </td>
                      <td>
                        <bdi safe>{r.firstName}</bdi>
                      </td>
                      <td safe>{[r.yearGroup, r.className].filter(Boolean).join(', ')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <div class="buttons">
              <button type="submit" class="secondary">
                Remove selected
              </button>
            </div>
          </PostForm>
          <PostForm action={`${base}/roster/remove`} csrfToken={p.csrfToken} class="inline-form">
            <input type="hidden" name="all" value="true" />
            <button type="submit" class="secondary">
              Remove the whole roster
            </button>
          </PostForm>
        </>
      ) : (
        <p class="empty">No pupils on the roster: comments naming a pupil cannot be recognised.</p>
      )}
      <PostForm action={`${base}/roster`} csrfToken={p.csrfToken} class="stack-form">
        <label for={csv}>
          Import a CSV: first name, last name, year group or class (one pupil per line; a header row is
          optional)
        </label>
        <textarea
          id={csv}
          name="csv"
          required
          rows="6"
          maxlength="500000"
          spellcheck="false"
          {...{ autocomplete: 'off' }}
        ></textarea>
        <label for={mode}>How</label>
        <select id={mode} name="mode">
          <option value="append">Add to the roster</option>
          <option value="replace">Replace the whole roster (start of a school year)</option>
        </select>
        <button type="submit">Import</button>
      </PostForm>
    </section>
  );
}

/** One closure per line: `YYYY-MM-DD label` or `YYYY-MM-DD to YYYY-MM-DD label`. */
export function closuresText(closures: readonly Closure[]): string {
  return closures.map((c) => `${c.from === c.to ? c.from : `${c.from} to ${c.to}`} ${c.label}`).join('\n');
}

function CalendarSection({ p, base }: { p: SchoolSettingsPageProps; base: string }): JSX.Element {
  if (!p.calendar) return '';
  const c = p.calendar;
  const region = fieldId('region');
  const closures = fieldId('closures');
  const ics = fieldId('ics');
  const regions = [...HOLIDAY_REGIONS, 'none'] as const;
  return (
    <section aria-labelledby="calendar-h">
      <h2 id="calendar-h">Calendar</h2>
      <p class="help" safe>
        {`Deadlines skip bank holidays of the region and the school's closure days. Time zone ${c.timeZone}; ${
          c.closures.length
        } closure${c.closures.length === 1 ? '' : 's'}. Saving re-times open comments.`}
      </p>
      <PostForm action={`${base}/calendar`} csrfToken={p.csrfToken} class="stack-form">
        <label for={region}>Bank holidays of</label>
        <select id={region} name="region">
          {regions.map((r) => (
            <Option value={r} label={r === 'none' ? 'none' : r.replaceAll('-', ' ')} selected={c.region} />
          ))}
        </select>
        <label for={closures}>
          Closure dates, one per line: <code>2025-10-24 INSET day</code> or{' '}
          <code>2025-12-20 to 2026-01-05 Christmas</code>
        </label>
        <textarea id={closures} name="closures" rows="6" safe>
          {closuresText(c.closures)}
        </textarea>
        <button type="submit">Save calendar</button>
      </PostForm>
      <PostForm action={`${base}/calendar/ical`} csrfToken={p.csrfToken} class="stack-form">
        <label for={ics}>
          Or paste an iCalendar (.ics) export of the school's closures; its events are added
        </label>
        <textarea id={ics} name="ics" required rows="4" spellcheck="false"></textarea>
        <button type="submit">Import closures</button>
      </PostForm>
    </section>
  );
}

/** A school's settings: its own classifier terms and allow-list, the pupil roster and the calendar. */
export function SchoolSettingsPage(p: SchoolSettingsPageProps): JSX.Element {
  const base = `/schools/${p.school.id}/settings`;
  const hasLinks = p.notifications || !!p.calendar || p.otherSchools.length > 0;
  return (
    <Layout title={`Settings · ${p.school.name}`} user={p.user} csrfToken={p.csrfToken} current="settings">
      <main id="main" class="school-settings">
        <h1 safe>{`Settings: ${p.school.name}`}</h1>
        <Flash flash={p.flash} />
        {hasLinks ? (
          <nav aria-label="Other settings">
            <ul class="settings-links">
              {p.notifications ? (
                <li>
                  <a href={`/schools/${p.school.id}/notifications`}>Notification settings</a>: Teams and Slack
                  channels, failed deliveries
                </li>
              ) : (
                ''
              )}
              {p.calendar ? (
                <li>
                  <a href="#calendar-h">Calendar</a>: bank holidays and closure days
                </li>
              ) : (
                ''
              )}
              {p.otherSchools.map((s) => (
                <li>
                  <a href={`/schools/${s.id}/settings`} safe>{`Settings of ${s.name}`}</a>
                </li>
              ))}
            </ul>
          </nav>
        ) : (
          ''
        )}
        <TermsSection p={p} base={base} />
        <RosterSection p={p} base={base} />
        <CalendarSection p={p} base={base} />
        {p.deadlineSettings ? (
          <DeadlineSettingsSection
            action={`${base}/deadlines`}
            csrfToken={p.csrfToken}
            settings={p.deadlineSettings}
          />
        ) : (
          ''
        )}
        {p.contactDetails ? (
          <ContactDetailsSection
            action={`${base}/contact-details`}
            csrfToken={p.csrfToken}
            {...p.contactDetails}
          />
        ) : (
          ''
        )}
        {p.replies ? <SettingsReplies {...p.replies} csrfToken={p.csrfToken} /> : ''}
        {p.externalClassification ? (
          <ExternalClassificationSection
            action={`${base}/external-classification`}
            csrfToken={p.csrfToken}
            tiers={p.externalClassification}
          />
        ) : (
          ''
        )}
        <PeopleSettingsSection action={`${base}/people`} csrfToken={p.csrfToken} people={p.people} />
        <ConductSettingsSection action={`${base}/conduct`} csrfToken={p.csrfToken} conduct={p.conduct} />
      </main>
    </Layout>
  );
}

import { z } from 'zod';
import { getConductSettings } from '../../../accounts/conduct-settings.js';
import { listSchoolStaff } from '../../../accounts/list-school-staff.js';
import { getPeopleSettings } from '../../../accounts/people-settings.js';
import { addSchoolTerm } from '../../../classification/add-school-term.js';
import { getExternalClassification } from '../../../classification/describe-external-tiers.js';
import { getSchoolContactDetails } from '../../../classification/get-school-contact-details.js';
import { importRoster } from '../../../classification/import-roster.js';
import { listRoster } from '../../../classification/list-roster.js';
import { listSchoolTerms } from '../../../classification/list-school-terms.js';
import { removeRosterEntries } from '../../../classification/remove-roster-entries.js';
import { removeSchoolTerm } from '../../../classification/remove-school-term.js';
import { LEXICON_EDITORS } from '../../../classification/school-lexicon-access.js';
import { setExternalClassification } from '../../../classification/set-external-classification.js';
import {
  CONTACT_DETAILS_EDITORS,
  setSchoolContactDetails,
} from '../../../classification/set-school-contact-details.js';
import { assertInScope } from '../../../core/authorization.js';
import { hasRole } from '../../../core/principal.js';
import { invalidField, ServiceError } from '../../../core/service-error.js';
import { getDeadlineSettings } from '../../../deadlines/deadline-settings.js';
import { getSchoolCalendar } from '../../../deadlines/get-school-calendar.js';
import { MAX_ICS_BYTES } from '../../../deadlines/ical-closures.js';
import { importCalendarIcal } from '../../../deadlines/import-calendar-ical.js';
import type { Closure } from '../../../deadlines/school-calendar.js';
import { updateSchoolCalendar } from '../../../deadlines/update-school-calendar.js';
import { SchoolSettingsPage } from '../../../web/pages/school-settings-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';
import { replySettingsView } from './reply-settings.js';

const schoolParams = z.object({ schoolId: z.uuid() });
const entryParams = z.object({ schoolId: z.uuid(), entryId: z.uuid() });
/** Who gets a settings page at a school: those whose verbs it shows (the verbs still decide). */
const SETTINGS_ROLES = ['trust_admin', 'senior_leader', 'safeguarding_lead'] as const;

/** A refusal of one section leaves it out; another school's id still answers 404. */
async function ifAllowed<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ServiceError && error.code === 'FORBIDDEN') return null;
    throw error;
  }
}

/** `YYYY-MM-DD label` or `YYYY-MM-DD to YYYY-MM-DD label`, one closure per line. */
export function parseClosureLines(text: string): Closure[] {
  const closures: Closure[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^(\d{4}-\d{2}-\d{2})(?:\s*(?:to|–|-)\s*(\d{4}-\d{2}-\d{2}))?\s+(.+)$/.exec(line);
    if (!m) {
      throw invalidField(
        'closures',
        `Closure line ${i + 1} is not "YYYY-MM-DD label" or "YYYY-MM-DD to YYYY-MM-DD label"`,
      );
    }
    closures.push({ from: m[1]!, to: m[2] ?? m[1]!, label: m[3]!.trim() });
  }
  return closures;
}

/**
 * The school settings page (/schools/:schoolId/settings) and its forms: the school's own
 * classifier terms and allow-list, the pupil roster, and the calendar's region and closures. Each
 * form calls the same verb as the JSON API and answers 303 back with a message. The page holds
 * pupils' names, so it is never cached; form bodies (names, CSV) are never logged.
 */
export const schoolSettingsPageRoutes = pageRoutes(async (app) => {
  const { timers } = app.deps;
  const key = app.config.encryptionKey;
  const back = (schoolId: string) => `/schools/${schoolId}/settings`;

  app.get('/settings', async (request, reply) => {
    const principal = request.principal!;
    const first = [...principal.rolesBySchool.keys()].find((id) => hasRole(principal, id, SETTINGS_ROLES));
    if (!first) {
      throw new ServiceError(
        'FORBIDDEN',
        'Only trust admin, senior leader or safeguarding lead staff have school settings',
      );
    }
    return reply.redirect(back(first), 303);
  });

  app.get('/schools/:schoolId/settings', { schema: { params: schoolParams } }, async (request, reply) =>
    renderPage(request, reply, async (base) => {
      const principal = request.principal!;
      const { schoolId } = request.params;
      const staff = await listSchoolStaff(request.ctx);
      const school = staff.find((s) => s.schoolId === schoolId);
      if (!school) throw new ServiceError('NOT_FOUND', 'That school was not found');
      const terms = await ifAllowed(() => listSchoolTerms(request.ctx, schoolId));
      const roster = await ifAllowed(() => listRoster(request.ctx, schoolId, key));
      const calendar = await ifAllowed(() => getSchoolCalendar(request.ctx, schoolId));
      if (!terms && !roster && !calendar) {
        throw new ServiceError(
          'FORBIDDEN',
          "Only trust admin, senior leader or safeguarding lead staff may see the school's settings",
        );
      }
      return SchoolSettingsPage({
        ...base,
        school: { id: schoolId, name: school.schoolName },
        otherSchools: staff
          .filter((s) => s.schoolId !== schoolId && hasRole(principal, s.schoolId, SETTINGS_ROLES))
          .map((s) => ({ id: s.schoolId, name: s.schoolName })),
        terms: terms
          ? { entries: terms.entries, editable: hasRole(principal, schoolId, LEXICON_EDITORS) }
          : null,
        roster,
        calendar,
        deadlineSettings: await ifAllowed(() => getDeadlineSettings(request.ctx, schoolId)),
        notifications: hasRole(principal, schoolId, ['trust_admin']),
        contactDetails: {
          details: await getSchoolContactDetails(request.ctx, schoolId),
          editable: hasRole(principal, schoolId, CONTACT_DETAILS_EDITORS),
        },
        replies: await replySettingsView(request.ctx, schoolId),
        externalClassification: hasRole(principal, schoolId, ['trust_admin'])
          ? await getExternalClassification(request.ctx, app.deps.externalTiers)
          : null,
        people: await getPeopleSettings(request.ctx, schoolId),
        conduct: await getConductSettings(request.ctx, schoolId),
      });
    }),
  );

  app.post(
    '/schools/:schoolId/settings/contact-details',
    {
      schema: {
        params: schoolParams,
        body: formBody({
          emails: formField.text(1_300),
          phones: formField.text(200),
          address: formField.text(300),
          website: formField.text(200),
        }),
      },
    },
    async (request, reply) => {
      const { emails, phones, address, website } = request.body;
      const { schoolId } = request.params;
      // One per line (commas and semicolons separate too); the verb checks each.
      const lines = (text: string) =>
        text
          .split(/[\r\n,;]+/)
          .map((line) => line.trim())
          .filter(Boolean);
      return runForm(reply, back(schoolId), async () => {
        await setSchoolContactDetails(request.ctx, schoolId, {
          emails: lines(emails),
          phones: lines(phones),
          address: address.trim(),
          website: website.trim(),
        });
        return 'Contact details saved: replies may give them out';
      });
    },
  );

  app.post(
    '/schools/:schoolId/settings/external-classification',
    {
      schema: {
        params: schoolParams,
        body: formBody({ tier: formField.choice(['guard', 'moderation']), on: formField.checkbox() }),
      },
    },
    async (request, reply) => {
      const { tier, on } = request.body;
      const { schoolId } = request.params;
      return runForm(reply, back(schoolId), async () => {
        assertInScope(request.ctx, schoolId, 'That school');
        const tiers = await setExternalClassification(request.ctx, { tier, on }, app.deps.externalTiers);
        const view = tiers.find((t) => t.tier === tier)!;
        return on
          ? `${view.title} on: comment text is now sent to ${view.host ?? ''}`
          : `${view.title} off: no comment text is sent to it`;
      });
    },
  );

  app.post(
    '/schools/:schoolId/settings/terms',
    {
      schema: {
        params: schoolParams,
        body: formBody({
          kind: formField.choice(['term', 'allow']),
          term: formField.text(500),
          category: formField.text(100),
          severity: formField.text(20),
          subcategory: formField.optionalText(100),
        }),
      },
    },
    async (request, reply) => {
      const { kind, term, category, severity, subcategory } = request.body;
      const { schoolId } = request.params;
      return runForm(reply, back(schoolId), async () => {
        const entry = await addSchoolTerm(
          request.ctx,
          schoolId,
          kind === 'allow'
            ? { kind, term }
            : { kind, term, category, severity, ...(subcategory ? { subcategory } : {}) },
        );
        return kind === 'allow'
          ? `Added “${entry.term}” to the allow-list`
          : `Added the term “${entry.term}”`;
      });
    },
  );

  app.post(
    '/schools/:schoolId/settings/terms/:entryId/remove',
    { schema: { params: entryParams, body: formBody({}) } },
    async (request, reply) => {
      const { schoolId, entryId } = request.params;
      return runForm(reply, back(schoolId), async () => {
        await removeSchoolTerm(request.ctx, schoolId, entryId);
        return 'Removed';
      });
    },
  );

  app.post(
    '/schools/:schoolId/settings/roster',
    {
      schema: {
        params: schoolParams,
        body: formBody({ csv: formField.text(1_000_000), mode: formField.choice(['append', 'replace']) }),
      },
      bodyLimit: 1_048_576,
    },
    async (request, reply) => {
      const { csv, mode } = request.body;
      const { schoolId } = request.params;
      return runForm(reply, back(schoolId), async () => {
        try {
          const r = await importRoster(request.ctx, schoolId, { csv, mode }, key);
          return `Imported ${r.imported} ${r.imported === 1 ? 'pupil' : 'pupils'}${
            r.duplicates ? ` (${r.duplicates} already there)` : ''
          }${r.removed ? `; ${r.removed} removed by the replacement` : ''}; the roster has ${r.total}`;
        } catch (error) {
          // Row numbers and fixed reasons only: a pupil's name never goes into the message.
          const problems = error instanceof ServiceError ? error.details?.problems : undefined;
          if (error instanceof ServiceError && Array.isArray(problems) && problems.length) {
            const rows = (problems as { row: number; reason: string }[])
              .slice(0, 10)
              .map((p) => `row ${p.row}: ${p.reason}`)
              .join('; ');
            throw new ServiceError(error.code, `${error.message} (${rows})`);
          }
          throw error;
        }
      });
    },
  );

  app.post(
    '/schools/:schoolId/settings/roster/remove',
    {
      schema: {
        params: schoolParams,
        body: formBody({ ids: formField.list(10_000, 100), all: formField.checkbox() }),
      },
    },
    async (request, reply) => {
      const { ids, all } = request.body;
      const { schoolId } = request.params;
      return runForm(reply, back(schoolId), async () => {
        if (!all && ids.length === 0) throw invalidField('ids', 'Tick the pupils to remove');
        const { removed } = await removeRosterEntries(request.ctx, schoolId, all ? { all: true } : { ids });
        return `Removed ${removed} ${removed === 1 ? 'pupil' : 'pupils'} from the roster`;
      });
    },
  );

  app.post(
    '/schools/:schoolId/settings/calendar',
    {
      schema: {
        params: schoolParams,
        body: formBody({ region: formField.optionalText(100), closures: formField.text(200_000) }),
      },
    },
    async (request, reply) => {
      const { region, closures: lines } = request.body;
      const { schoolId } = request.params;
      return runForm(reply, back(schoolId), async () => {
        const current = await getSchoolCalendar(request.ctx, schoolId);
        const closures = parseClosureLines(lines);
        const { calendar, retimed } = await updateSchoolCalendar(
          request.ctx,
          schoolId,
          { ...current, region: (region as typeof current.region | undefined) ?? current.region, closures },
          timers,
        );
        return `Calendar saved: ${calendar.closures.length} closure${calendar.closures.length === 1 ? '' : 's'}, ${retimed} open comment${retimed === 1 ? '' : 's'} re-timed`;
      });
    },
  );

  app.post(
    '/schools/:schoolId/settings/calendar/ical',
    {
      schema: { params: schoolParams, body: formBody({ ics: formField.text(MAX_ICS_BYTES * 2) }) },
      bodyLimit: MAX_ICS_BYTES * 2,
    },
    async (request, reply) => {
      const { ics } = request.body;
      const { schoolId } = request.params;
      return runForm(reply, back(schoolId), async () => {
        if (!ics.trim()) throw invalidField('ics', 'Paste the iCalendar file first');
        const r = await importCalendarIcal(request.ctx, schoolId, ics, timers);
        return `Imported ${r.imported} closure${r.imported === 1 ? '' : 's'}${
          r.skipped.length ? ` (${r.skipped.length} event${r.skipped.length === 1 ? '' : 's'} skipped)` : ''
        }; the calendar has ${r.closures}`;
      });
    },
  );
});

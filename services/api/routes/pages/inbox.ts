import { inArray } from 'drizzle-orm';
import { socialAccounts } from '../../../../db/schema/index.js';
import { principalSchoolIds } from '../../../auth/load-principal.js';
import { bulkAssign, bulkClose, MAX_BULK } from '../../../comments/bulk-triage.js';
import { inboxPeople } from '../../../comments/inbox-people.js';
import { inboxFilterSchema, listInbox } from '../../../comments/list-inbox.js';
import { InboxPage } from '../../../web/pages/inbox-page.js';
import { formBody, formField, pageRoutes, renderPage, runForm } from '../../page-kit.js';

/**
 * What the inbox says after a bulk acknowledgement (each selected comment is sent the school's
 * holding reply, P2): numbers only, the rest fixed text.
 */
function bulkNotice(params: URLSearchParams): string | undefined {
  const done = Number(params.get('acknowledged'));
  const refused = Number(params.get('refused'));
  if (!params.has('acknowledged') || !Number.isInteger(done) || !Number.isInteger(refused)) return undefined;
  return `Holding reply sent to ${done} comment${done === 1 ? '' : 's'}${refused > 0 ? `; ${refused} could not be acknowledged` : ''}. ${done === 1 ? 'It stays' : 'They stay'} in the follow-up queue until answered in full.`;
}

/** "Assigned 3 comments." / "Closed 2 comments; 1 could not be closed." */
function tally(verb: string, results: { ok: boolean }[]): string {
  const done = results.filter((r) => r.ok).length;
  const refused = results.length - done;
  return `${verb} ${done} comment${done === 1 ? '' : 's'}${refused > 0 ? `; ${refused} could not be ${verb.toLowerCase()}` : ''}.`;
}

const selected = formField.list(MAX_BULK, 40);

/** The inbox: the comments of this person's schools, with filters and bulk acknowledge, assign and close. */
export const inboxPageRoutes = pageRoutes(async (app) => {
  const effects = app.deps.commentEffects;

  app.get('/', { schema: { querystring: inboxFilterSchema } }, async (request, reply) => {
    const [page, accounts, people] = await Promise.all([
      listInbox(request.ctx, request.query),
      app.db
        .select({ id: socialAccounts.id, handle: socialAccounts.handle })
        .from(socialAccounts)
        .where(inArray(socialAccounts.schoolId, principalSchoolIds(request.principal!))),
      inboxPeople(request.ctx),
    ]);
    return renderPage(request, reply, (base) =>
      InboxPage({
        ...base,
        userName: request.principal!.displayName,
        notice: bulkNotice(new URL(request.url, 'http://local').searchParams),
        items: page.items,
        next: page.next,
        filter: {
          status: request.query.status,
          category: request.query.category || undefined,
          accountId: request.query.accountId || undefined,
          assignee: request.query.assignee || undefined,
          platform: request.query.platform || undefined,
          q: request.query.q?.trim() || undefined,
        },
        accounts,
        people,
        now: new Date(),
      }),
    );
  });

  app.post(
    '/inbox/assign',
    { schema: { body: formBody({ commentIds: selected, assigneeId: formField.text(40) }) } },
    async (request, reply) =>
      runForm(reply, '/', async () => {
        const { commentIds, assigneeId } = request.body;
        if (commentIds.length === 0)
          return {
            redirect: '/',
            flash: { kind: 'error', text: 'Nothing was done: select at least one comment first.' },
          };
        const { results } = await bulkAssign(request.ctx, { commentIds, assigneeId });
        return tally(assigneeId ? 'Assigned' : 'Unassigned', results);
      }),
  );

  app.post(
    '/inbox/close',
    { schema: { body: formBody({ commentIds: selected, reason: formField.text(2_000) }) } },
    async (request, reply) =>
      runForm(reply, '/', async () => {
        const { commentIds, reason } = request.body;
        if (commentIds.length === 0)
          return {
            redirect: '/',
            flash: { kind: 'error', text: 'Nothing was done: select at least one comment first.' },
          };
        const { results } = await bulkClose(request.ctx, { commentIds, reason }, effects);
        return tally('Closed', results);
      }),
  );
});

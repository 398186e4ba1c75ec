import { inArray } from 'drizzle-orm';
import { socialAccounts } from '../../../../db/schema/index.js';
import { principalSchoolIds } from '../../../auth/load-principal.js';
import { inboxFilterSchema, listInbox } from '../../../comments/list-inbox.js';
import { InboxPage } from '../../../web/pages/inbox-page.js';
import { pageRoutes } from '../../page-kit.js';

/** What the inbox says after a bulk acknowledgement: numbers only, the rest fixed text. */
function bulkNotice(params: URLSearchParams): string | undefined {
  const done = Number(params.get('acknowledged'));
  const refused = Number(params.get('refused'));
  if (!params.has('acknowledged') || !Number.isInteger(done) || !Number.isInteger(refused)) return undefined;
  return `Acknowledged ${done} comment${done === 1 ? '' : 's'}${refused > 0 ? `; ${refused} could not be acknowledged` : ''}.`;
}

/** The inbox: the comments of this person's schools, with filters and bulk acknowledgement. */
export const inboxPageRoutes = pageRoutes(async (app) => {
  app.get('/', { schema: { querystring: inboxFilterSchema } }, async (request, reply) => {
    const [page, accounts] = await Promise.all([
      listInbox(request.ctx, request.query),
      app.db
        .select({ id: socialAccounts.id, handle: socialAccounts.handle })
        .from(socialAccounts)
        .where(inArray(socialAccounts.schoolId, principalSchoolIds(request.principal!))),
    ]);
    const html = await InboxPage({
      userName: request.principal!.displayName,
      ...(await app.pageChrome(request)),
      notice: bulkNotice(new URL(request.url, 'http://local').searchParams),
      items: page.items,
      next: page.next,
      filter: {
        status: request.query.status,
        category: request.query.category,
        accountId: request.query.accountId,
      },
      accounts,
      now: new Date(),
    });
    return reply.html(html);
  });
});

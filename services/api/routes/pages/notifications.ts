import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { schools } from '../../../../db/schema/index.js';
import { listDeliveries } from '../../../notifications/list-deliveries.js';
import { listNotifications } from '../../../notifications/list-notifications.js';
import {
  getNotificationPreferences,
  setNotificationPreferences,
} from '../../../notifications/notification-preferences.js';
import { listWebhooks, removeWebhook } from '../../../notifications/school-webhooks.js';
import { NotificationsPage } from '../../../web/pages/notifications-page.js';
import { SchoolNotificationsPage } from '../../../web/pages/school-notifications-page.js';
import { formBody, pageRoutes, renderPage, runForm } from '../../page-kit.js';

const schoolParams = z.object({ schoolId: z.uuid() });

/** Notifications: a person's own list and preferences, and a school's channels (trust admins). */
export const notificationPageRoutes = pageRoutes(async (app) => {
  app.get(
    '/notifications',
    {
      schema: { querystring: z.object({ before: z.string().max(200).optional() }) },
    },
    async (request, reply) => {
      return renderPage(request, reply, async (base) => {
        const [page, preferences] = await Promise.all([
          listNotifications(request.ctx, { before: request.query.before, limit: 50 }),
          getNotificationPreferences(request.ctx),
        ]);
        return NotificationsPage({
          ...base,
          items: page.items,
          next: page.next,
          preferences: preferences.events,
          saved: base.flash?.kind === 'ok',
        });
      });
    },
  );

  app.post(
    '/notifications/preferences',
    // One checkbox per event and channel, named `event:channel`.
    { schema: { body: formBody({}).and(z.record(z.string().max(100), z.unknown())) } },
    async (request, reply) => {
      const current = await getNotificationPreferences(request.ctx);
      const body: Record<string, unknown> = request.body;
      const on = (event: string, channel: string) => body[`${event}:${channel}`] === 'on';
      await setNotificationPreferences(request.ctx, {
        preferences: current.events
          .filter((p) => !p.alwaysUrgent)
          .map((p) => ({
            event: p.event,
            inApp: p.mustStayOn || on(p.event, 'in_app'),
            email: p.mustStayOn || on(p.event, 'email'),
            webhook: on(p.event, 'webhook'),
            digest: on(p.event, 'digest'),
          })),
      });
      return runForm(reply, '/notifications', async () => 'Preferences saved');
    },
  );

  app.get('/schools/:schoolId/notifications', { schema: { params: schoolParams } }, async (request, reply) =>
    renderPage(request, reply, async (base) => {
      const { webhooks } = await listWebhooks(request.ctx, request.params, {
        encryptionKey: app.config.encryptionKey,
      });
      const [problems, school] = await Promise.all([
        listDeliveries(request.ctx, { schoolId: request.params.schoolId, status: 'problems', limit: 50 }),
        app.db.select({ name: schools.name }).from(schools).where(eq(schools.id, request.params.schoolId)),
      ]);
      return SchoolNotificationsPage({
        ...base,
        schoolId: request.params.schoolId,
        schoolName: school[0]?.name ?? 'School',
        webhooks,
        problems: problems.items,
      });
    }),
  );

  app.post(
    '/schools/:schoolId/webhooks/:webhookId/remove',
    {
      schema: { params: schoolParams.extend({ webhookId: z.uuid() }), body: formBody({}) },
    },
    async (request, reply) =>
      runForm(reply, `/schools/${request.params.schoolId}/notifications`, async () => {
        await removeWebhook(request.ctx, request.params);
        return 'Channel removed';
      }),
  );
});

import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { outboundPolicy } from '../../core/outbound-address.js';
import { listDeliveries, listDeliveriesInput } from '../../notifications/list-deliveries.js';
import {
  countUnread,
  listNotifications,
  listNotificationsInput,
} from '../../notifications/list-notifications.js';
import {
  markAllNotificationsRead,
  markNotificationRead,
} from '../../notifications/mark-notifications-read.js';
import {
  getNotificationPreferences,
  setNotificationPreferences,
  setNotificationPreferencesInput,
} from '../../notifications/notification-preferences.js';
import { addWebhook, listWebhooks, removeWebhook } from '../../notifications/school-webhooks.js';

const isFormPost = (request: FastifyRequest) =>
  (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

const csrfOnly = z.object({ _csrf: z.string().optional() }).nullish();

const notificationView = z.object({
  id: z.string(),
  schoolId: z.string(),
  event: z.string(),
  urgency: z.enum(['urgent', 'normal']),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  read: z.boolean(),
  createdAt: z.date(),
  items: z.array(
    z.object({ commentId: z.string(), authorHandle: z.string(), text: z.string(), redacted: z.boolean() }),
  ),
});
const preferencesView = z.object({
  events: z.array(
    z.object({
      event: z.string(),
      label: z.string(),
      alwaysUrgent: z.boolean(),
      mustStayOn: z.boolean(),
      inApp: z.boolean(),
      email: z.boolean(),
      webhook: z.boolean(),
      digest: z.boolean(),
    }),
  ),
});
const webhookView = z.object({
  id: z.string(),
  kind: z.enum(['teams', 'slack']),
  label: z.string(),
  urlMasked: z.string(),
  enabled: z.boolean(),
  consecutiveFailures: z.number(),
  lastFailureAt: z.date().nullable(),
  createdAt: z.date(),
});
const deliveryView = z.object({
  id: z.string(),
  notificationId: z.string(),
  event: z.string(),
  title: z.string(),
  urgency: z.enum(['urgent', 'normal']),
  channel: z.enum(['email', 'webhook']),
  target: z.string(),
  recipient: z.string().nullable(),
  status: z.enum(['pending', 'digest', 'sent', 'failed', 'bounced']),
  attempts: z.number(),
  lastError: z.string().nullable(),
  sentAt: z.date().nullable(),
  createdAt: z.date(),
});
const schoolParams = z.object({ schoolId: z.uuid() });

/** In-app notifications, personal preferences, and a school's webhooks and delivery log. */
export const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['notifications'];
  const outbound = outboundPolicy(app.config.webhookAllowedHosts);

  app.get(
    '/api/notifications',
    {
      schema: {
        tags,
        summary: 'Your notifications, newest first; pass `next` as `before` for the next page',
        querystring: listNotificationsInput,
        response: { 200: z.object({ items: z.array(notificationView), next: z.string().nullable() }) },
      },
    },
    async (request) => listNotifications(request.ctx, request.query),
  );

  app.get(
    '/api/notifications/unread-count',
    {
      schema: {
        tags,
        summary: 'How many of your notifications are unread (the bell)',
        response: { 200: z.object({ unread: z.number() }) },
      },
    },
    async (request) => countUnread(request.ctx),
  );

  app.post(
    '/api/notifications/:notificationId/read',
    {
      schema: {
        tags,
        summary: 'Mark one of your notifications read',
        params: z.object({ notificationId: z.uuid() }),
        body: csrfOnly,
        response: { 200: z.object({ id: z.string(), read: z.literal(true) }) },
      },
    },
    async (request, reply) => {
      const result = await markNotificationRead(request.ctx, request.params);
      if (isFormPost(request)) return reply.redirect('/notifications', 303);
      return result;
    },
  );

  app.post(
    '/api/notifications/read-all',
    {
      schema: {
        tags,
        summary: 'Mark all your notifications read',
        body: csrfOnly,
        response: { 200: z.object({ marked: z.number() }) },
      },
    },
    async (request, reply) => {
      const result = await markAllNotificationsRead(request.ctx);
      if (isFormPost(request)) return reply.redirect('/notifications', 303);
      return result;
    },
  );

  app.get(
    '/api/me/notification-preferences',
    {
      schema: {
        tags,
        summary: 'What you are sent, per event and channel (unset: everything, at once)',
        response: { 200: preferencesView },
      },
    },
    async (request) => getNotificationPreferences(request.ctx),
  );

  app.put(
    '/api/me/notification-preferences',
    {
      schema: {
        tags,
        summary:
          'Change what you are sent per event: inApp, email, webhook on or off; digest holds non-urgent email for the digest',
        body: setNotificationPreferencesInput.extend({ _csrf: z.string().optional() }),
        response: { 200: preferencesView },
      },
    },
    async (request) => setNotificationPreferences(request.ctx, { preferences: request.body.preferences }),
  );

  app.get(
    '/api/schools/:schoolId/notification-deliveries',
    {
      schema: {
        tags,
        summary:
          "The school's notification delivery log, newest first (trust admins); status=problems for failed and bounced",
        params: schoolParams,
        querystring: listDeliveriesInput.omit({ schoolId: true }),
        response: { 200: z.object({ items: z.array(deliveryView), next: z.string().nullable() }) },
      },
    },
    async (request) => listDeliveries(request.ctx, { ...request.query, schoolId: request.params.schoolId }),
  );

  app.get(
    '/api/schools/:schoolId/webhooks',
    {
      schema: {
        tags,
        summary:
          "The school's Teams and Slack webhooks, URLs masked, with their failure state (trust admins)",
        params: schoolParams,
        response: { 200: z.object({ webhooks: z.array(webhookView) }) },
      },
    },
    async (request) => listWebhooks(request.ctx, request.params, { encryptionKey: app.config.encryptionKey }),
  );

  app.post(
    '/api/schools/:schoolId/webhooks',
    {
      schema: {
        tags,
        summary: 'Add a Teams or Slack incoming webhook (trust admins); the URL is stored encrypted',
        params: schoolParams,
        body: z.object({
          kind: z.enum(['teams', 'slack']),
          label: z.string().max(100),
          url: z.string().max(2_000),
          _csrf: z.string().optional(),
        }),
        response: { 201: z.object({ webhook: webhookView }) },
      },
    },
    async (request, reply) => {
      const { _csrf, ...input } = request.body;
      const result = await addWebhook(
        request.ctx,
        { ...input, schoolId: request.params.schoolId },
        { encryptionKey: app.config.encryptionKey, outbound },
      );
      if (isFormPost(request))
        return reply.redirect(`/schools/${request.params.schoolId}/notifications`, 303);
      return reply.status(201).send(result);
    },
  );

  app.delete(
    '/api/schools/:schoolId/webhooks/:webhookId',
    {
      schema: {
        tags,
        summary: 'Remove a webhook (trust admins)',
        params: schoolParams.extend({ webhookId: z.uuid() }),
        response: { 200: z.object({ removed: z.literal(true), id: z.string() }) },
      },
    },
    async (request) => removeWebhook(request.ctx, request.params),
  );
};

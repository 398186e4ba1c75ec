import { randomUUID } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { type Config, platformsOff } from '../../config/load-config.js';
import { closeDatabase, createDatabase, type Database } from '../../db/client.js';
import { createPollScheduler, type PollScheduler } from '../../workers/poll-schedulers.js';
import { createQueues, type Queues } from '../../workers/queues.js';
import { principalSchoolIds } from '../auth/load-principal.js';
import { SchoolClassifierCache } from '../classification/school-classifier-cache.js';
import { InboxPageCache } from '../comments/inbox-page-cache.js';
import { createProducerRedis } from '../core/redis-connections.js';
import type { ResolveTxt } from '../trust-domains/email-domain.js';
import { decorateAppDeps } from './app-deps.js';
import { DOCS_THEME_CSS, DOCS_UI_CONFIG } from './docs-theme.js';
import { registerHtmlReply } from './page-kit.js';
import { authenticationPlugin, SAFE_METHODS } from './plugins/authentication.js';
import { registerErrorHandler } from './plugins/error-handler.js';
import { inputHygienePlugin } from './plugins/input-hygiene.js';
import { pageChromePlugin } from './plugins/page-chrome.js';
import { accountRoutes } from './routes/accounts.js';
import { adminQueuesRoutes } from './routes/admin-queues.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { commentRoutes } from './routes/comments.js';
import { connectOutcomeRoutes } from './routes/connect-outcome.js';
import { correctionRoutes } from './routes/corrections.js';
import { escalationRoutes } from './routes/escalations.js';
import { externalClassificationRoutes } from './routes/external-classification.js';
import { flagRoutes } from './routes/flags.js';
import { healthRoutes } from './routes/health.js';
import { inboxLiveRoutes } from './routes/inbox-live.js';
import { metaWebhookRoutes } from './routes/meta-webhook.js';
import { metricsRoutes } from './routes/metrics.js';
import { moderationRoutes } from './routes/moderation.js';
import { notificationRoutes } from './routes/notifications.js';
import { accountsPageRoutes } from './routes/pages/accounts.js';
import { actionOutcomePageRoutes } from './routes/pages/action-outcome.js';
import { approvalsPageRoutes } from './routes/pages/approvals.js';
import { auditPageRoutes } from './routes/pages/audit.js';
import { classifierQualityPageRoutes } from './routes/pages/classifier-quality.js';
import { commentPageRoutes } from './routes/pages/comment.js';
import { concernPageRoutes } from './routes/pages/concerns.js';
import { conductSettingsPageRoutes } from './routes/pages/conduct-settings.js';
import { correctionsPageRoutes } from './routes/pages/corrections.js';
import { deadlineSettingsPageRoutes } from './routes/pages/deadline-settings.js';
import { deadlinesPageRoutes } from './routes/pages/deadlines.js';
import { escalationsPageRoutes } from './routes/pages/escalations.js';
import { flagsPageRoutes } from './routes/pages/flags.js';
import { inboxPageRoutes } from './routes/pages/inbox.js';
import { notificationPageRoutes } from './routes/pages/notifications.js';
import { parentRequestsPageRoutes } from './routes/pages/parent-requests.js';
import { peoplePageRoutes } from './routes/pages/people.js';
import { peoplePolicyPageRoutes } from './routes/pages/people-policy.js';
import { policyPageRoutes } from './routes/pages/policy.js';
import { replySettingsPageRoutes } from './routes/pages/reply-settings.js';
import { safeguardingPageRoutes } from './routes/pages/safeguarding.js';
import { savedRepliesPageRoutes } from './routes/pages/saved-replies.js';
import { schoolSettingsPageRoutes } from './routes/pages/school-settings.js';
import { peoplePolicyRoutes } from './routes/people-policy.js';
import { replyPolicyRoutes } from './routes/reply-policy.js';
import { responseRoutes } from './routes/responses.js';
import { savedReplyRoutes } from './routes/saved-replies.js';
import { schoolSettingsRoutes } from './routes/school-settings.js';
import { trustDomainRoutes } from './routes/trust-domains.js';
import { userRoutes } from './routes/users.js';
import { webRoutes } from './routes/web.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Database;
    redis: Redis;
    queues: Queues;
    pollScheduler: PollScheduler;
    /** Each school's compiled classifier, for the outgoing check (P11) on replies and notices. */
    classifiers: SchoolClassifierCache;
    /** Rendered inbox pages, dropped when Postgres announces a change to their schools' comments. */
    inboxPages: InboxPageCache;
    /** DNS TXT look-ups, for proving a trust holds an email domain. */
    resolveTxt: ResolveTxt;
  }
}

export interface AppOptions {
  /** Share a pool (tests, or `npm start` running API and workers in one process). */
  db?: Database;
  redis?: Redis;
  logger?: boolean | object;
  /** Where the default logger writes (stdout by default); the log hygiene test captures it. */
  logStream?: { write(line: string): void };
  /** Sees every route as it is registered (the access-matrix test lists them all). */
  onRoute?: (route: RouteOptions) => void;
  /** DNS TXT look-ups (node's resolver by default); tests answer from a table. */
  resolveTxt?: ResolveTxt;
}

/**
 * The API and staff UI. External plugins first (helmet, swagger), then the domain's decorations,
 * then routes; whatever the app opened itself it closes in onClose.
 */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      // The path only: a query string can carry an OAuth code and state, or an inbox search.
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          url: req.url.split('?')[0],
          remoteAddress: req.ip,
        }),
      },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // Fastify takes a hop count at run time; its type only lists the other forms.
    trustProxy: config.trustProxy as boolean | string,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerHtmlReply(app);
  registerErrorHandler(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(helmet, {
    // no-referrer (helmet's default) makes browsers send `Origin: null` on form posts, which the
    // sign-in form's origin check must refuse; same-origin keeps the origin for our own pages only.
    referrerPolicy: { policy: 'same-origin' },
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
    },
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Hallmonitor API',
        description: "Looks after a school's official social media accounts under its social media policy.",
        version: '0.1.0',
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Swagger UI sets inline styles from its script, so /docs allows them (and nothing else more
    // than the app); it never calls the public validator, so nothing leaves the installation.
    staticCSP: [
      "default-src 'self'",
      "base-uri 'self'",
      "font-src 'self' data:",
      "frame-ancestors 'none'",
      "img-src 'self' data:",
      "object-src 'none'",
      "script-src 'self'",
      "script-src-attr 'none'",
      "style-src 'self' 'unsafe-inline'",
      "connect-src 'self'",
      "form-action 'self'",
    ].join('; '),
    uiConfig: DOCS_UI_CONFIG,
    theme: { css: [{ filename: 'hallmonitor.css', content: DOCS_THEME_CSS }] },
  });

  const db = options.db ?? createDatabase({ url: config.databaseUrl, applicationName: 'hallmonitor-api' });
  const redis = options.redis ?? createProducerRedis(config.redisUrl);
  app.decorate('config', config);
  app.decorate('db', db);
  app.decorate('redis', redis);
  const queues = createQueues(redis, config.redisPrefix);
  app.decorate('queues', queues);
  app.decorate('pollScheduler', createPollScheduler(queues));
  app.decorate('classifiers', new SchoolClassifierCache(config.encryptionKey));
  // A slow DNS answers in seconds, not the resolver's default of half a minute of retries.
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  app.decorate('resolveTxt', options.resolveTxt ?? ((name: string) => resolver.resolveTxt(name)));
  const inboxPages = new InboxPageCache();
  await inboxPages.start(db, app.log);
  app.decorate('inboxPages', inboxPages);
  // Read your own writes: a change a user makes here is in their next inbox page even before
  // Postgres's announcement of it has arrived on the listener.
  app.addHook('onSend', async (request) => {
    if (request.principal && !SAFE_METHODS.has(request.method))
      inboxPages.invalidate(principalSchoolIds(request.principal));
  });
  app.addHook('onClose', async () => {
    await inboxPages.close();
    await queues.close();
    if (!options.redis) redis.disconnect();
    if (!options.db) await closeDatabase(db);
  });

  // The composition root: what the routes work with, built once; a missing one fails start-up.
  decorateAppDeps(app);
  // A platform with no configuration is off: said once here, and on /readyz to trust admins.
  for (const off of platformsOff(config)) app.log.info({ platforms: off.platforms }, off.message);

  await app.register(formbody);
  await app.register(authenticationPlugin);
  await app.register(inputHygienePlugin);
  await app.register(pageChromePlugin);
  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(metaWebhookRoutes, { meta: config.meta, health: app.deps.pollIntervals.health });
  await app.register(authRoutes);
  await app.register(userRoutes);
  await app.register(trustDomainRoutes);
  await app.register(externalClassificationRoutes);
  await app.register(accountRoutes);
  await app.register(commentRoutes);
  await app.register(savedReplyRoutes);
  await app.register(flagRoutes);
  await app.register(moderationRoutes);
  await app.register(escalationRoutes);
  await app.register(connectOutcomeRoutes);
  await app.register(auditRoutes);
  await app.register(notificationRoutes);
  await app.register(responseRoutes);
  await app.register(schoolSettingsRoutes);
  await app.register(replyPolicyRoutes);
  await app.register(webRoutes);
  // The staff screens, a route file each (services/api/routes/pages/).
  await app.register(inboxPageRoutes);
  await app.register(commentPageRoutes);
  await app.register(concernPageRoutes);
  await app.register(actionOutcomePageRoutes);
  await app.register(flagsPageRoutes);
  await app.register(safeguardingPageRoutes);
  await app.register(escalationsPageRoutes);
  await app.register(approvalsPageRoutes);
  await app.register(accountsPageRoutes);
  await app.register(deadlinesPageRoutes);
  await app.register(parentRequestsPageRoutes);
  await app.register(deadlineSettingsPageRoutes);
  await app.register(schoolSettingsPageRoutes);
  await app.register(replySettingsPageRoutes);
  await app.register(auditPageRoutes);
  await app.register(notificationPageRoutes);
  await app.register(peoplePageRoutes);
  await app.register(correctionRoutes);
  await app.register(correctionsPageRoutes);
  await app.register(classifierQualityPageRoutes);
  await app.register(savedRepliesPageRoutes);
  await app.register(inboxLiveRoutes);
  await app.register(adminQueuesRoutes);
  await app.register(peoplePolicyRoutes);
  await app.register(peoplePolicyPageRoutes);
  await app.register(conductSettingsPageRoutes);
  await app.register(policyPageRoutes);
  return app;
}

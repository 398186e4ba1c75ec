import { and, eq, inArray } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../config/load-config.js';
import { notificationDeliveries, notifications, schoolWebhooks } from '../../../db/schema/index.js';
import { systemContext } from '../../../services/core/service-context.js';
import { breachDeadline } from '../../../services/deadlines/breach-deadline.js';
import { warnDeadline } from '../../../services/deadlines/warn-deadline.js';
import { notifyUsers } from '../../../services/notifications/notify-users.js';
import { startWorkerRuntime, type WorkerRuntime } from '../../../workers/worker-runtime.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { expectAuditEntry } from '../../helpers/expect-audit-entry.js';
import {
  createAccount,
  createComment,
  createSchool,
  createTrust,
  createUser,
} from '../../helpers/factories.js';
import { signIn } from '../../helpers/sign-in.js';
import { testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { clearRedisPrefix } from '../../helpers/test-redis.js';
import { startSmtpServer, startWebhookServer, waitFor } from './notify-servers.js';

const PUBLIC_URL = 'https://hallmonitor.school.test';
const COMMENT_TEXT = 'Ring me on 07700 900123 about the SECRETPHRASE you did';

let t: TestDatabase;
let config: Config;
let runtime: WorkerRuntime;
let api: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let hooks: Awaited<ReturnType<typeof startWebhookServer>>;

const HOUR = 3_600_000;
const emailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));

async function school() {
  const trust = await createTrust(t.db);
  const s = await createSchool(t.db, { trustId: trust.id, name: 'Oakfield Primary' });
  const role = (r: 'comms' | 'senior_leader' | 'safeguarding_lead' | 'trust_admin') =>
    createUser(t.db, { trustId: trust.id, roles: [{ schoolId: s.id, role: r }] });
  const admin = await createUser(t.db, { trustId: trust.id });
  const senior = await role('senior_leader');
  const account = await createAccount(t.db, {
    schoolId: s.id,
    handle: 'oakfield_news',
    adminIds: [admin.id],
  });
  return { trust, school: s, admin, senior, account, role };
}

async function overdueComment(schoolId: string, accountId: string) {
  return createComment(t.db, {
    schoolId,
    accountId,
    text: COMMENT_TEXT,
    deadlineAt: new Date(Date.now() - HOUR),
    warnAt: new Date(Date.now() - 2 * HOUR),
  });
}

const deliveriesOf = (notificationIds: string[]) =>
  t.db
    .select()
    .from(notificationDeliveries)
    .where(inArray(notificationDeliveries.notificationId, notificationIds));

beforeAll(async () => {
  t = await createTestDatabase();
  smtp = await startSmtpServer();
  hooks = await startWebhookServer();
  config = testConfig({
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Hallmonitor <alerts@school.test>',
    PUBLIC_URL,
    NOTIFY_ATTEMPTS: '3',
    NOTIFY_BACKOFF_MS: '100',
    // The stand-in Teams/Slack server is on this machine, which only the allow-list lets through.
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  });
  runtime = await startWorkerRuntime({
    config,
    db: t.db,
    logger: pino({ level: 'silent' }),
    queues: ['notify', 'maintenance'],
  });
  api = await buildTestApp(t.db, { config });
});
afterAll(async () => {
  await api?.close();
  await runtime?.close();
  await smtp?.close();
  await hooks?.close();
  await clearRedisPrefix(config.redisPrefix);
  await t?.drop();
});

describe('email', () => {
  it('emails a breach to the admins and senior leaders, with the account, time left and a link, never the comment', async () => {
    const f = await school();
    const comment = await overdueComment(f.school.id, f.account.id);
    expect(await breachDeadline(systemContext(t.db, 'test'), { commentId: comment.id })).toMatchObject({
      status: 'breached',
      notified: 2,
    });
    await waitFor('two emails', () => emailsTo(f.admin.email).length + emailsTo(f.senior.email).length === 2);
    for (const to of [f.admin.email, f.senior.email]) {
      const [mail] = emailsTo(to);
      expect(mail!.to).toEqual([to]);
      expect(mail!.subject).toBe('URGENT: A comment has missed its response deadline - Hallmonitor');
      expect(mail!.subject).not.toContain('SECRETPHRASE');
      expect(mail!.body).not.toContain('SECRETPHRASE');
      expect(mail!.body).toContain('Account: @oakfield_news on X');
      expect(mail!.body).toContain('School: Oakfield Primary');
      expect(mail!.body).toMatch(/Time left: overdue by (59 minutes|1 hour)/);
      expect(mail!.body).toContain(`${PUBLIC_URL}/comments/${comment.id}`);
      expect(mail!.body).toContain('From: Hallmonitor <alerts@school.test>');
    }
    const sent = await t.db.select().from(notifications).where(eq(notifications.subjectId, comment.id));
    await waitFor('deliveries recorded as sent', async () =>
      (await deliveriesOf(sent.map((n) => n.id))).every((d) => d.status === 'sent'),
    );
  });

  it('marks an email the server refuses as bounced, visible to trust admins', async () => {
    const f = await school();
    const bouncing = await createUser(t.db, {
      trustId: f.trust.id,
      email: `bounce-${Date.now()}@school.test`,
    });
    const trustAdmin = await f.role('trust_admin');
    const [id] = await t.db.transaction((tx) =>
      notifyUsers(tx, {
        schoolId: f.school.id,
        userIds: [bouncing.id],
        event: 'account.approved',
        urgency: 'normal',
        title: '@oakfield_news on X was approved',
        body: 'An admin can now connect it.',
        link: `/accounts/${f.account.id}`,
        subject: { type: 'account', id: f.account.id },
      }),
    );
    await waitFor('the bounce', async () => (await deliveriesOf([id!]))[0]?.status === 'bounced');
    const [delivery] = await deliveriesOf([id!]);
    expect(delivery!.lastError).toMatch(/^SMTP 550/);
    expect(delivery!.attempts).toBe(1);

    const res = await api.app.inject({
      method: 'GET',
      url: `/api/schools/${f.school.id}/notification-deliveries?status=problems`,
      headers: (await signIn(t.db, trustAdmin.id)).headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({ status: 'bounced', channel: 'email', target: bouncing.email }),
    ]);
  });
});

describe('Teams and Slack webhooks', () => {
  it('posts to the school webhooks in the Slack and Teams shapes; the URL is stored encrypted and masked', async () => {
    const f = await school();
    const trustAdmin = await f.role('trust_admin');
    const headers = (await signIn(t.db, trustAdmin.id)).headers;
    const add = (kind: string, label: string, url: string) =>
      api.app.inject({
        method: 'POST',
        url: `/api/schools/${f.school.id}/webhooks`,
        headers,
        payload: { kind, label, url },
      });
    const slackUrl = `${hooks.base}/slack/T0001/B0001/${f.school.id}sLaCkSeCrEt`;
    const teamsUrl = `${hooks.base}/teams/${f.school.id}/TeAmSsEcReT`;
    const slack = await add('slack', '#safeguarding', slackUrl);
    expect(slack.statusCode).toBe(201);
    expect(slack.body).not.toContain('sLaCkSeCrEt');
    expect(slack.json().webhook.urlMasked).toBe(`${hooks.base}/…CrEt`);
    expect((await add('teams', 'Leadership', teamsUrl)).statusCode).toBe(201);
    await expectAuditEntry(t.db, { action: 'school.webhook_added', schoolId: f.school.id });
    const stored = await t.db.select().from(schoolWebhooks).where(eq(schoolWebhooks.schoolId, f.school.id));
    expect(stored.map((w) => w.urlEncrypted).join(' ')).not.toContain('SeCrEt');
    const listed = await api.app.inject({
      method: 'GET',
      url: `/api/schools/${f.school.id}/webhooks`,
      headers,
    });
    expect(listed.body).not.toContain('SeCrEt');
    expect(listed.json().webhooks).toHaveLength(2);

    const comment = await overdueComment(f.school.id, f.account.id);
    await breachDeadline(systemContext(t.db, 'test'), { commentId: comment.id });
    const posted = (part: string) =>
      hooks.received.filter((p) => p.path.includes(f.school.id) && p.path.startsWith(part));
    // One post per webhook for the event, not one per recipient.
    await waitFor('both posts', () => posted('/slack').length === 1 && posted('/teams').length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(posted('/slack')).toHaveLength(1);

    const slackBody = posted('/slack')[0]!.body as {
      text: string;
      blocks: { type: string; text?: { type: string; text: string }; elements?: { text: string }[] }[];
    };
    expect(slackBody.text).toBe('URGENT: A comment has missed its response deadline');
    expect(slackBody.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(slackBody.blocks[0]!.text!.text).toContain('*A comment has missed its response deadline*');
    expect(JSON.stringify(slackBody)).toContain(
      `<${PUBLIC_URL}/comments/${comment.id}|Open it in Hallmonitor>`,
    );
    expect(JSON.stringify(slackBody)).toContain('@oakfield_news on X');

    const teamsBody = posted('/teams')[0]!.body as {
      type: string;
      attachments: {
        contentType: string;
        content: {
          type: string;
          version: string;
          body: { type: string; text?: string }[];
          actions: { type: string; url: string }[];
        };
      }[];
    };
    expect(teamsBody.type).toBe('message');
    expect(teamsBody.attachments).toHaveLength(1);
    const card = teamsBody.attachments[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content.type).toBe('AdaptiveCard');
    expect(card.content.body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'URGENT: A comment has missed its response deadline',
    });
    expect(card.content.body.some((b) => b.type === 'FactSet')).toBe(true);
    expect(card.content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open in Hallmonitor', url: `${PUBLIC_URL}/comments/${comment.id}` },
    ]);
    for (const p of [...posted('/slack'), ...posted('/teams')])
      expect(JSON.stringify(p.body)).not.toContain('SECRETPHRASE');
  });

  it('retries a failing webhook with backoff, then records it failed and shows it on the settings page', async () => {
    const f = await school();
    const trustAdmin = await f.role('trust_admin');
    const session = await signIn(t.db, trustAdmin.id);
    const add = await api.app.inject({
      method: 'POST',
      url: `/api/schools/${f.school.id}/webhooks`,
      headers: session.headers,
      payload: {
        kind: 'slack',
        label: 'Broken channel',
        url: `${hooks.base}/broken/${f.school.id}/xyzSECRETxyz`,
      },
    });
    expect(add.statusCode).toBe(201);
    const webhookId = add.json().webhook.id as string;
    const [id] = await t.db.transaction((tx) =>
      notifyUsers(tx, {
        schoolId: f.school.id,
        userIds: [f.admin.id],
        event: 'account.coverage_gap',
        urgency: 'normal',
        title: 'Some comments on @oakfield_news on X may have been missed',
        body: 'Check the account in the platform app.',
        link: `/accounts/${f.account.id}`,
        subject: { type: 'account', id: f.account.id },
      }),
    );
    const hookDelivery = async () => (await deliveriesOf([id!])).find((d) => d.channel === 'webhook');
    await waitFor(
      'the webhook delivery to fail for good',
      async () => (await hookDelivery())?.status === 'failed',
    );
    const failed = (await hookDelivery())!;
    expect(failed.attempts).toBe(3);
    expect(failed.lastError).toBe('webhook failed (HTTP 500)');
    expect(hooks.received.filter((p) => p.path.startsWith(`/broken/${f.school.id}`))).toHaveLength(3);
    const [hook] = await t.db.select().from(schoolWebhooks).where(eq(schoolWebhooks.id, webhookId));
    expect(hook!.consecutiveFailures).toBe(1);
    expect(hook!.lastFailureAt).not.toBeNull();

    const log = await api.app.inject({
      method: 'GET',
      url: `/api/schools/${f.school.id}/notification-deliveries?status=problems`,
      headers: session.headers,
    });
    expect(log.json().items).toEqual([
      expect.objectContaining({
        channel: 'webhook',
        target: 'Broken channel',
        status: 'failed',
        attempts: 3,
      }),
    ]);
    expect(log.body).not.toContain('xyzSECRETxyz');

    const page = await api.app.inject({
      method: 'GET',
      url: `/schools/${f.school.id}/notifications`,
      headers: { cookie: session.headers.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Broken channel');
    expect(page.body).toContain('Failing: 1 delivery in a row failed');
    expect(page.body).toContain('webhook failed (HTTP 500)');
    expect(page.body).not.toContain('xyzSECRETxyz');
  });

  it('lets only trust admins of the school see or change webhooks', async () => {
    const f = await school();
    const other = await school();
    const comms = await f.role('comms');
    const otherAdmin = await other.role('trust_admin');
    const asComms = (await signIn(t.db, comms.id)).headers;
    expect(
      (await api.app.inject({ method: 'GET', url: `/api/schools/${f.school.id}/webhooks`, headers: asComms }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await api.app.inject({
          method: 'POST',
          url: `/api/schools/${f.school.id}/webhooks`,
          headers: asComms,
          payload: { kind: 'slack', label: 'x', url: 'https://hooks.slack.com/services/a/b/c' },
        })
      ).statusCode,
    ).toBe(403);
    const asOther = (await signIn(t.db, otherAdmin.id)).headers;
    expect(
      (
        await api.app.inject({
          method: 'GET',
          url: `/api/schools/${f.school.id}/notification-deliveries`,
          headers: asOther,
        })
      ).statusCode,
    ).toBe(404);
    const http = await api.app.inject({
      method: 'POST',
      url: `/api/schools/${other.school.id}/webhooks`,
      headers: asOther,
      payload: { kind: 'teams', label: 'x', url: 'http://example.com/hook' },
    });
    expect(http.statusCode).toBe(400);
  });
});

describe('digest and urgency', () => {
  it('holds non-urgent email for one digest while a safeguarding escalation goes out at once', async () => {
    const f = await school();
    const dsl = await createUser(t.db, {
      trustId: f.trust.id,
      roles: [
        { schoolId: f.school.id, role: 'comms' },
        { schoolId: f.school.id, role: 'safeguarding_lead' },
      ],
    });
    const headers = (await signIn(t.db, dsl.id)).headers;
    const put = await api.app.inject({
      method: 'PUT',
      url: '/api/me/notification-preferences',
      headers,
      payload: {
        preferences: [
          { event: 'comment.deadline_warning', digest: true },
          // Muting a safeguarding escalation is ignored: it is always sent at once.
          { event: 'escalation.safeguarding', email: false, inApp: false, digest: true },
        ],
      },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().events).toContainEqual(
      expect.objectContaining({ event: 'comment.deadline_warning', email: true, digest: true }),
    );

    const first = await overdueComment(f.school.id, f.account.id);
    const second = await overdueComment(f.school.id, f.account.id);
    for (const c of [first, second]) {
      expect(await warnDeadline(systemContext(t.db, 'test'), { commentId: c.id })).toMatchObject({
        status: 'warned',
      });
    }
    const held = await t.db
      .select({ status: notificationDeliveries.status })
      .from(notificationDeliveries)
      .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
      .where(and(eq(notifications.userId, dsl.id), eq(notifications.event, 'comment.deadline_warning')));
    expect(held.map((d) => d.status)).toEqual(['digest', 'digest']);

    // The caller even says "normal": a safeguarding escalation is urgent whatever it is told.
    const [urgentId] = await t.db.transaction((tx) =>
      notifyUsers(tx, {
        schoolId: f.school.id,
        userIds: [dsl.id],
        event: 'escalation.safeguarding',
        urgency: 'normal',
        title: 'Safeguarding concern on @oakfield_news on X',
        body: 'Safeguarding concern: self-harm. Review it now.',
        link: `/comments/${first.id}`,
        subject: { type: 'comment', id: first.id },
      }),
    );
    await waitFor('the urgent email', () => emailsTo(dsl.email).length === 1);
    expect(emailsTo(dsl.email)[0]!.subject).toBe(
      'URGENT: Safeguarding concern on @oakfield_news on X - Hallmonitor',
    );
    const [urgentRow] = await t.db.select().from(notifications).where(eq(notifications.id, urgentId!));
    expect(urgentRow).toMatchObject({ urgency: 'urgent', readAt: null });

    await runtime.deps.queues.add('notify-digest', {});
    await waitFor('the digest', () => emailsTo(dsl.email).length === 2);
    const digest = emailsTo(dsl.email)[1]!;
    expect(digest.subject).toBe('Hallmonitor digest: 2 notifications');
    expect(digest.body).toContain(`${PUBLIC_URL}/comments/${first.id}`);
    expect(digest.body).toContain(`${PUBLIC_URL}/comments/${second.id}`);
    expect(digest.body).not.toContain('SECRETPHRASE');
    await waitFor('the held deliveries sent', async () => {
      const rows = await t.db
        .select({ status: notificationDeliveries.status })
        .from(notificationDeliveries)
        .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
        .where(and(eq(notifications.userId, dsl.id), eq(notifications.event, 'comment.deadline_warning')));
      return rows.every((r) => r.status === 'sent');
    });
  });

  it('does not send on a channel a person turned off, unless the event is urgent', async () => {
    const f = await school();
    const headers = (await signIn(t.db, f.admin.id)).headers;
    await api.app.inject({
      method: 'PUT',
      url: '/api/me/notification-preferences',
      headers,
      payload: {
        preferences: [
          { event: 'account.needs_reauth', email: false, inApp: false, webhook: false },
          { event: 'comment.deadline_breached', email: false },
        ],
      },
    });
    const [quiet] = await t.db.transaction((tx) =>
      notifyUsers(tx, {
        schoolId: f.school.id,
        userIds: [f.admin.id],
        event: 'account.needs_reauth',
        urgency: 'normal',
        title: '@oakfield_news on X needs re-connecting',
        body: 'Polling has stopped.',
        subject: { type: 'account', id: f.account.id },
      }),
    );
    expect(await deliveriesOf([quiet!])).toEqual([]);
    const count = await api.app.inject({ method: 'GET', url: '/api/notifications/unread-count', headers });
    expect(count.json()).toEqual({ unread: 0 });

    const comment = await overdueComment(f.school.id, f.account.id);
    await breachDeadline(systemContext(t.db, 'test'), { commentId: comment.id });
    await waitFor('the urgent email despite the preference', () => emailsTo(f.admin.email).length === 1);
    expect(emailsTo(f.admin.email)[0]!.subject).toContain('missed its response deadline');
  });
});

describe('in-app notifications', () => {
  it('lists, counts and marks read only your own notifications', async () => {
    const f = await school();
    const note = (userId: string, title: string) =>
      t.db.transaction((tx) =>
        notifyUsers(tx, {
          schoolId: f.school.id,
          userIds: [userId],
          event: 'account.proposed',
          urgency: 'normal',
          title,
          body: 'It needs approval.',
          link: `/accounts/${f.account.id}`,
        }),
      );
    const [a1] = await note(f.senior.id, 'First <script>alert(1)</script>');
    const [a2] = await note(f.senior.id, 'Second');
    const [b1] = await note(f.admin.id, 'Not yours');
    const me = await signIn(t.db, f.senior.id);
    const get = (url: string) => api.app.inject({ method: 'GET', url, headers: me.headers });

    expect((await get('/api/notifications/unread-count')).json()).toEqual({ unread: 2 });
    const page1 = (await get('/api/notifications?limit=1')).json();
    expect(page1.items.map((n: { id: string }) => n.id)).toEqual([a2]);
    const page2 = (await get(`/api/notifications?limit=1&before=${page1.next}`)).json();
    expect(page2.items.map((n: { id: string }) => n.id)).toEqual([a1]);
    expect(page2.next).toBeNull();

    const html = await get('/notifications');
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('Notifications, 2 unread');
    expect(html.body).toContain('First &lt;script');
    expect(html.body).not.toContain('<script>alert(1)');
    expect(html.body).toContain(`action="/api/notifications/${a1}/read"`);

    const theirs = await api.app.inject({
      method: 'POST',
      url: `/api/notifications/${b1}/read`,
      headers: me.headers,
    });
    expect(theirs.statusCode).toBe(404);
    const [untouched] = await t.db.select().from(notifications).where(eq(notifications.id, b1!));
    expect(untouched!.readAt).toBeNull();

    const noToken = await api.app.inject({
      method: 'POST',
      url: `/api/notifications/${a1}/read`,
      headers: { cookie: me.headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(noToken.statusCode).toBe(403);
    const form = await api.app.inject({
      method: 'POST',
      url: `/api/notifications/${a1}/read`,
      headers: { cookie: me.headers.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(me.csrfToken)}`,
    });
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe('/notifications');
    expect((await get('/api/notifications/unread-count')).json()).toEqual({ unread: 1 });

    const all = await api.app.inject({
      method: 'POST',
      url: '/api/notifications/read-all',
      headers: me.headers,
    });
    expect(all.json()).toEqual({ marked: 1 });
    expect((await get('/api/notifications/unread-count')).json()).toEqual({ unread: 0 });
    expect((await get('/api/notifications/unread-count')).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/api/notifications' })).statusCode).toBe(401);
  });
});

describe('relay', () => {
  it('enqueues a delivery whose announcement was lost', async () => {
    const f = await school();
    const [n] = await t.db
      .insert(notifications)
      .values({
        schoolId: f.school.id,
        userId: f.senior.id,
        event: 'account.proposed',
        urgency: 'normal',
        title: 'Lost announcement',
        body: 'b',
      })
      .returning();
    // Written straight to the table, a minute old: no pg_notify, as if the worker had been down.
    await t.db.insert(notificationDeliveries).values({
      notificationId: n!.id,
      schoolId: f.school.id,
      channel: 'email',
      target: f.senior.email,
      status: 'pending',
      createdAt: new Date(Date.now() - 60_000),
    });
    await runtime.deps.queues.add('notify-relay', {});
    await waitFor('the relayed email', () =>
      emailsTo(f.senior.email).some((m) => m.subject.startsWith('Lost announcement')),
    );
  });
});

import { timingSafeEqual } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { socialAccounts } from '../../../db/schema/index.js';
import { metrics } from '../../core/metrics.js';
import { systemContext } from '../../core/service-context.js';
import { enqueueProcessBatches } from '../../ingestion/enqueue-process-batches.js';
import { storeDelivered } from '../../ingestion/poll-account.js';
import type { WebhookHealthStore } from '../../ingestion/webhook-health.js';
import type { IncomingComment, QuarantinedItem } from '../../platforms/adapter.js';
import { readMetaDelivery, verifyMetaSignature } from '../../platforms/meta/meta-webhook.js';

export interface MetaWebhookConfig {
  appSecret: string;
  webhookVerifyToken: string;
}

export interface MetaWebhookOptions {
  /** absent: Meta is not configured and both routes answer 404 */
  meta: MetaWebhookConfig | undefined;
  /** where a verified delivery is noted: healthy webhooks lengthen the backstop poll */
  health?: WebhookHealthStore;
}

/** Meta batches up to 1,000 changes a delivery; a comment is at most a few KB. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
const CHALLENGE = /^[\x21-\x7e]{1,256}$/;

/** The body as received: HMAC is over these bytes, so nothing parses it before the check. */
class RawBody {
  readonly #bytes: Buffer;
  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }
  get bytes(): Buffer {
    return this.#bytes;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).type('application/json').send({ error: message });
}

/**
 * Meta webhooks (Facebook Page feed, Instagram comments). GET answers the subscription handshake;
 * POST checks the signature over the raw body, stores each comment for every active account the
 * entry names through the poll's own store (so webhook and poll never double a comment), and
 * answers 200 before any platform call. Processing (classification) happens in the workers.
 */
export const metaWebhookRoutes: FastifyPluginAsync<MetaWebhookOptions> = async (app, options) => {
  const meta = options.meta;
  // This plugin's scope only: the body stays bytes until the signature is checked.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BODY_BYTES },
    (_request, body, done) => done(null, new RawBody(body as Buffer)),
  );

  app.get(
    '/webhooks/meta',
    { schema: { hide: true }, config: { signIn: false, answers: 'json' } },
    async (request, reply) => {
      if (!meta) return refuse(reply, 404, 'Meta is not configured on this installation');
      const query = request.query as Record<string, unknown>;
      const mode = query['hub.mode'];
      const token = query['hub.verify_token'];
      const challenge = query['hub.challenge'];
      if (
        mode !== 'subscribe' ||
        typeof token !== 'string' ||
        !sameSecret(token, meta.webhookVerifyToken) ||
        typeof challenge !== 'string' ||
        !CHALLENGE.test(challenge)
      ) {
        return refuse(
          reply,
          403,
          'hub.mode must be subscribe and hub.verify_token must match META_WEBHOOK_VERIFY_TOKEN',
        );
      }
      return reply.code(200).type('text/plain; charset=utf-8').send(challenge);
    },
  );

  app.post(
    '/webhooks/meta',
    { schema: { hide: true }, config: { signIn: false, answers: 'json' }, bodyLimit: MAX_WEBHOOK_BODY_BYTES },
    async (request, reply) => {
      if (!meta) {
        metrics.webhookDeliveries.inc({ platform: 'meta', outcome: 'no_config' });
        return refuse(reply, 404, 'Meta is not configured on this installation');
      }
      const raw = request.body instanceof RawBody ? request.body.bytes : Buffer.alloc(0);
      const signature = request.headers['x-hub-signature-256'];
      if (!verifyMetaSignature(raw, typeof signature === 'string' ? signature : undefined, meta.appSecret)) {
        metrics.webhookDeliveries.inc({ platform: 'meta', outcome: 'bad_signature' });
        request.log.warn({ bytes: raw.length }, 'meta webhook: bad or missing X-Hub-Signature-256');
        return refuse(reply, 401, 'X-Hub-Signature-256 is missing or does not match the app secret');
      }
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        metrics.webhookDeliveries.inc({ platform: 'meta', outcome: 'malformed' });
        return refuse(reply, 400, 'the delivery is not JSON');
      }
      // Signed by Meta and JSON: the webhook is reaching us, whatever this delivery holds.
      await options.health?.recordVerifiedDelivery().catch(() => {});
      const read = readMetaDelivery(json, new Date());
      if (!read.ok) {
        metrics.webhookDeliveries.inc({ platform: 'meta', outcome: 'malformed' });
        return refuse(reply, 400, `the delivery is not a Meta webhook delivery (${read.problem})`);
      }
      const { items, rejected } = read.delivery;

      // Group by the account the entry names: (platform, Page or Instagram id).
      type Group = { comments: IncomingComment[]; quarantined: QuarantinedItem[] };
      const groups = new Map<string, Group>();
      const keyOf = (platform: string, id: string) => `${platform}:${id}`;
      const group = (key: string) => {
        const found = groups.get(key);
        if (found) return found;
        const created: Group = { comments: [], quarantined: [] };
        groups.set(key, created);
        return created;
      };
      for (const item of items) group(keyOf(item.platform, item.targetId)).comments.push(item.comment);
      for (const r of rejected)
        if (r.targetId !== null) group(keyOf(r.platform, r.targetId)).quarantined.push(r.item);

      let stored = 0;
      const { mentions } = read.delivery;
      if (groups.size > 0 || mentions.length > 0) {
        const ids = [
          ...new Set([
            ...[...groups.keys()].map((k) => k.slice(k.indexOf(':') + 1)),
            ...mentions.map((m) => m.igUserId),
          ]),
        ];
        const accounts = await app.db
          .select()
          .from(socialAccounts)
          .where(
            and(
              inArray(socialAccounts.platform, ['facebook', 'instagram']),
              inArray(socialAccounts.platformUserId, ids),
              eq(socialAccounts.status, 'active'),
            ),
          );
        const ctx = systemContext(app.db, 'meta-webhook', request.id);
        for (const account of accounts) {
          const mentioned =
            account.platform === 'instagram'
              ? mentions.filter((m) => m.igUserId === account.platformUserId)
              : [];
          if (mentioned.length > 0) {
            // A mention names the comment only: a job reads it. Not queued, Meta must send it again.
            try {
              await app.queues.addBulk(
                'fetch-mention',
                mentioned.map((m) => ({ accountId: account.id, mediaId: m.mediaId, commentId: m.commentId })),
              );
            } catch {
              metrics.webhookDeliveries.inc({ platform: 'meta', outcome: 'queue_unavailable' });
              return refuse(reply, 503, 'the queue is unavailable; send the delivery again');
            }
          }
          const g = groups.get(keyOf(account.platform, account.platformUserId ?? ''));
          if (!g) continue;
          const result = await storeDelivered(ctx, account, g);
          stored += result.ids.length;
          // After commit: a lost enqueue is found by the relay (rows still unprocessed).
          await enqueueProcessBatches({ queues: app.queues }, result.ids).catch(() => {});
        }
      }
      metrics.webhookDeliveries.inc({ platform: 'meta', outcome: 'ok' });
      return reply
        .code(200)
        .send({ received: items.length + mentions.length, stored, rejected: rejected.length });
    },
  );
};

import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { graphTime } from './graph.js';
import type { MetaEvent, MetaState } from './state.js';

// Meta's webhooks, delivered by the sandbox to a callback URL: `object: "page"` deliveries for
// the `feed` field (comments and posts on a Page) and `object: "instagram"` deliveries for the
// `comments` and `mentions` fields, each signed with the app secret in `X-Hub-Signature-256`
// (and the older SHA-1 `X-Hub-Signature`). A test can make deliveries go missing, come twice,
// come out of order, come late, or come with a bad signature; and can run the subscription
// handshake (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`) against the callback.

export interface WebhookSettings {
  callbackUrl: string | null;
  /** signs deliveries (default: the sandbox app's secret) */
  appSecret: string;
  /** sent in the subscription handshake */
  verifyToken: string;
  /** deliver every change as it happens (default true) */
  auto: boolean;
  /** drop the next N deliveries (never sent) */
  drop: number;
  /** or this share (0..1) of deliveries, until changed */
  dropRate: number;
  /** send the next N deliveries twice */
  duplicate: number;
  /** hold the next N deliveries back, then send them newest first (flush() sends them early) */
  reorder: number;
  /** wait this long before each delivery */
  delayMs: number;
  /** sign the next N deliveries with the wrong secret */
  badSignature: number;
  /** send up to N changes in one delivery, as Meta batches them (default 1; flush() sends a partial batch) */
  batch: number;
  /** send a delivery the callback did not answer 2xx again, up to N more times (default 0) */
  retries: number;
  /** wait this long before each retry (default 1000) */
  retryDelayMs: number;
  /** deliveries in flight at once (default 1: one after another, in order) */
  concurrency: number;
}

export interface Delivery {
  /** 1, 2, … in the order the changes happened */
  seq: number;
  object: 'page' | 'instagram';
  field: string;
  body: string;
  signature: string;
  signatureValid: boolean;
  /** HTTP status of the callback's answer; null when not sent (dropped, held) or the send failed */
  status: number | null;
  error: string | null;
  fault: 'dropped' | 'duplicate' | 'reordered' | 'badSignature' | 'retry' | null;
  sentAt: Date | null;
  /** 1 for the first send, 2 for the first retry … */
  attempt: number;
}

export interface HandshakeResult {
  ok: boolean;
  status: number | null;
  challenge: string;
  answer: string;
  error: string | null;
}

const DEFAULTS = (secret: string): WebhookSettings => ({
  callbackUrl: null,
  appSecret: secret,
  verifyToken: 'sandbox-verify-token',
  auto: true,
  drop: 0,
  dropRate: 0,
  duplicate: 0,
  reorder: 0,
  delayMs: 0,
  badSignature: 0,
  batch: 1,
  retries: 0,
  retryDelayMs: 1000,
  concurrency: 1,
});

interface BatchEntry {
  id: string;
  time: number;
  changes: unknown[];
}

interface BatchPayload {
  entry: BatchEntry[];
  object: string;
}

export function signature(body: string, secret: string, algorithm: 'sha256' | 'sha1' = 'sha256'): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
}

export class MetaWebhooks {
  settings: WebhookSettings;
  readonly deliveries: Delivery[] = [];
  readonly handshakes: HandshakeResult[] = [];
  private seq = 0;
  /** one queue per concurrent sender; with one (the default) deliveries go out in order */
  private lanes: Promise<void>[] = [Promise.resolve()];
  private nextLane = 0;
  private held: { delivery: Delivery; payload: unknown }[] = [];
  private readonly batches = new Map<'page' | 'instagram', { field: string; payload: BatchPayload }[]>();
  private pendingRetries = 0;

  constructor(
    private readonly state: MetaState,
    private readonly random: () => number = Math.random,
  ) {
    this.settings = DEFAULTS(state.app.secret);
    state.onEvent = (event) => {
      if (this.settings.auto && this.settings.callbackUrl !== null) this.deliverEvent(event);
    };
  }

  configure(settings: Partial<WebhookSettings>): WebhookSettings {
    if (settings.callbackUrl !== undefined && settings.callbackUrl !== null) new URL(settings.callbackUrl);
    this.settings = { ...this.settings, ...settings };
    return this.settings;
  }

  reset(): void {
    this.settings = DEFAULTS(this.state.app.secret);
    this.held = [];
    this.batches.clear();
    this.deliveries.length = 0;
    this.handshakes.length = 0;
  }

  /** the payload Meta sends for a change, or null for a change it does not announce */
  payloadFor(
    event: MetaEvent,
  ): { object: 'page' | 'instagram'; field: string; payload: Record<string, unknown> } | null {
    const { state } = this;
    const time = Math.floor(state.options.now() / 1000);
    const unix = (at: Date) => Math.floor(at.getTime() / 1000);
    const actor = (id: string) => {
      const who = state.pages.get(id) ?? state.people.get(id);
      return who ? { id: who.id, name: who.name } : { id };
    };
    if (event.kind === 'fb_comment' || event.kind === 'fb_post') {
      const post = event.kind === 'fb_post' ? event.post : state.posts.get(event.comment.postId)!;
      const postInfo = {
        status_type: 'mobile_status_update',
        is_published: true,
        updated_time: graphTime(post.updatedAt),
        permalink_url: `https://www.facebook.com/${post.id.replace('_', '/posts/')}`,
        promotion_status: 'inactive',
        id: post.id,
      };
      let value: Record<string, unknown>;
      if (event.kind === 'fb_post') {
        value = {
          from: actor(post.fromId),
          message: post.message,
          post_id: post.id,
          created_time: unix(post.createdAt),
          item: 'status',
          published: 1,
          verb: 'add',
        };
      } else {
        const c = event.comment;
        value = {
          from: actor(c.fromId),
          post: postInfo,
          ...(event.verb === 'remove' ? {} : { message: c.message }),
          post_id: c.postId,
          comment_id: c.id,
          created_time: unix(event.verb === 'edited' ? c.updatedAt : c.createdAt),
          item: 'comment',
          // As on Facebook: a top-level comment's parent is the post.
          parent_id: c.parentId ?? c.postId,
          verb: event.verb,
        };
      }
      return {
        object: 'page',
        field: 'feed',
        payload: { entry: [{ id: post.pageId, time, changes: [{ value, field: 'feed' }] }], object: 'page' },
      };
    }
    const c = event.comment;
    const from = state.igActors.get(c.fromId);
    const common = {
      from: from ? { id: from.id, username: from.username } : { id: c.fromId },
      media: { id: c.mediaId, media_product_type: 'FEED' },
      id: c.id,
      ...(c.parentId === null ? {} : { parent_id: c.parentId }),
      text: c.text,
    };
    if (event.kind === 'ig_comment') {
      const owner = state.media.get(c.mediaId)!.ownerId;
      if (state.igActors.get(owner)?.pageId == null) return null;
      return {
        object: 'instagram',
        field: 'comments',
        payload: {
          entry: [{ id: owner, time, changes: [{ value: common, field: 'comments' }] }],
          object: 'instagram',
        },
      };
    }
    // Meta's mentions value names only the media and the comment; the sandbox adds the
    // comments-style fields too, which a client must not rely on.
    return {
      object: 'instagram',
      field: 'mentions',
      payload: {
        entry: [
          {
            id: event.mentioned,
            time,
            changes: [{ value: { media_id: c.mediaId, comment_id: c.id, ...common }, field: 'mentions' }],
          },
        ],
        object: 'instagram',
      },
    };
  }

  /** queues the delivery of one change; returns its record, or null for a change Meta does not announce */
  deliverEvent(event: MetaEvent): Delivery | null {
    const built = this.payloadFor(event);
    if (!built) return null;
    if (this.settings.batch > 1) {
      const waiting = this.batches.get(built.object) ?? [];
      waiting.push({ field: built.field, payload: built.payload as unknown as BatchPayload });
      this.batches.set(built.object, waiting);
      return waiting.length >= this.settings.batch ? this.sendBatch(built.object) : null;
    }
    return this.deliver(built.object, built.field, built.payload);
  }

  /** one delivery for the waiting changes: entries for the same object id share one entry */
  private sendBatch(object: 'page' | 'instagram'): Delivery | null {
    const waiting = this.batches.get(object) ?? [];
    this.batches.delete(object);
    if (waiting.length === 0) return null;
    const entries: BatchEntry[] = [];
    for (const { payload } of waiting) {
      for (const entry of payload.entry) {
        const same = entries.find((e) => e.id === entry.id);
        if (same) same.changes.push(...entry.changes);
        else entries.push({ ...entry, changes: [...entry.changes] });
      }
    }
    const fields = [...new Set(waiting.map((w) => w.field))].join(',');
    return this.deliver(object, fields, { entry: entries, object });
  }

  /** queues a raw payload (for tests of malformed deliveries), signed as Meta signs */
  deliver(object: 'page' | 'instagram', field: string, payload: unknown): Delivery {
    const s = this.settings;
    this.seq += 1;
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const bad = s.badSignature > 0;
    if (bad) s.badSignature -= 1;
    const delivery: Delivery = {
      seq: this.seq,
      object,
      field,
      body,
      signature: signature(body, bad ? `${s.appSecret}-wrong` : s.appSecret),
      signatureValid: !bad,
      status: null,
      error: null,
      fault: bad ? 'badSignature' : null,
      sentAt: null,
      attempt: 1,
    };
    this.deliveries.push(delivery);
    if (s.callbackUrl === null) {
      delivery.error = 'no callback URL configured';
      return delivery;
    }
    if (s.drop > 0 || (s.dropRate > 0 && this.random() < s.dropRate)) {
      if (s.drop > 0) s.drop -= 1;
      delivery.fault = 'dropped';
      return delivery;
    }
    if (s.reorder > 0) {
      s.reorder -= 1;
      delivery.fault = 'reordered';
      this.held.push({ delivery, payload });
      if (s.reorder === 0) this.flush();
      return delivery;
    }
    const twice = s.duplicate > 0;
    if (twice) s.duplicate -= 1;
    this.enqueue(delivery);
    if (twice) {
      const copy: Delivery = { ...delivery, fault: 'duplicate', status: null, error: null, sentAt: null };
      this.deliveries.push(copy);
      this.enqueue(copy);
    }
    return delivery;
  }

  /** sends the held-back deliveries, newest first, and any partial batch */
  flush(): void {
    this.sendBatch('page');
    this.sendBatch('instagram');
    const held = this.held.reverse();
    this.held = [];
    for (const { delivery } of held) this.enqueue(delivery);
  }

  /** resolves when every queued delivery has been answered */
  async idle(): Promise<void> {
    const unchanged = (seen: Promise<void>[]) =>
      seen.length === this.lanes.length && seen.every((lane, i) => lane === this.lanes[i]);
    let seen: Promise<void>[];
    do {
      seen = [...this.lanes];
      await Promise.all(seen);
      while (this.pendingRetries > 0 && unchanged(seen)) await sleep(5);
    } while (!unchanged(seen));
  }

  /** the subscription handshake: GET callback?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… */
  async verify(options: { verifyToken?: string; callbackUrl?: string } = {}): Promise<HandshakeResult> {
    const callback = options.callbackUrl ?? this.settings.callbackUrl;
    const challenge = String(Math.floor(this.random() * 1e9) + 1e9);
    const result: HandshakeResult = { ok: false, status: null, challenge, answer: '', error: null };
    if (!callback) {
      result.error = 'no callback URL configured';
    } else {
      const url = new URL(callback);
      url.searchParams.set('hub.mode', 'subscribe');
      url.searchParams.set('hub.verify_token', options.verifyToken ?? this.settings.verifyToken);
      url.searchParams.set('hub.challenge', challenge);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        result.status = response.status;
        result.answer = await response.text();
        result.ok = response.status === 200 && result.answer === challenge;
      } catch (error) {
        result.error = error instanceof Error ? error.message : String(error);
      }
    }
    this.handshakes.push(result);
    return result;
  }

  private enqueue(delivery: Delivery): void {
    const { callbackUrl, delayMs, concurrency } = this.settings;
    while (this.lanes.length < concurrency) this.lanes.push(Promise.resolve());
    const lane = this.nextLane % Math.max(1, concurrency);
    this.nextLane += 1;
    this.lanes[lane] = this.lanes[lane]!.then(async () => {
      if (delayMs > 0) await sleep(delayMs);
      delivery.sentAt = new Date();
      try {
        const response = await fetch(callbackUrl!, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': delivery.signature,
            'x-hub-signature': signature(
              delivery.body,
              delivery.signatureValid ? this.settings.appSecret : 'wrong',
              'sha1',
            ),
            'user-agent': 'facebookexternalua',
          },
          body: delivery.body,
          signal: AbortSignal.timeout(5_000),
        });
        delivery.status = response.status;
        await response.arrayBuffer();
      } catch (error) {
        delivery.error = error instanceof Error ? error.message : String(error);
      }
      const answered = delivery.status !== null && delivery.status >= 200 && delivery.status < 300;
      if (!answered && delivery.attempt <= this.settings.retries) this.retry(delivery);
    });
  }

  private retry(delivery: Delivery): void {
    this.pendingRetries += 1;
    setTimeout(() => {
      this.pendingRetries -= 1;
      const again: Delivery = {
        ...delivery,
        attempt: delivery.attempt + 1,
        fault: 'retry',
        status: null,
        error: null,
        sentAt: null,
      };
      this.deliveries.push(again);
      this.enqueue(again);
    }, this.settings.retryDelayMs).unref();
  }
}

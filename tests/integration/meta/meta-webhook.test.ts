import { createHmac } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comments, quarantinedItems } from '../../../db/schema/index.js';
import { metrics } from '../../../services/core/metrics.js';
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js';
import { createAccount, createSchool } from '../../helpers/factories.js';
import { metaTestEnv, testConfig } from '../../helpers/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const META_ENV = metaTestEnv('http://127.0.0.1:9');
const APP_SECRET = META_ENV.META_APP_SECRET!;
const VERIFY_TOKEN = META_ENV.META_WEBHOOK_VERIFY_TOKEN!;

let t: TestDatabase;
let withMeta: TestApp;
let withoutMeta: TestApp;
let schoolId: string;
let n = 0;
function nextId() {
  n += 1;
  return `${Date.now()}${n}`;
}

beforeAll(async () => {
  t = await createTestDatabase();
  withMeta = await buildTestApp(t.db, { config: testConfig(META_ENV) });
  withoutMeta = await buildTestApp(t.db);
  schoolId = (await createSchool(t.db)).id;
});
afterAll(async () => {
  await withMeta?.close();
  await withoutMeta?.close();
  await t.drop();
});

function deliver(body: unknown, options: { app?: TestApp; secret?: string; signature?: string | null } = {}) {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const signature =
    options.signature === null
      ? undefined
      : (options.signature ??
        `sha256=${createHmac('sha256', options.secret ?? APP_SECRET)
          .update(raw)
          .digest('hex')}`);
  return (options.app ?? withMeta).app.inject({
    method: 'POST',
    url: '/webhooks/meta',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'x-hub-signature-256': signature } : {}),
    },
    payload: raw,
  });
}

function feedComment(pageId: string, commentId: string, over: Record<string, unknown> = {}) {
  const postId = `${pageId}_1`;
  return {
    field: 'feed',
    value: {
      from: { id: '9001', name: 'A Parent' },
      post_id: postId,
      comment_id: commentId,
      parent_id: postId,
      message: 'When is the trip?',
      created_time: Math.floor(Date.now() / 1000),
      item: 'comment',
      verb: 'add',
      ...over,
    },
  };
}

const pageDelivery = (pageId: string, changes: unknown[]) => ({
  object: 'page',
  entry: [{ id: pageId, time: Math.floor(Date.now() / 1000), changes }],
});

async function rowsFor(accountId: string) {
  return t.db.select().from(comments).where(eq(comments.accountId, accountId)).orderBy(comments.externalId);
}

async function facebookAccount(pageId = nextId(), status: 'active' | 'approved' = 'active') {
  return createAccount(t.db, { schoolId, platform: 'facebook', platformUserId: pageId, status });
}

describe('GET /webhooks/meta (subscription handshake)', () => {
  const handshake = (app: TestApp, query: string) =>
    app.app.inject({ method: 'GET', url: `/webhooks/meta?${query}` });

  it('echoes hub.challenge as plain text when the verify token matches', async () => {
    const res = await handshake(
      withMeta,
      `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe('1158201444');
  });

  it.each([
    ['a wrong token', `hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`],
    ['no token', `hub.mode=subscribe&hub.challenge=1`],
    ['another mode', `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`],
    [
      'markup as the challenge',
      `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=%3Cscript%3E%20x`,
    ],
  ])('refuses %s with 403', async (_what, query) => {
    const res = await handshake(withMeta, query);
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('<script>');
  });

  it('answers 404 on an installation where Meta is not configured', async () => {
    const res = await handshake(withoutMeta, `hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`);
    expect(res.statusCode).toBe(404);
    expect((await deliver(pageDelivery('1', []), { app: withoutMeta })).statusCode).toBe(404);
  });
});

describe('POST /webhooks/meta (deliveries)', () => {
  it('stores a signed comment for the Page, queues its processing, and answers 200', async () => {
    const pageId = nextId();
    const account = await facebookAccount(pageId);
    const res = await deliver(pageDelivery(pageId, [feedComment(pageId, `${pageId}_1_100`)]));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ received: 1, stored: 1 });
    const rows = await rowsFor(account.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      platform: 'facebook',
      externalId: `${pageId}_1_100`,
      conversationId: `${pageId}_1`,
      authorExternalId: '9001',
      authorName: 'A Parent',
      text: 'When is the trip?',
    });
    const jobs = await withMeta.app.queues.process.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.some((job) => (job.data as { commentIds: string[] }).commentIds.includes(rows[0]!.id))).toBe(
      true,
    );
  });

  it('a bad or missing signature answers 401, is counted, and stores nothing', async () => {
    const pageId = nextId();
    const account = await facebookAccount(pageId);
    const body = pageDelivery(pageId, [feedComment(pageId, `${pageId}_1_200`)]);
    const before =
      (await metrics.webhookDeliveries.get()).values.find((v) => v.labels.outcome === 'bad_signature')
        ?.value ?? 0;
    expect((await deliver(body, { secret: 'not-the-app-secret' })).statusCode).toBe(401);
    expect((await deliver(body, { signature: null })).statusCode).toBe(401);
    expect((await deliver(body, { signature: 'sha256=' })).statusCode).toBe(401);
    const after =
      (await metrics.webhookDeliveries.get()).values.find((v) => v.labels.outcome === 'bad_signature')
        ?.value ?? 0;
    expect(after - before).toBe(3);
    expect(await rowsFor(account.id)).toEqual([]);
  });

  it('a duplicate delivery and an out-of-order one (a reply before its parent) store each comment once', async () => {
    const pageId = nextId();
    const account = await facebookAccount(pageId);
    const parent = feedComment(pageId, `${pageId}_1_300`);
    const reply = feedComment(pageId, `${pageId}_1_301`, { parent_id: `${pageId}_1_300`, message: 'Me too' });
    expect((await deliver(pageDelivery(pageId, [reply]))).statusCode).toBe(200);
    expect((await deliver(pageDelivery(pageId, [parent]))).statusCode).toBe(200);
    expect((await deliver(pageDelivery(pageId, [parent, reply]))).json()).toMatchObject({
      received: 2,
      stored: 0,
    });
    const rows = await rowsFor(account.id);
    expect(rows.map((r) => [r.externalId, r.inReplyToExternalId])).toEqual([
      [`${pageId}_1_300`, `${pageId}_1`],
      [`${pageId}_1_301`, `${pageId}_1_300`],
    ]);
  });

  it('one delivery naming two Pages (two schools) stores the comment for each, once each', async () => {
    const pageA = nextId();
    const pageB = nextId();
    const first = await facebookAccount(pageA);
    const otherSchool = await createSchool(t.db);
    const second = await createAccount(t.db, {
      schoolId: otherSchool.id,
      platform: 'facebook',
      platformUserId: pageB,
    });
    const shared = `${pageA}_1_400`;
    const res = await deliver({
      object: 'page',
      entry: [
        { id: pageA, time: 1, changes: [feedComment(pageA, shared)] },
        { id: pageB, time: 1, changes: [feedComment(pageB, shared)] },
      ],
    });
    expect(res.json()).toMatchObject({ received: 2, stored: 2 });
    expect((await rowsFor(first.id)).map((r) => r.externalId)).toEqual([shared]);
    const [row] = await rowsFor(second.id);
    expect(row).toMatchObject({ externalId: shared, schoolId: otherSchool.id });
  });

  it('an account not yet active (awaiting approval) gets nothing stored', async () => {
    const pageId = nextId();
    const notYetActive = await facebookAccount(pageId, 'approved');
    expect(
      (await deliver(pageDelivery(pageId, [feedComment(pageId, `${pageId}_1_450`)]))).json(),
    ).toMatchObject({
      received: 1,
      stored: 0,
    });
    expect(await rowsFor(notYetActive.id)).toEqual([]);
  });

  it('an Instagram comment goes to the Instagram account, not a Page with the same id', async () => {
    const id = nextId();
    const page = await facebookAccount(id);
    const ig = await createAccount(t.db, { schoolId, platform: 'instagram', platformUserId: id });
    const res = await deliver({
      object: 'instagram',
      entry: [
        {
          id,
          time: Math.floor(Date.now() / 1000),
          changes: [
            {
              field: 'comments',
              value: { id: `${id}9`, text: 'nice', from: { id: '77', username: 'kid' }, media: { id: '55' } },
            },
          ],
        },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect((await rowsFor(ig.id)).map((r) => [r.platform, r.authorHandle])).toEqual([['instagram', 'kid']]);
    expect(await rowsFor(page.id)).toEqual([]);
  });

  it('a malformed change is quarantined alone for the account; the rest of the delivery is stored', async () => {
    const pageId = nextId();
    const account = await facebookAccount(pageId);
    const res = await deliver(
      pageDelivery(pageId, [
        feedComment(pageId, `${pageId}_1_500`, { created_time: 'soon', message: 'hostile \u0000 text' }),
        feedComment(pageId, `${pageId}_1_501`, { message: 'nul \u0000 and <b>markup</b>' }),
      ]),
    );
    expect(res.statusCode).toBe(200);
    const rows = await rowsFor(account.id);
    expect(rows.map((r) => r.externalId)).toEqual([`${pageId}_1_501`]);
    expect(rows[0]!.text).not.toContain('\u0000');
    expect(rows[0]!.text).toContain('<b>markup</b>');
    const kept = await t.db.select().from(quarantinedItems).where(eq(quarantinedItems.accountId, account.id));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({
      externalId: `${pageId}_1_500`,
      reason: expect.stringContaining('created_time'),
    });
    // Delivered again (Meta retries): not kept twice.
    await deliver(pageDelivery(pageId, [feedComment(pageId, `${pageId}_1_500`, { created_time: 'soon' })]));
    expect(
      await t.db
        .select()
        .from(quarantinedItems)
        .where(inArray(quarantinedItems.accountId, [account.id])),
    ).toHaveLength(1);
  });

  it('a mention naming a Graph id with underscores is quarantined, and the rest of the delivery is kept (not a 503 Meta resends for ever)', async () => {
    const id = nextId();
    const ig = await createAccount(t.db, { schoolId, platform: 'instagram', platformUserId: id });
    const res = await deliver({
      object: 'instagram',
      entry: [
        {
          id,
          time: Math.floor(Date.now() / 1000),
          changes: [
            { field: 'mentions', value: { media_id: '17_1', comment_id: `${id}1` } },
            { field: 'mentions', value: { media_id: '18', comment_id: `${id}_2` } },
            { field: 'mentions', value: { media_id: '19', comment_id: `${id}3` } },
            {
              field: 'comments',
              value: { id: `${id}4`, text: 'hi', from: { id: '77', username: 'kid' }, media: { id: '55' } },
            },
          ],
        },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect((await rowsFor(ig.id)).map((r) => r.externalId)).toEqual([`${id}4`]);
    const jobs = await withMeta.app.queues.poll.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(
      jobs
        .filter((j) => j.name === 'fetch-mention' && j.data.accountId === ig.id)
        .map((j) => j.data.commentId),
    ).toEqual([`${id}3`]);
    const kept = await t.db.select().from(quarantinedItems).where(eq(quarantinedItems.accountId, ig.id));
    expect(kept).toHaveLength(2);
  });

  it('a signed body that is not a delivery answers 400; an oversized one 413; neither stores', async () => {
    expect((await deliver('{"object":')).statusCode).toBe(400);
    expect((await deliver({ object: 'page', entry: 'nope' })).statusCode).toBe(400);
    const huge = JSON.stringify({ object: 'page', entry: [], pad: 'x'.repeat(1024 * 1024 + 10) });
    expect((await deliver(huge)).statusCode).toBe(413);
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readMetaDelivery, verifyMetaSignature } from '../../../services/platforms/meta/meta-webhook.js';

const SECRET = 'app-secret-for-tests';
const sign = (body: Buffer, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const RECEIVED = new Date('2026-12-04T12:00:00Z');

// Shapes as Meta documents them (Webhooks for Pages, feed; Instagram webhooks, comments).
const pageComment = (over: Record<string, unknown> = {}) => ({
  field: 'feed',
  value: {
    from: { id: '9001', name: 'A Parent' },
    post: {
      status_type: 'added_photos',
      is_published: true,
      updated_time: '2026-12-04T11:59:58+0000',
      permalink_url: 'https://www.facebook.com/1/posts/2',
      promotion_status: 'inactive',
      id: '111_222',
    },
    message: 'Why was the trip cancelled?',
    post_id: '111_222',
    comment_id: '222_333',
    created_time: 1796385598,
    item: 'comment',
    parent_id: '111_222',
    verb: 'add',
    ...over,
  },
});
const igComment = (over: Record<string, unknown> = {}) => ({
  field: 'comments',
  value: {
    from: { id: '7001', username: 'a_parent' },
    media: { id: '5005', media_product_type: 'FEED' },
    id: '6006',
    text: 'Great concert!',
    ...over,
  },
});

describe('X-Hub-Signature-256', () => {
  const body = Buffer.from(JSON.stringify({ object: 'page', entry: [] }));

  it('accepts the HMAC-SHA256 of the raw body with the app secret', () => {
    expect(verifyMetaSignature(body, sign(body), SECRET)).toBe(true);
    expect(verifyMetaSignature(body, sign(body).toUpperCase().replace('SHA256=', 'sha256='), SECRET)).toBe(
      true,
    );
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['another secret', sign(body, 'other')],
    ['sha1 scheme', `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}`],
    ['truncated', sign(body).slice(0, 40)],
    ['not hex', `sha256=${'z'.repeat(64)}`],
  ])('refuses a %s signature', (_what, header) => {
    expect(verifyMetaSignature(body, header, SECRET)).toBe(false);
  });

  it('refuses a body changed after signing, even by one byte of whitespace', () => {
    const header = sign(body);
    expect(verifyMetaSignature(Buffer.concat([body, Buffer.from(' ')]), header, SECRET)).toBe(false);
  });
});

describe('reading a delivery', () => {
  it('a Page feed comment becomes a comment for the Page the entry names', () => {
    const read = readMetaDelivery(
      { object: 'page', entry: [{ id: '111', time: 1796385599, changes: [pageComment()] }] },
      RECEIVED,
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.delivery.items).toEqual([
      {
        platform: 'facebook',
        targetId: '111',
        comment: expect.objectContaining({
          externalId: '222_333',
          conversationId: '111_222',
          inReplyToExternalId: '111_222',
          authorExternalId: '9001',
          authorName: 'A Parent',
          text: 'Why was the trip cancelled?',
          createdAt: new Date(1796385598 * 1000),
        }),
      },
    ]);
  });

  it('an Instagram comment becomes a comment for the account, timed by the entry', () => {
    const read = readMetaDelivery(
      {
        object: 'instagram',
        entry: [{ id: '4004', time: 1796385599, changes: [igComment({ parent_id: '6000' })] }],
      },
      RECEIVED,
    );
    if (!read.ok) throw new Error(read.problem);
    expect(read.delivery.items[0]).toMatchObject({
      platform: 'instagram',
      targetId: '4004',
      comment: {
        externalId: '6006',
        conversationId: '5005',
        inReplyToExternalId: '6000',
        authorHandle: 'a_parent',
      },
    });
    expect(read.delivery.items[0]!.comment.createdAt).toEqual(new Date(1796385599 * 1000));
  });

  it("the Page's own comments, reactions, removals and other fields are not stored", () => {
    const read = readMetaDelivery(
      {
        object: 'page',
        entry: [
          {
            id: '111',
            time: 1,
            changes: [
              pageComment({ from: { id: '111', name: 'The School' } }),
              pageComment({ verb: 'remove' }),
              { field: 'feed', value: { item: 'reaction', verb: 'add', post_id: '111_222' } },
              { field: 'ratings', value: {} },
            ],
          },
        ],
      },
      RECEIVED,
    );
    if (!read.ok) throw new Error(read.problem);
    expect(read.delivery.items).toEqual([]);
    expect(read.delivery.rejected).toEqual([]);
    expect(read.delivery.ignored).toBe(4);
  });

  it('an Instagram mention names the comment to read; a caption mention is ignored; a bad one is quarantined', () => {
    const read = readMetaDelivery(
      {
        object: 'instagram',
        entry: [
          {
            id: '1784',
            time: 1,
            changes: [
              { field: 'mentions', value: { media_id: '900', comment_id: '901' } },
              { field: 'mentions', value: { media_id: '902' } },
              { field: 'mentions', value: { media_id: '903', comment_id: '9 04; DROP' } },
            ],
          },
        ],
      },
      RECEIVED,
    );
    if (!read.ok) throw new Error(read.problem);
    expect(read.delivery.mentions).toEqual([{ igUserId: '1784', mediaId: '900', commentId: '901' }]);
    expect(read.delivery.items).toEqual([]);
    expect(read.delivery.ignored).toBe(1);
    expect(read.delivery.rejected).toHaveLength(1);
    expect(read.delivery.rejected[0]!.item.reason).toContain('comment_id');
  });

  it('a bad change is rejected alone, naming the field, and the good ones are kept', () => {
    const read = readMetaDelivery(
      {
        object: 'page',
        entry: [
          {
            id: '111',
            time: 1,
            changes: [pageComment({ created_time: 'yesterday' }), pageComment({ comment_id: '222_444' })],
          },
          { id: 'not-an-id', changes: [pageComment()] },
        ],
      },
      RECEIVED,
    );
    if (!read.ok) throw new Error(read.problem);
    expect(read.delivery.items.map((i) => i.comment.externalId)).toEqual(['222_444']);
    expect(read.delivery.rejected).toHaveLength(2);
    expect(read.delivery.rejected[0]).toMatchObject({
      targetId: '111',
      item: { externalId: '222_333', reason: expect.stringContaining('created_time') },
    });
    // An entry without a readable id has nobody to be kept for.
    expect(read.delivery.rejected[1]!.targetId).toBeNull();
  });

  it('hostile text is kept as text, bounded, NUL and all (the store makes it storable)', () => {
    const text = `<script>alert(1)</script>\u0000${'x'.repeat(20_000)}`;
    const read = readMetaDelivery(
      { object: 'page', entry: [{ id: '111', changes: [pageComment({ message: text })] }] },
      RECEIVED,
    );
    if (!read.ok) throw new Error(read.problem);
    const comment = read.delivery.items[0]!.comment;
    expect(comment.text.startsWith('<script>alert(1)</script>\u0000')).toBe(true);
    expect(comment.textTruncated).toBe(true);
    expect(comment.text.length).toBe(10_000);
  });

  it('a body that is not a delivery is refused whole', () => {
    expect(readMetaDelivery({ entry: 'x' }, RECEIVED).ok).toBe(false);
    expect(readMetaDelivery([], RECEIVED).ok).toBe(false);
    const tooMany = { object: 'page', entry: Array.from({ length: 1001 }, () => ({ id: '1' })) };
    expect(readMetaDelivery(tooMany, RECEIVED).ok).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { fbToComment } from '../../../services/platforms/meta/facebook-adapter.js';
import { igToComment } from '../../../services/platforms/meta/instagram-adapter.js';
import { readMetaCursor } from '../../../services/platforms/meta/meta-cursor.js';
import {
  fbComment,
  graphList,
  graphTime,
  igComment,
  readItems,
} from '../../../services/platforms/meta/meta-schemas.js';

// Recorded shapes from the Graph API v21.0 reference (Comment, IG Comment, paging).

describe('Graph times', () => {
  it('reads the offset without a colon, as Graph writes it', () => {
    expect(graphTime.parse('2026-12-04T17:00:00+0000')).toEqual(new Date('2026-12-04T17:00:00Z'));
    expect(graphTime.parse('2026-12-04T18:00:00+0100')).toEqual(new Date('2026-12-04T17:00:00Z'));
    expect(graphTime.parse('2026-12-04T17:00:00Z')).toEqual(new Date('2026-12-04T17:00:00Z'));
  });
  it.each(['yesterday', '2026-12-04', '2026-13-45T99:00:00+0000', ''])('refuses %j', (value) => {
    expect(graphTime.safeParse(value).success).toBe(false);
  });
});

describe('Facebook comments', () => {
  const recorded = {
    id: '111_222_333',
    message: 'When is the trip?',
    from: { id: '9001', name: 'A Parent' },
    created_time: '2026-12-04T17:00:00+0000',
    parent: { id: '111_222_300' },
    permalink_url: 'https://www.facebook.com/111/posts/222?comment_id=333',
    is_hidden: false,
  };

  it('a reply becomes a comment replying to its parent, on its post', () => {
    const comment = fbToComment(fbComment.parse(recorded), '111_222');
    expect(comment).toMatchObject({
      externalId: '111_222_333',
      conversationId: '111_222',
      inReplyToExternalId: '111_222_300',
      authorExternalId: '9001',
      authorName: 'A Parent',
      url: recorded.permalink_url,
      foundBy: 'conversation',
    });
  });

  it('a photo-only comment (no message) and one without `from` (no pages_read_user_content) are still comments', () => {
    const { message: _m, from: _f, ...bare } = recorded;
    const comment = fbToComment(fbComment.parse(bare), '111_222');
    expect(comment).toMatchObject({ text: '', authorExternalId: '', authorName: '' });
  });

  it('one bad item is quarantined with the field that failed; the others are read', () => {
    const read = readItems(
      fbComment,
      [recorded, { ...recorded, id: '111_222_334', from: { id: '1', name: 'N'.repeat(501) } }, 'junk'],
      'data',
    );
    expect(read.items.map((c) => c.id)).toEqual(['111_222_333']);
    expect(read.quarantined).toEqual([
      expect.objectContaining({
        externalId: '111_222_334',
        reason: expect.stringContaining('data.1.from.name'),
      }),
      expect.objectContaining({ externalId: null, raw: '"junk"' }),
    ]);
  });
});

describe('Instagram comments', () => {
  it('a reply (from nested replies) names its parent and the media', () => {
    const parsed = igComment.parse({
      id: '17858893269000001',
      text: 'agreed',
      timestamp: '2026-12-04T17:00:00+0000',
      username: 'dad_of_one',
      from: { id: '17841400000000002', username: 'dad_of_one' },
      hidden: false,
      parent_id: '17858893269000000',
    });
    expect(
      igToComment(
        parsed,
        { id: '17895695668004550', permalink: 'https://www.instagram.com/p/abc/' },
        'conversation',
      ),
    ).toMatchObject({
      conversationId: '17895695668004550',
      inReplyToExternalId: '17858893269000000',
      authorHandle: 'dad_of_one',
      url: 'https://www.instagram.com/p/abc/',
    });
  });
});

describe('paging envelopes and cursors', () => {
  it('reads data and paging; refuses an envelope without data', () => {
    const page = graphList.parse({
      data: [{}],
      paging: {
        cursors: { before: 'QVFI', after: 'QVFJ' },
        next: 'https://graph.facebook.com/v21.0/1/comments?after=QVFJ',
      },
    });
    expect(page.paging?.next).toContain('after=QVFJ');
    expect(graphList.safeParse({ paging: {} }).success).toBe(false);
  });

  it('a stored cursor that is not a Meta cursor (an X one) is malformed, not silently reset', () => {
    expect(readMetaCursor(null)).toEqual({ v: 1, since: null, walk: null });
    expect(() => readMetaCursor({ v: 1, sinceId: '123', pendingNewestId: null, untilId: null })).toThrow(
      /not a Meta cursor/,
    );
  });
});

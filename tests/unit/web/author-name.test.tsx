import { describe, expect, it } from 'vitest';
import { commentLabelOf } from '../../../services/audit/audit-labels.js';
import { CommentName } from '../../../services/web/components/comment-name.js';
import { AuthorName } from '../../../services/web/components/public-text.js';

describe('an author as staff see them', () => {
  it('on X: the name and the @handle, each isolated apart', () => {
    expect(AuthorName({ name: 'Chloe Day', handle: 'chloe_d' })).toBe(
      '<bdi>Chloe Day</bdi> (@<bdi>chloe_d</bdi>)',
    );
  });

  it('on X, a person whose name is their handle still shows the @handle', () => {
    expect(AuthorName({ name: 'carer_1', handle: 'carer_1', platform: 'x' })).toBe(
      '<bdi>carer_1</bdi> (@<bdi>carer_1</bdi>)',
    );
  });

  it('on YouTube, where the name is the @handle itself: once, not "@dave (@dave)"', () => {
    expect(AuthorName({ name: '@dave', handle: 'dave', platform: 'youtube' })).toBe('@<bdi>dave</bdi>');
  });

  it('on Facebook, where a commenter has a name and no handle: the name alone, not "Chloe (@Chloe)"', () => {
    expect(AuthorName({ name: 'Chloe', handle: 'Chloe', platform: 'facebook' })).toBe('<bdi>Chloe</bdi>');
  });
});

describe('a comment named in the audit history', () => {
  const at = new Date('2026-12-03T10:00:00Z');
  it('by @handle where the platform has handles', () => {
    const label = commentLabelOf(
      { authorHandle: 'chloe_d', postedAt: at, redacted: false },
      'Europe/London',
      false,
    );
    expect(String(CommentName({ label }))).toBe('Comment by @<bdi>chloe_d</bdi> on 3 Dec 2026');
  });

  it('by name, without an @, for a Facebook commenter', () => {
    const label = commentLabelOf(
      { authorHandle: 'Chloe', postedAt: at, redacted: false },
      'Europe/London',
      true,
    );
    expect(String(CommentName({ label }))).toBe('Comment by <bdi>Chloe</bdi> on 3 Dec 2026');
  });
});

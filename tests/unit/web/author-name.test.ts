import { describe, expect, it } from 'vitest';
import { AuthorName } from '../../../services/web/components/public-text.js';

describe('an author as staff see them', () => {
  it('on X: the name and the @handle, each isolated apart', () => {
    expect(AuthorName({ name: 'Chloe Day', handle: 'chloe_d' })).toBe(
      '<bdi>Chloe Day</bdi> (@<bdi>chloe_d</bdi>)',
    );
  });

  it('on Facebook, where a commenter has a name and no handle: the name alone, not "Chloe (@Chloe)"', () => {
    expect(AuthorName({ name: 'Chloe', handle: 'Chloe' })).toBe('<bdi>Chloe</bdi>');
  });
});

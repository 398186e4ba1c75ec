import { describe, expect, it } from 'vitest';
import { refusalText } from '../../../services/api/page-kit.js';

describe('a refusal that is not about what was typed, in plain words', () => {
  it('says first that nothing was done, then why, as one sentence', () => {
    expect(refusalText('This escalation is already closed')).toBe(
      'Not done. This escalation is already closed.',
    );
    expect(refusalText('A hide of this comment is already under way')).toBe(
      'Not done. A hide of this comment is already under way.',
    );
  });
  it('leaves a message that already says it was refused or that nothing was done', () => {
    expect(refusalText('Disabling Amy Admin is refused: @oakfield would have 1 working admin')).toBe(
      'Disabling Amy Admin is refused: @oakfield would have 1 working admin.',
    );
    expect(refusalText('Nothing was stored.')).toBe('Nothing was stored.');
  });
});

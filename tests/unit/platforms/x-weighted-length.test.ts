import { describe, expect, it } from 'vitest';
import { X_MAX_WEIGHTED_LENGTH, xWeightedLength } from '../../../services/platforms/x/x-weighted-length.js';

// The cases are X's own rules (developer.x.com "Counting characters", twitter-text v3 config):
// Latin and most punctuation weigh 1, CJK and other scripts 2, an emoji 2 however many code
// points it is made of, and any link 23 however long.
describe("X's weighted length", () => {
  it('counts Latin text, accents and common punctuation as one each', () => {
    expect(xWeightedLength('Thank you for telling us.')).toBe(25);
    // The en dash and curly quotes are in X's light punctuation ranges; the ellipsis (U+2026) is not.
    expect(xWeightedLength('Café – “quoted” …')).toBe(18);
  });

  it('counts CJK (Chinese, Japanese, Korean) as two each', () => {
    expect(xWeightedLength('学校')).toBe(4);
    expect(xWeightedLength('こんにちは')).toBe(10);
    expect(xWeightedLength('한국어')).toBe(6);
  });

  it('counts an emoji as two, whether one code point, a skin tone, a flag or a family joined by ZWJ', () => {
    expect(xWeightedLength('🙂')).toBe(2);
    expect(xWeightedLength('👍🏽')).toBe(2);
    expect(xWeightedLength('🇬🇧')).toBe(2);
    expect(xWeightedLength('👨‍👩‍👧‍👦')).toBe(2);
    expect(xWeightedLength('Well done 🎉🎉')).toBe(14);
  });

  it('counts a link as 23 whatever its length, with or without a scheme', () => {
    expect(xWeightedLength('https://example.org')).toBe(23);
    expect(xWeightedLength(`See https://oakfield.sch.uk/${'a'.repeat(200)} today`)).toBe(4 + 23 + 6);
    expect(xWeightedLength('Details at oakfield.sch.uk.')).toBe(11 + 23 + 1);
    expect(xWeightedLength('www.bbc.co.uk/news')).toBe(23);
  });

  it('does not take a sentence that merely has a full stop for a link', () => {
    expect(xWeightedLength('Thanks.See you')).toBe(14);
    expect(xWeightedLength('v1.2 is out')).toBe(11);
  });

  it('normalises first (NFC): a decomposed é counts once', () => {
    expect(xWeightedLength('e\u0301')).toBe(1);
  });

  it('puts the limit at 280', () => {
    expect(X_MAX_WEIGHTED_LENGTH).toBe(280);
    expect(xWeightedLength('学'.repeat(140))).toBe(280);
  });
});

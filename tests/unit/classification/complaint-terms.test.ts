import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';

// Complaints in parents' own words (complaint lexicon 1.2.0), on sentences written for this test:
// none is in an evaluation split.
const classifier = createClassifier();
const complaintTerms = (text: string) =>
  classifier
    .classify(text)
    .labels.filter((l) => l.category === 'complaint' && l.source.startsWith('lexicon:complaint'))
    .flatMap((l) => l.spans.map(([start, end]) => text.slice(start, end).toLowerCase()));

describe('complaints without the word "complaint"', () => {
  it.each([
    ['Another rip off from the uniform supplier, £45 for a blazer is too much', 'rip off'],
    ['His support plan is not being followed in English and I have raised it twice', 'not being followed'],
    ['Trip moved with one days notice, how are we meant to sort childcare', 'one days notice'],
    ['Year 9 have had supply after supply in maths since September', 'supply after supply'],
    ['Who decided the toilets get locked during lessons?', 'who decided'],
  ])('labels "%s" a complaint, at "%s"', (text, term) => {
    expect(complaintTerms(text)).toContain(term);
  });

  it.each([
    'The PTA cake sale was a rip-roaring success, thank you all',
    'Lovely concert, the choir had clearly practised',
    'Can someone tell me what time the coach gets back from the museum?',
  ])('leaves "%s" alone', (text) => {
    expect(classifier.classify(text).labels.filter((l) => l.category === 'complaint')).toEqual([]);
  });
});

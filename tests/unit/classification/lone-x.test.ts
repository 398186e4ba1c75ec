import { describe, expect, it } from 'vitest';
import { checkOutgoingReply } from '../../../services/classification/check-outgoing-reply.js';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import { loadRoster } from './eval-set.js';

const classifier = createClassifier({ roster: loadRoster() });
const sexual = (text: string) =>
  classifier.classify(text).labels.filter((l) => l.category === 'offensive' && l.subcategory === 'sexual');

/**
 * Repeated letters are collapsed when matching ("fuuuck"), so the lexicon's "xxx" used to be met
 * by any lone "x": a score, a court size, a kiss at the end of a message.
 */
describe('a lone x or a run of kisses', () => {
  it.each([
    'we won 3 x 2',
    '3x3 court at lunchtime',
    'x marks the spot on the treasure map',
    'see you soon x',
    'love you xx',
    'thanks xxx',
    'Thank you so much Mrs Patel xxxx',
    'Brilliant day, thanks everyone x x x',
    'Lovely photos. x',
    'Thanks x. Videos of the trip are up on the website',
  ])('is never sexual: %s', (text) => {
    expect(sexual(text)).toEqual([]);
    expect(classifier.classify(text).labels).toEqual([]);
  });

  it.each([
    ['xxx videos of her', 'xxx videos'],
    ['check out these xxx pics', 'xxx pics'],
    ['x-rated pics of the teacher', 'x-rated'],
    ['x rated stuff on here', 'x rated'],
    ['x x x videos here', 'x x x videos'],
  ])('still flags sexual content: %s', (text, marked) => {
    const labels = sexual(text);
    expect(labels.map((l) => l.severity)).toEqual(['high']);
    expect(labels[0]!.spans.map(([s, e]) => text.slice(s, e))).toEqual([marked]);
  });

  it('does not read one x as the "xxx" of a school’s own term either', () => {
    const school = createClassifier({
      extraTerms: [{ term: 'zzz club', category: 'offensive', subcategory: 'sexual', severity: 'high' }],
    });
    expect(school.classify('zzz club tonight').labels).toHaveLength(1);
    expect(school.classify('z club tonight').labels).toEqual([]);
  });
});

describe('the outgoing check on a staff reply signed with a kiss', () => {
  it.each([
    'Thank you, see you at sports day x',
    'Congratulations to the team, we won 3 x 2!',
    'Thanks so much for your kind words xx',
  ])('lets it through: %s', (text) => {
    expect(checkOutgoingReply(text, classifier)).toEqual({ ok: true });
  });
});

import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import type { ClassificationResult } from '../../../services/classification/types.js';
import { loadRoster } from './eval-set.js';

const classifier = createClassifier({ roster: loadRoster() });

function pupilNamed(result: ClassificationResult): boolean {
  return result.labels.some((l) => l.category === 'safeguarding' && l.subcategory === 'pupil_named');
}

describe('roster matching', () => {
  it.each([
    'Amelia Hartley was upset at the gate',
    'well done oliver pennington!',
    "Can Zara Okafor's mum ring me?",
    'AMELIA HARTLEY',
    'Amelia  Hartley',
  ])('names a pupil by full name: %s', (text) => {
    expect(pupilNamed(classifier.classify(text))).toBe(true);
  });

  it.each([
    'Amelia in Year 4 keeps pushing my son',
    'Oliver (Y6) was brilliant',
    'Zara from year six',
    'Isla in 2A has nits again',
    'Priya, class 3, forgot her bag',
    'Freddie from Oak class hurt his knee',
    'Year 5 Maisie made the best cakes',
    'Zara in P4 has been crying every morning',
    'Isla (S2) was upset at the bus stop',
  ])('names a pupil by first name beside a year group or class: %s', (text) => {
    expect(pupilNamed(classifier.classify(text))).toBe(true);
  });

  it.each([
    'Amelia from the office was so helpful',
    'Oliver is a lovely name',
    'Harvey Nichols has a sale on',
    'Year 4 were brilliant at the assembly',
    'Amelia from the office says the letter about the trip went out to Year 4 on Monday',
  ])('does not flag a first name alone, or a year group alone: %s', (text) => {
    expect(pupilNamed(classifier.classify(text))).toBe(false);
  });

  it.each([
    "Break a leg tonight Year 6! Can't wait to see Oliver!",
    'Year 6 tickets for Matilda are on sale now, the cast have worked so hard',
  ])('reads a show named after a child as the show: %s', (text) => {
    expect(pupilNamed(classifier.classify(text))).toBe(false);
  });

  it.each([
    'Oliver in Year 6 was brilliant in the show, but he was crying at the gate after',
    'Year 6 show tonight, Oliver has been so anxious he has not eaten',
  ])('still names a pupil at a show: %s', (text) => {
    expect(pupilNamed(classifier.classify(text))).toBe(true);
  });

  it('spans the name and the year group in the original text', () => {
    const text = 'Is Amelia in Year 4 ok?';
    const label = classifier.classify(text).labels.find((l) => l.subcategory === 'pupil_named');
    expect(label?.spans.map(([s, e]) => text.slice(s, e))).toEqual(['Amelia', 'Year 4']);
  });

  it('knows nothing of pupils without a roster', () => {
    expect(pupilNamed(createClassifier().classify('Amelia Hartley in Year 4'))).toBe(false);
  });
});

describe('school extra terms and allow-list', () => {
  const school = createClassifier({
    extraTerms: [
      { category: 'offensive', subcategory: 'insult', severity: 'medium', term: 'grotbags' },
      { category: 'complaint', subcategory: 'complaint', severity: 'low', term: 'car park chaos' },
      { category: 'safeguarding', subcategory: 'radicalisation', severity: 'high', term: 'local gang*' },
    ],
    allowList: ['Cockshutt'],
  });

  it('adds the school terms, normalised like the shipped ones', () => {
    const insult = school
      .classify('Mrs Grant is an old GR0TBAGS')
      .labels.find((l) => l.subcategory === 'insult');
    expect(insult?.source).toBe('school:extra-terms');
    expect(school.classify('the car  park chaos again').labels.some((l) => l.category === 'complaint')).toBe(
      true,
    );
    expect(
      school.classify('he joined the local gangs').labels.some((l) => l.subcategory === 'radicalisation'),
    ).toBe(true);
  });

  it('does not leak one school’s terms into another classifier', () => {
    expect(classifier.classify('grotbags').labels).toEqual([]);
  });

  it('keeps the school’s allowed phrases unflagged', () => {
    // A real Shropshire village that any profanity filter would catch.
    expect(createClassifier().classify('Our trip to Cockshutt church').labels.length).toBeGreaterThan(0);
    expect(school.classify('Our trip to Cockshutt church').labels).toEqual([]);
    expect(school.classify('Cockshutt is lovely, unlike you cock').labels.length).toBeGreaterThan(0);
  });

  it('an allowed place spelled like a slur with a letter doubled does not allow the slur', () => {
    // Twatt, a village in Orkney: matching forgives doubled letters, so it reaches "twat" too.
    // The lexicons and the allow-list alone: the learned model reads the rest of a comment on its
    // own terms (it gives "residential starts on Monday" 0.42 offensive, a false alarm of its own
    // that the README lists), and this is about what the allow-list lets through.
    const orkney = createClassifier({ allowList: ['Twatt'], model: null });
    const offensive = (text: string) => orkney.classify(text).labels.some((l) => l.category === 'offensive');
    expect(offensive('Twatt residential starts on Monday')).toBe(false);
    expect(offensive('TWATT trip photos are up')).toBe(false);
    expect(offensive('the head is a twat')).toBe(true);
    expect(offensive('Twatt was wet, and the head is a twat')).toBe(true);
    // Without the allow-list the place is flagged (the shipped list has it only after "trip to",
    // "from", "past" and the like, since "ur a twatt" is the insult), so the cases above are the
    // school's list at work.
    expect(
      createClassifier({ model: null }).classify('Twatt residential starts on Monday').labels.length,
    ).toBeGreaterThan(0);
  });

  it('an allowed word is allowed wherever the text has all its letters', () => {
    const relaxed = createClassifier({ allowList: ['crap'] });
    expect(createClassifier().classify('what crap weather for sports day').labels.length).toBeGreaterThan(0);
    expect(relaxed.classify('what crap weather for sports day').labels).toEqual([]);
    // Drawn out, it is the same word.
    expect(relaxed.classify('what craaap weather').labels).toEqual([]);
    // A longer allowed phrase still forgives a doubled letter: "Bitchfieeld" is the village misspelled.
    expect(school.classify('Our trip to Bitchfieeld church').labels).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';

// The sentence-structure rules on their own (no learned model), on sentences written for this
// test: none of them is in the dev or test split.
const rules = createClassifier({ model: null });
const full = createClassifier();

const structure = (text: string) =>
  rules.classify(text).labels.filter((l) => l.source.startsWith('structure:'));

describe('sentence-structure rules', () => {
  it('gives the demo’s hunger-and-secrecy comment a safeguarding label, with or without the model', () => {
    const text = 'i have not eaten properly for days, please dont tell my mum i said';
    for (const classifier of [rules, full]) {
      const labels = classifier.classify(text).labels.filter((l) => l.category === 'safeguarding');
      expect(labels.length, classifier.version).toBeGreaterThan(0);
    }
    const hunger = structure(text).find((l) => l.source === 'structure:hunger')!;
    expect(text.slice(hunger.spans[0]![0], hunger.spans[0]![1])).toBe('i have not eaten properly for days');
    expect(hunger.confidence).toBeGreaterThan(0);
    expect(hunger.confidence).toBeLessThanOrEqual(1);
  });

  it.each([
    [
      'offensive',
      'structure:first-person-intent-to-harm',
      'Im going to wait outside and batter him when he comes out',
    ],
    ['offensive', 'structure:first-person-intent-to-harm', 'we will find that teacher and hurt her'],
    ['offensive', 'structure:threat-phrase', 'that PE teacher had better watch his back'],
    [
      'safeguarding',
      'structure:weapon-brought',
      'a boy in year 10 keeps saying he is bringing a blade in on friday',
    ],
    [
      'safeguarding',
      'structure:third-party-harm',
      'my best mate says her stepdad punched her and she has marks on her arm',
    ],
    [
      'safeguarding',
      'structure:adult-child-contact',
      'there is a man in a grey car who keeps offering the year 5 girls sweets at the gate',
    ],
    [
      'safeguarding',
      'structure:adult-exploitation',
      'some older lads are getting the year 9 boys to carry packages for cash',
    ],
    ['safeguarding', 'structure:passive-ideation', 'honestly everyone would be better off without me'],
    [
      'offensive',
      'structure:group-exclusion',
      'the immigrants should all be sent back, they dont belong here',
    ],
    [
      'safeguarding',
      'structure:weapon-brought',
      'my son says a lad has hidden a knife in the hedge by the field',
    ],
    ['offensive', 'structure:suggestive-emoji', 'that new drama teacher 🍑💦'],
    ['safeguarding', 'structure:suggestive-emoji', 'the year 8 girls on the trip photo 🥵'],
    ['personal_data', 'structure:full-name-and-year', 'Ruby Ashworth in 5T left her coat on the field'],
  ] as const)('labels %s by %s: %s', (category, source, text) => {
    const label = structure(text).find((l) => l.source === source && l.category === category);
    expect(label, JSON.stringify(rules.classify(text).labels)).toBeDefined();
    const [start, end] = label!.spans[0]!;
    expect(end).toBeGreaterThan(start);
    expect(end).toBeLessThanOrEqual(text.length);
  });

  it.each([
    'i will not hurt anyone, i promise',
    'we are going to smash it at the netball final on saturday',
    'my brother hit a six in the last over, what a match',
    'in history we learned how the nazis wanted to send jewish families away',
    'a man from the council is coming to talk to the children about road safety',
    'refugees are welcome here, said our year 6 assembly',
    'i wish the car park was bigger, someone will get hurt one day',
    'I will kill my husband if he forgets the PE kit again 😂',
    'Thank you Mrs Jones 😘 best teacher ever',
    'Year 6 learnt about Rosa Parks and Martin Luther King',
  ])('stays quiet on an ordinary sentence: %s', (text) => {
    expect(structure(text)).toEqual([]);
  });

  it.each([
    [
      'safeguarding',
      'structure:extremist-recruitment',
      'if you want to protect our people come to the meeting on friday, ask for Lee',
    ],
    [
      'safeguarding',
      'structure:extremist-recruitment',
      'some lads online keep telling my son that dying a martyr is the best thing he could do',
    ],
    [
      'safeguarding',
      'structure:exploitation-signs',
      'my son has been coming home with loads of cash and two phones, he says hes working for some older lads',
    ],
    ['safeguarding', 'structure:passive-ideation', 'honestly i would rather be gone than sit another exam'],
    ['safeguarding', 'structure:passive-ideation', 'i have been giving my games away to my brother'],
    ['safeguarding', 'structure:hunger', 'we havent had dinner since friday'],
    ['offensive', 'structure:threat-phrase', 'I know which car is yours and I will be waiting'],
    ['offensive', 'structure:threat-phrase', 'keep posting about my son and see what happens to you'],
    ['offensive', 'structure:innuendo', 'bet mr cole gives great private tuition, wink wink'],
  ] as const)('labels %s by %s: %s', (category, source, text) => {
    const label = structure(text).find((l) => l.source === source && l.category === category);
    expect(label, JSON.stringify(rules.classify(text).labels)).toBeDefined();
  });

  it.each([
    'she is dead chuffed with her certificate, thank you',
    'Year 8 took the train to other towns along the coast for their geography fieldwork',
    'The older boys helped the little ones carry their bags off the coach',
    'Join us for the summer fair on Saturday, bring your mates!',
    'Y10 history: how did the Nazis recruit young people into the Hitler Youth?',
    'my son got a new phone for his birthday and has not put it down since',
    'He is going to get what he deserves: a medal for 100% attendance',
    'The new maths teacher is great with his hands, he built a model of the solar system',
  ])('stays quiet on an ordinary sentence: %s', (text) => {
    expect(structure(text)).toEqual([]);
  });

  it('reads an awareness message as describing harm, not reporting it', () => {
    const text =
      'Online safety evening for parents: how groomers use games and gifts to win the trust of children';
    expect(full.classify(text).labels.filter((l) => l.category !== 'complaint')).toEqual([]);
    // A personal report in the same words is still a report.
    const report = 'a man keeps offering my daughter gifts in a game and asking her to keep it secret';
    expect(full.classify(report).labels.map((l) => l.category)).toContain('safeguarding');
  });

  it('reads a parent laughing about a lost water bottle as a joke, and the same words without it as a threat', () => {
    const joke = "I'll kill him if he loses another lunchbox 😂";
    expect(full.classify(joke).labels.filter((l) => l.subcategory === 'threat')).toEqual([]);
    const threat = "I'll kill him if he comes near my son again";
    expect(full.classify(threat).labels.map((l) => l.category)).toContain('offensive');
  });

  it('does not read a threat about a hurt child as a disclosure of harm at home', () => {
    const text = 'if that boy hits my son again i will be waiting for him at the gates';
    expect(structure(text).filter((l) => l.source === 'structure:third-party-harm')).toEqual([]);
  });
});

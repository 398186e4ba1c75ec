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
    ['offensive', 'structure:threat-phrase', 'tell that new lad he is dead when he gets off the bus'],
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
      'structure:adult-child-contact',
      'a man in a spider man costume was offering the kids sweets by the park gates',
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
    // A cookery lesson's kit does not excuse a knife brought for someone.
    [
      'safeguarding',
      'structure:weapon-brought',
      'he said he is bringing a knife in tomorrow for the lad who jumped him',
    ],
    [
      'safeguarding',
      'structure:weapon-brought',
      'Kai is bringing a blade in with his apron and ingredients, says hes gonna end the head teacher',
    ],
    ['offensive', 'structure:suggestive-emoji', 'that new drama teacher 🍑💦'],
    ['safeguarding', 'structure:suggestive-emoji', 'the year 8 girls on the trip photo 🥵'],
    ['personal_data', 'structure:full-name-and-year', 'Ruby Ashworth in 5T left her coat on the field'],
    // A game named as where it will happen, or a weapon, is a threat, not a win.
    [
      'offensive',
      'structure:first-person-intent-to-harm',
      'im going to batter you at football practice, nobody will see',
    ],
    ['offensive', 'structure:first-person-intent-to-harm', 'im going to beat you at chess then stab you'],
    [
      'offensive',
      'structure:first-person-intent-to-harm',
      'im going to batter you at football tonight, nobody will see',
    ],
    ['offensive', 'structure:first-person-intent-to-harm', 'im gonna smash you in maths tomorrow'],
    ['offensive', 'structure:first-person-intent-to-harm', 'gonna stab u at the match saturday'],
    [
      'offensive',
      'structure:first-person-intent-to-harm',
      'im gonna batter u at dodgeball tmrw by the bus stop',
    ],
    [
      'offensive',
      'structure:first-person-intent-to-harm',
      'im gonna batter u at dodgeball tmrw then outside',
    ],
    ['offensive', 'structure:first-person-intent-to-harm', 'ill batter u at football after school'],
    ['offensive', 'structure:first-person-intent-to-harm', 'ill destroy u at fifa then batter u outside'],
    [
      'offensive',
      'structure:first-person-intent-to-harm',
      "imma end him on fifa and then his nan's house gets it",
    ],
    ['offensive', 'structure:first-person-intent-to-harm', "i'll smash him in the bogs before chess"],
    [
      'safeguarding',
      'structure:third-party-harm',
      'Brilliant sports day, im worried her boyfriend will strangle my sister again',
    ],
    [
      'safeguarding',
      'structure:third-party-harm',
      'im going to strangle my little sister till she passes out',
    ],
    ['offensive', 'structure:first-person-intent-to-harm', 'gonna batter the year 10 who nicked my bike'],
    ['safeguarding', 'structure:third-party-harm', 'i think my mates dad is going to hit her again'],
    [
      'personal_data',
      'structure:full-name-and-year',
      "Liam Fairbairn in S2 got excluded, his da's inside as well",
    ],
    // A disclosure shaped like a road worry: it happened before, or someone is named who would do it.
    ['safeguarding', 'structure:third-party-harm', 'a kid is going to get hit again if she tells'],
    [
      'safeguarding',
      'structure:third-party-harm',
      'one of the girls will get hurt by the man who waits by the crossing',
    ],
    // "Nobody in particular, not yet" with a person who would do it is a disclosure, not a road worry.
    ['safeguarding', 'structure:third-party-harm', 'a kid will get hit if her dad finds out she told'],
    [
      'safeguarding',
      'structure:third-party-harm',
      'cars speed past every day, a kid is going to get hurt when the lads from year 11 get hold of him',
    ],
    // Someone else's suicidal intent or self-harm, reported.
    [
      'safeguarding',
      'structure:reported-ideation',
      'Jack in year 8 told everyone he is going to hang himself',
    ],
    [
      'safeguarding',
      'structure:reported-ideation',
      "She's missed her deadlines because she's been cutting again",
    ],
    [
      'safeguarding',
      'structure:reported-ideation',
      'his girlfriend threatens to kill herself if he goes out',
    ],
    ['safeguarding', 'structure:reported-ideation', 'my sister says she is going to kill herself with pills'],
    // Threats that name no harm done to a person.
    ['offensive', 'structure:threat-phrase', 'somebody should put a match to the staffroom, honestly'],
    ['offensive', 'structure:threat-phrase', 'i know which car he drives and where he parks it'],
    ['offensive', 'structure:threat-phrase', 'that supply teacher deserves a good hiding'],
    ['offensive', 'structure:threat-phrase', 'the lad who did it had better keep his doors locked'],
    // Innuendo in emoji at a parent, with a come-on, or at staff written with a possessive.
    ['offensive', 'structure:suggestive-emoji', 'the blonde mum at the disco 🍑🍑 dm me'],
    ['offensive', 'structure:suggestive-emoji', "the deputy head's wife at the fayre 👅"],
    [
      'offensive',
      'structure:first-person-intent-to-harm',
      "she shouted at my girl, I'll slit that woman's throat",
    ],
    ['offensive', 'structure:threat-phrase', 'the ref is a dead man at the football on sunday'],
    ['offensive', 'structure:threat-phrase', 'that grass is dead at footy tmrw'],
    ['offensive', 'structure:threat-phrase', 'if she reports me again shes a dead woman walking'],
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
    'Grandad is coming in to read to class 2 on Friday, he is dead excited',
    "she's dead good at netball, you should see her shoot",
    'im gonna batter u at dodgeball lol',
    'im gonna batter u at dodgeball tmrw watch',
    "we're gonna destroy you at staff v students dodgeball sir, watch",
    'ill destroy u at fifa tonight dont even bother logging on',
    // The speaker would do it: a threat or a joke for threatIntent, not a third party harmed.
    'gonna strangle my little brother he ate my lunch out the fridge lol',
    "i'll end you on minecraft pvp, bring diamond armour",
    "I'll destroy you at fifa later bro",
    'that crossing has no lollipop lady and cars fly down there. a kid will get hit one day',
    "Parents parking on the zigzags every morning. Someone's kid is going to get hurt.",
    // Danger and embarrassment said as figures of speech, and self-harm taught, are not reports.
    "he'll kill himself on that trampoline one day",
    'she nearly killed herself laughing at the panto',
    'my lad is going to kill himself with laughter at the comedy night',
    'Thanks to all the mums who made the fruit salad 🍑🍓',
    'Year 6 set the hall on fire with their dance tonight',
    'we are burning the school s old tables on bonfire night',
    'that team deserves a good beating on saturday after last year',
    'the rug needs a good beating before the nativity',
    'the dads race was so hot today 🥵 well done all',
    'the council have been cutting budgets again',
    "he's a dead man when he gets home, he ate the birthday cake",
    'the pool is dead at the weekend, lovely for a swim',
    'caught him cutting again in the dinner queue, the cheek of year 7s',
    'my legs will be dead at training tonight after that cross country',
    'Mrs Ellis is a dead woman walking in the staff panto, she plays the ghost',
    "I'll shoot the ref a thank you card, he was brilliant with the under 9s",
    'Ms Okafor is going to harm herself carrying all those exam papers up the stairs',
    'the batteries are dead at the tennis courts on sunday, someone bring spares',
    'Do they need to bring their own sharp knife and chopping board next week or does school provide them?',
    'the police are bringing a knife crime talk into year 9 next week',
    'my son is bringing his copy of Knife Edge back to the library',
    // A character or a costume is not an adult near a child.
    'the kid in the chainsaw man costume is gonna give me nightmares',
    'my son wants to give his spider man toy to the little ones in reception',
  ])('stays quiet on an ordinary sentence: %s', (text) => {
    expect(structure(text)).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import type { ClassificationResult, Label } from '../../../services/classification/types.js';

const classifier = createClassifier();

function offensive(result: ClassificationResult): Label[] {
  return result.labels.filter((l) => l.category === 'offensive');
}

function slices(text: string, labels: Label[]): string[] {
  return labels.flatMap((l) => l.spans.map(([s, e]) => text.slice(s, e)));
}

function expectValidSpans(text: string, result: ClassificationResult): void {
  for (const label of result.labels) {
    expect(label.spans.length).toBeGreaterThan(0);
    for (const [start, end] of label.spans) {
      expect(Number.isInteger(start) && Number.isInteger(end)).toBe(true);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(start).toBeLessThan(end);
      expect(end).toBeLessThanOrEqual(text.length);
    }
  }
}

describe('spans on evasive spellings', () => {
  it.each([
    ['You lot can f u c k off', 'f u c k'],
    ['f.u.c.k this school', 'f.u.c.k'],
    ['what a sh1t day', 'sh1t'],
    ['Ｆｕｃｋ the PTA', 'Ｆｕｃｋ'],
    ['𝐟𝐮𝐜𝐤 your fundraiser', '𝐟𝐮𝐜𝐤'],
    ['fuuuuuck this', 'fuuuuuck'],
    ['fu\u200bck this', 'fu\u200bck'],
    ['f\u0301u\u0308ck off', 'f\u0301u\u0308ck'],
    ['Absolute c*nt of a teacher', 'c*nt'],
    ['the head is a tw@t', 'tw@t'],
    ['what an 1d10t', '1d10t'],
  ])('%s → span is exactly "%s"', (text, word) => {
    const found = slices(text, offensive(classifier.classify(text)));
    expect(found.some((s) => s.includes(word) || word.includes(s))).toBe(true);
    expect(found.every((s) => text.includes(s))).toBe(true);
    const start = text.indexOf(word);
    const labels = offensive(classifier.classify(text));
    expect(labels.some((l) => l.spans.some(([s, e]) => s === start && e === start + word.length))).toBe(true);
  });
});

describe('bad input', () => {
  const inputs: [string, string][] = [
    ['empty text', ''],
    ['100 KB text', 'Thanks for the lovely assembly, well done everyone. '.repeat(2_000)],
    ['lone surrogates', 'hello \ud800 world \udc00 fuck \udbff'],
    ['right-to-left override', '\u202eenilno kcuf\u202c and \u202bfuck\u202c off'],
    ['emoji only', '😂😂🔥🔥👏🏽👨‍👩‍👧‍👦🏳️‍🌈'],
    ['zalgo', 'f̸̢̛̱̣̈́́ư̶̧̪͉̓c̴̢̛̦̈́k̷̦̈́̓ ̶o̴f̵f̸'],
    ['only whitespace and controls', ' \t\n\r\u0000\u0007 '],
    ['only combining marks', '\u0301\u0302\u0303\u0304'],
  ];

  it.each(inputs)('%s is classified without throwing, with valid spans', (_name, text) => {
    const result = classifier.classify(text);
    expect(result.classifierVersion).toBe(classifier.version);
    expectValidSpans(text, result);
  });

  it('still finds the word under zalgo and at the end of a 100 KB text', () => {
    expect(offensive(classifier.classify('f̸̢̛̱̣̈́́ư̶̧̪͉̓c̴̢̛̦̈́k̷̦̈́̓ off')).length).toBeGreaterThan(0);
    const long = `${'Lovely day at school today. '.repeat(4_000)}fuck off`;
    const labels = offensive(classifier.classify(long));
    expect(slices(long, labels)).toContain('fuck');
  });

  it('gives an empty result for empty text', () => {
    expect(classifier.classify('').labels).toEqual([]);
  });

  it('never throws and always returns valid spans, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expectValidSpans(text, classifier.classify(text));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps spans valid when evasive words are mixed with arbitrary characters', () => {
    const word = fc.constantFrom('f u c k', 'sh1t', 'tw@t', 'k1ll you', '07700 900123', 'a@b.co', 'Year 4');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(word, fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 12 }),
        (parts) => {
          const text = parts.join(' ');
          expectValidSpans(text, classifier.classify(text));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('allow-list', () => {
  it.each([
    'Scunthorpe United soccer school at half term',
    'The panto was Dick Whittington this year',
    'We will assess reading in September',
    'Cocktail sausages at the picnic',
    'The bass section sang beautifully',
    'This test was killer!',
    'Shooting for the stars in our space topic',
    'Visitors from Essex and Sussex',
    'The play therapist visits on Tuesdays',
    'Relationships and sex education evening for parents',
    'A blue tit is nesting in the box',
    'No complaints here, brilliant trip',
    'Lovely photos from the residential at Twatt in Orkney!',
    'We are taking the under 11s to a tournament in Bitchfield next month',
    'Where can I get shiitake mushrooms for the food tech recipe?',
    'The Year 4 pussy willow display in reception is gorgeous',
    'ay up cock, any news on the coach times?',
    'Cock-a-leekie soup on the menu tomorrow',
    'The oilseed rape is out all along the school lane, half of Year 3 are sneezing',
    'Food tech: please bring 50ml of rapeseed oil on Tuesday',
    'Oliver! brought the house down. Fagin stole the show',
    'Upper Dicker away 2pm Saturday, come and support the girls',
    'Our lad plays hooker for the under 14s now',
    'Can the boys wear grey joggers for PE or does it have to be black?',
    'My dad did it in 1989, same sponsored walk, same blisters!',
    'welcome to the S1s from Twatt and Dounby coming on transition day',
    'Trip to the garden centre near Three Cocks was lovely, thanks for the photos',
    'yr9 bio doing sex cells and fertilisation this week',
    'anyone know if the library has Knife Edge? it is on the summer reading list',
    'the vote was on a knife edge right up to the count',
    // A term's doubled letter collapsed is another word: "noose" is not "nose", "coons" not "cons".
    'Bloody nose in netball but she played on, tough cookie',
    'pros and cons of the new timetable',
    // A surname after a title is a name, however it is spelled.
    'Congratulations to Mr Dick on 30 years at Holmfirth Juniors!',
    "Uncle Dick is picking up Sophie today, he's on the list",
    "Well done to Mrs Wankhede's Year 3 reading buddies",
    'Mrs Dikshit was such a fantastic teacher to both my children, enjoy retirement',
    'Blue tits, robins and a cock pheasant on the big garden birdwatch count!',
    'The Willy Cummings memorial trophy went to 8K this year, lovely tradition',
    // Medicine, a camping trip: not a parent's drug use or a child thrown out.
    'my dad is taking tablets for his back so he cannot do the lifting at the fair',
    'DofE group were sleeping in a tent in the rain, proud of them',
    // A first name people have, beside another name or with a possessive.
    'Massive well done to Dick Whitlock on 40 years as caretaker',
    'congrats to Ollie Dick on his county call up',
    "Mr Dick's Year 8 science was my daughter's favourite subject",
    "Field trip to Devil's Dyke is Tuesday, packed lunch and waterproofs please",
    'Sent from my iPhone',
    'Cheers, Stuart (Chair of Governors)',
  ])('%s stays unflagged', (text) => {
    expect(classifier.classify(text).labels).toEqual([]);
  });

  it.each([
    'ur a twatt',
    'going to twat him after school',
    'you absolute bell end',
    'go back to bell end you bell end',
    'Mr Wanker over there thinks he runs the place',
    'mr dick is a dick',
    'Mr Dickhead',
    'Fuck Off Sir',
    'Motherfucker Sir',
    'Stop being a Dick Sarah',
    'Eat A Dick Sir',
    'Dick Dick Dick',
    'Willy Dick',
    'Big Dick Energy from the new PE teacher',
    'Dick Pics Are Not Banter Year 9',
    'faggots the lot of you',
    // Session 12's review: an allowed place is allowed only as a place, capitalised and spelled.
    'Text from bell end the head about uniform standards. Do one',
    'Got a text via twat the head saying my son is suspended',
    'Faggots and peas on the menu, fitting for the drama boys 😂',
    'the bitch had her pups at the gates again this morning, screaming at everyone',
    'Mr Fuckface has given my son another detention',
    'Miss Slapper strutting round in them heels again',
    'Mr Fag from drama was prancing about at the show again',
    'Dickface Davies put my son in isolation for a haircut',
    'Mr Shitgibbon gave my son a detention for his haircut',
    'Got a detention from Bell End for chewing gum',
    "sir's grey joggers on non uniform day 🤤",
    'the head is a bell end',
    'shut up you faggot',
    'go home faggots and gravy',
    'I sent a message to bell end in 9C',
    'shiitake you',
    'pussy willow you',
    'rape her in the oilseed rape',
    'the new girl is ripe for raping',
    'fagin is a fag',
    'suck my cock',
    'what a shit day',
  ])('a place, plant or food named like an insult does not allow the insult: %s', (text) => {
    expect(offensive(classifier.classify(text)).length).toBeGreaterThan(0);
  });

  it('does not let an allowed phrase hide a real word next to it', () => {
    const labels = offensive(classifier.classify('Dick Whittington was shit'));
    expect(slices('Dick Whittington was shit', labels)).toEqual(['shit']);
  });
});

describe('categories', () => {
  it.each([
    ['Call me on 07700 900123', 'personal_data', 'phone'],
    ['email jane.doe@example.co.uk please', 'personal_data', 'email'],
    ['We are at 14 Beech Grove', 'personal_data', 'address'],
    ['postcode LS6 2QT', 'personal_data', 'postcode'],
    ["I'm a reporter at the Echo, would the school like to comment?", 'media_enquiry', 'journalist'],
    ['I want to make a formal complaint', 'complaint', 'complaint'],
    ['Earn £500 a day with crypto, DM me', 'spam', 'money_offer'],
    ['free stuff at bit.ly/xyz123', 'spam', 'scam_link'],
    ['I just want to die', 'safeguarding', 'self_harm'],
    ['My stepdad hits me', 'safeguarding', 'abuse_disclosure'],
    ['take her to the oilseed rape and rape her, she deserves it', 'safeguarding', 'sexual_violence'],
    [
      'rapeseed season, time to rape some of the girls who walk through it',
      'safeguarding',
      'sexual_violence',
    ],
    ['walking in memory of my stepdad but he abused us both for years', 'safeguarding', 'abuse_disclosure'],
    ["sponsored walk for the drug charity, my mum's been on heroin since xmas", 'safeguarding', 'neglect'],
    ['one of the year 10s is sleeping in the park, his parents kicked him out', 'safeguarding', 'neglect'],
    ['He keeps talking about a race war', 'safeguarding', 'radicalisation'],
    ["here's a photo of the kids at the gate", 'safeguarding', 'pupil_image'],
    ['the kids walk home along Mill Road at 3:15', 'safeguarding', 'pupil_location'],
    ['I will kill you', 'offensive', 'threat'],
    ['Go back to your own country', 'offensive', 'hate'],
    ['send nudes', 'offensive', 'sexual'],
    ['you absolute idiot', 'offensive', 'insult'],
  ])('%s → %s/%s', (text, category, subcategory) => {
    const labels = classifier.classify(text).labels;
    expect(labels.some((l) => l.category === category && l.subcategory === subcategory)).toBe(true);
    for (const label of labels) expect(label.source.length).toBeGreaterThan(0);
  });

  it('reads a postcode only in a UK postcode area: "id10ts" is an insult, not "ID1 0TS"', () => {
    const text = "you're all useless id10ts";
    const labels = classifier.classify(text).labels;
    expect(labels.map((l) => l.category)).toEqual(['offensive']);
    for (const code of ['SW1A 1AA', 'ls6 2qt', 'B33 8TH', 'EH1 1YZ'])
      expect(
        classifier.classify(`we live at ${code}`).labels.some((l) => l.subcategory === 'postcode'),
        code,
      ).toBe(true);
  });

  it("reads issue #20's car park warning as a complaint, not a threat; the same words at a person stay one", () => {
    const warning = classifier.classify(
      'The car park at pick-up is a disgrace, someone will get hurt',
    ).labels;
    expect(warning.map((l) => l.category)).toEqual(['complaint']);
    const threat = classifier.classify('keep talking and you will get hurt').labels;
    expect(threat.some((l) => l.category === 'offensive' && l.subcategory === 'threat')).toBe(true);
  });

  it('derives its version from the lexicon versions', () => {
    expect(classifier.version).toMatch(/offensive@\d/);
    expect(classifier.version).toMatch(/safeguarding@\d/);
    expect(classifier.version).toMatch(/allow@\d/);
    expect(createClassifier().version).toBe(classifier.version);
    expect(createClassifier({ allowList: ['something'] }).version).not.toBe(classifier.version);
  });
});

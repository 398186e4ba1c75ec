import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../services/classification/create-classifier.js';

// The learned model may overrule a lexicon or structure-rule label it is near-certain is wrong
// (create-classifier.ts, withModel). These are the limits of that power.
const classifier = createClassifier();
const categories = (text: string, c = classifier) => new Set(c.classify(text).labels.map((l) => l.category));
const subcategories = (text: string, c = classifier) =>
  new Set(c.classify(text).labels.map((l) => l.subcategory));

describe('the learned model overruling a rule', () => {
  it('drops a rule the whole comment shows to be a joke', () => {
    const joke = 'I’ll kill him if he loses another water bottle 😂';
    expect(categories(joke, createClassifier({ model: null })).has('offensive')).toBe(true);
    expect(categories(joke).has('offensive')).toBe(false);
  });

  it.each([
    ['Im going to kill myself tonight, thanks for a lovely year', 'safeguarding'],
    ['Fantastic nativity, well done everyone. Im going to kill myself tonight', 'safeguarding'],
    [
      'Lovely sports day, the cake sale raised loads. I will bring a knife to school tomorrow and stab him.',
      'offensive',
    ],
    ['Lovely sports day, well done kids, even the retard who came last', 'offensive'],
    ['Well done year 6, Mr Smith is a paedo and should be sacked', 'offensive'],
  ])('is not talked out of a concern by warm words around it: %s', (text, category) => {
    expect(categories(text).has(category as 'offensive')).toBe(true);
  });

  it('never overrules an extremist slogan, not even in a history lesson', () => {
    expect(categories('history lesson on the holocaust today, sieg heil').has('safeguarding')).toBe(true);
    expect(categories('learned about the holocaust today. hitler was right').has('safeguarding')).toBe(true);
    expect(
      categories('we learned about extremism in rshe and honestly white power').has('safeguarding'),
    ).toBe(true);
  });

  it('never overrules swearing, which the policies name as offensive', () => {
    expect(subcategories('what crap weather for sports day, the kids were soaked').has('profanity')).toBe(
      true,
    );
  });

  it('never overrules a school’s own terms, its roster or a child’s name beside their class', () => {
    const school = createClassifier({
      extraTerms: [
        { category: 'safeguarding', subcategory: 'radicalisation', severity: 'high', term: 'the lads club' },
      ],
      roster: [{ firstName: 'Amelia', lastName: 'Hartley', yearGroup: '4' }],
    });
    const warm = 'Lovely assembly this morning, thank you to all the staff and well done to';
    expect(categories(`${warm} the lads club`, school).has('safeguarding')).toBe(true);
    expect(subcategories(`${warm} Amelia in Year 4`, school).has('pupil_named')).toBe(true);
    expect(subcategories(`${warm} Evie Morgan year 6`).has('child_identified')).toBe(true);
  });

  it('does not read a school’s own allowed phrase, so it cannot flag it either', () => {
    const school = createClassifier({ allowList: ['crap'] });
    expect(school.classify('what crap weather for sports day, the kids were soaked').labels).toEqual([]);
  });
});

// A harm word in a lesson or awareness talk, a secret kept for a surprise, or a threat word said
// laughing, may be overruled at a lower bar (frames.ts, `framedVeto`), but only where the model
// reads the comment, the sentence and the clause as innocent, and never in the first person.
describe('the learned model overruling a rule in a frame', () => {
  const rulesAlone = createClassifier({ model: null });

  it.each([
    [
      'Year 9 had a workshop on knives and the law with the youth offending team, really powerful session',
      'offensive',
    ],
    [
      'the session on self harm and how to support a friend was really helpful, well done to the wellbeing team',
      'safeguarding',
    ],
    ['ur dead for tagging me in this photo 😂', 'offensive'],
    ['PC Evans came in to talk to year 6 about sexting and the law, really needed', 'offensive'],
    [
      'World Book Day: we have a Matilda, two Harry Potters and a very small Voldemort who says he is going to murder his brother',
      'offensive',
    ],
    ['our little secret: the staff panto is happening on friday, dont tell the kids', 'safeguarding'],
    [
      'the theatre company doing the county lines play was amazing, really hit home for year 9',
      'safeguarding',
    ],
    // A parent's exasperation at a lost thing.
    ["I'll kill him if he's lost another blazer", 'offensive'],
    // A board game is no place for a fight.
    ["Aaron you're dead meat in the chess club final 😈", 'offensive'],
    ['im going to strangle her, shes left her PE kit on the bus AGAIN', 'offensive'],
    // A fundraiser in someone's memory: its "my" names a loss, not the writer's harm.
    [
      "We're doing a sponsored walk for Papyrus, the suicide prevention charity, in memory of my cousin",
      'safeguarding',
    ],
    ['Walking 10k along the canal for Papyrus suicide prevention in memory of my brother', 'safeguarding'],
  ])(
    'drops a rule in a lesson, a talk, a book, a surprise, a lost blazer or a laugh: %s',
    (text, category) => {
      expect(categories(text, rulesAlone).has(category as 'offensive')).toBe(true);
      expect(categories(text).has(category as 'offensive')).toBe(false);
    },
  );

  it.each([
    ['after the assembly on self harm i realised i do it too, i cut my arms most nights', 'safeguarding'],
    ['Great assembly on mental health today. Im going to kill myself tonight', 'safeguarding'],
    ['ur dead after school 😂 watch ur back', 'offensive'],
    ['im gonna stab you tomorrow lol', 'offensive'],
    ['its our little secret he said, he will get me a birthday present if i dont tell mum', 'safeguarding'],
    [
      'coach says our little secret, he is planning a surprise for me after training if I come alone',
      'safeguarding',
    ],
    // Said in the first person, near or after the harm word: never overruled.
    ['the helpline number from the assembly didnt work and my dad still beats me', 'safeguarding'],
    ['we learnt about domestic abuse in rse, it happens in my house every weekend', 'safeguarding'],
    ['the pshe lesson was on healthy relationships, my boyfriend chokes me', 'safeguarding'],
    // A parent's report a few words after "my", and a harm named at staff, stand however warm
    // or ordinary the rest of the comment.
    [
      'Happy birthday to my little man, 11 today, he wants to die every day at this school but we love him x',
      'safeguarding',
    ],
    ['Love the school but if Mr Dean confiscates another water bottle I will shoot him', 'offensive'],
    // A threat at someone's home is meant, whatever game came before it.
    ["imma end him on fifa and then his nan's house gets it", 'offensive'],
    // A concern in another clause keeps the label, and a speaker's opener hides no "I" after it.
    [
      "fundraising for the domestic abuse charity is lovely. mines upstairs asleep and I'm packing a bag, does anyone know a safe place tonight",
      'safeguarding',
    ],
    ['Can I just say the session on self harm was good, I have been doing it since year 7', 'safeguarding'],
    // A dedication covers only the one it names: the writer's own words are still read.
    ['sponsored walk for Papyrus in memory of my brother, honestly i want to die too', 'safeguarding'],
    ['in memory of my friend who took her own life. i think about suicide every day', 'safeguarding'],
    // A sentence too short for the model to read keeps its label.
    ['Great panto. Dad beats me.', 'safeguarding'],
    ['Surprise for mum. Our little secret.', 'safeguarding'],
    ['Brilliant day lol. Ur dead.', 'offensive'],
    // A threat that names a when or a where, or says it is meant, laughing or in a lesson.
    ['see you outside the gate at 3 😂', 'offensive'],
    ['after the anti bullying assembly: ur dead tomorrow', 'offensive'],
    ['go and die lol', 'offensive'],
    // An accusation in a workshop is not taught: only sexual and hate words are.
    ['the workshop leader is a paedo', 'offensive'],
    // A threat that is the whole sentence, nothing around it to read as innocent.
    ['I will kill you all', 'offensive'],
    // What the child said after the talk is still read, and a lost blazer is no cover for a weapon.
    [
      'after the county lines talk my son said the older lads make him carry packages for them',
      'safeguarding',
    ],
    ['Y8 had a county lines awareness talk, my son said he owes them money and is scared', 'safeguarding'],
    ['ill stab him if he loses my blazer again', 'offensive'],
    ['ur dead meat at dodgeball tmrw, bring a knife', 'offensive'],
    // A sport is a fixture people meet at: its time is a threat's time.
    ['the kid who fouled my son last week is dead meat at football on sunday', 'offensive'],
    ['Jake ur dead meat at dodgeball tmrw 😂', 'offensive'],
    // A parent's threat at staff, or with a punishment, is never exasperation.
    ['the senco forgot his reading book again, ill murder her', 'offensive'],
    ["if she loses another cardigan i'll kill her, she wont sit down for a week", 'offensive'],
    ['ill batter u at football practice then pour bleach on u, dont test me', 'offensive'],
    ['bruises all over from rugby, thats what dad tells me to say', 'safeguarding'],
    ['Jake ur dead meat tmrw 😂 see u at the bus stop', 'offensive'],
    [
      'after the county lines talk my son asked me if it is normal that the older lads give him money',
      'safeguarding',
    ],
    ["I'll kill him if he's lost another blazer, see you at the gate at 3", 'offensive'],
    // Session 12's review: what its first exceptions let through.
    [
      'Great PSHE lesson, half his mates have been self harming this term my son said, thanks Mrs Patel',
      'safeguarding',
    ],
    [
      'Lovely assembly, half his class have been self harming this term which made me think, thanks Mrs Patel',
      'safeguarding',
    ],
    [
      'Happy birthday to my little man, 11 today, he wants to die every day at this school but we love him x',
      'safeguarding',
    ],
    ['Love the school but if Mr Dean confiscates another water bottle I will stab him', 'offensive'],
    ["Great photos, but if Mr Dean takes another phone charger off him I'll stab him", 'offensive'],
    // The clause still reads as the concern it is.
    ['loved the session on mental health, cant go on like this', 'safeguarding'],
  ])('keeps a concern said in the same frame: %s', (text, category) => {
    expect(categories(text).has(category as 'offensive')).toBe(true);
  });
});

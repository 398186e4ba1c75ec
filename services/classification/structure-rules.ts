import model from 'wink-eng-lite-web-model';
import winkNLP from 'wink-nlp';
import {
  BEFORE_A_GAME,
  GAME,
  GAME_TIME,
  namesWhenOrWhere,
  SCREEN_GAME,
  SCREEN_GAME_TIME,
  words,
} from './frames.js';
import type { Category, Severity } from './types.js';

/**
 * Patterns over the structure of a sentence, for what is said without any listed word: who does
 * what to whom. wink-nlp (with its English model) gives each word's lemma, part of speech and
 * whether it is negated; the rules read person (I/we, a friend, an adult, a group), tense and
 * intent (will, gonna, going to) around a harm, contact or exclusion verb.
 *
 * Parsing is the costly part (~100 µs a comment), so a rule runs only when the comment's words
 * include its triggers (a set lookup per word); most comments parse nothing. Rules that are fixed
 * phrasings (passive suicidal ideation, hunger with secrecy) are regular expressions on the
 * folded text and need no parse.
 */

export interface StructureHit {
  category: Category;
  subcategory: string;
  severity: Severity;
  /** `structure:<rule>` */
  source: string;
  confidence: number;
  /** `[start, end)` in the folded (light) text. */
  start: number;
  end: number;
}

type OnHit = (hit: StructureHit) => void;

const IRREGULAR: Record<string, string[]> = {
  beat: ['beaten'],
  shoot: ['shot'],
  throw: ['threw', 'thrown'],
  bite: ['bit', 'bitten'],
  get: ['got', 'gotten'],
  catch: ['caught'],
  come: ['came'],
  see: ['saw', 'seen'],
  find: ['found'],
  pay: ['paid'],
  teach: ['taught'],
  deal: ['dealt'],
  send: ['sent'],
  give: ['gave', 'given'],
  buy: ['bought'],
  burn: ['burnt'],
  hold: ['held'],
  take: ['took', 'taken'],
  sell: ['sold'],
  keep: ['kept'],
  meet: ['met'],
  break: ['broke', 'broken'],
};

/** Every surface form of these verbs a comment may spell, for the cheap pre-check on words. */
function inflected(set: ReadonlySet<string>): ReadonlySet<string> {
  const out = new Set<string>();
  for (const w of set) {
    out.add(w);
    for (const x of IRREGULAR[w] ?? []) out.add(x);
    const stem = w.endsWith('e') ? w.slice(0, -1) : w;
    const last = w[w.length - 1]!;
    out.add(`${w}s`).add(`${w}es`).add(`${stem}ed`).add(`${stem}ing`).add(`${stem}in`);
    out.add(`${w}${last}ed`).add(`${w}${last}ing`).add(`${w}${last}in`);
    if (w.endsWith('y')) out.add(`${w.slice(0, -1)}ies`).add(`${w.slice(0, -1)}ied`);
  }
  return out;
}

// Person.
const FIRST_PERSON = words('i im ima imma ill we ive id me myself');
/** Between the speaker and the harm in "im gonna", "i am going to", "ill just", "imma really". */
const SPEAKER_INTENT = words(
  'will ll ill shall gonna gunna going to finna imma ima am just really actually literally defo deffo',
);
const INTENT = words('will ll shall gonna gunna gonna going finna imma ima about tryna wanna want');
/** An intent word that opens a sentence with the speaker left out ("gonna stab u"). */
const SPEAKER_UNSAID = words('gonna gunna finna gon');
/** What may come before it: "yo gonna…", "lol finna…". */
const OPENER = words('yo oi bro fam lol lmao omg fr so and then just honestly swear ngl tbh ok');
const TARGET = words(
  'you u ya him her them yous youse he she they his their ur your teacher teachers head headteacher sir miss mr mrs ms kid kids son daughter school year yr lad lads boy boys girl girls opp opps whoever staff bloke guy snitch grass bully bullies sister sis brother bro woman women man men lady fella ref referee',
);
const HARM_STRONG = words(
  'hurt kill stab shank batter beat punch smack slap kick deck bang burn shoot murder smash wreck jump merk murk cut knife strangle choke bottle torch destroy rape glass attack bury slash slit spark drown',
);
const HARM_WEAK = words('find visit get sort teach pay see wait come catch follow deal end ruin');
/** A school building, as a threat to burn one names it. */
const BUILDING =
  '(?:school|hall|staffroom|staff room|classroom|building|canteen|library|gym|portakabin|block)';
const HARM_PHRASES: readonly RegExp[] = [
  /\b(better|should|gonna|will) watch (his|her|their|your|ur|yer) back\b/,
  // "dead" as an intensifier is not a threat: "he is dead excited", "she's dead good at netball".
  /\b(you|u|he|she|they)('?ll| will| are| r|'?re| is|'?s) (regret it|be sorry|dead(?! (?:excited|chuffed|proud|good|nice|funny|pleased|keen|cute|jealous|impressed|posh|busy|easy|lucky|sweet|clever|popular|talented|happy|brave|kind)\b)|gonna regret|get what'?s coming)\b/,
  /\bi know where (you|u|he|she|they|the teacher|your kids?|his kids?|her kids?) (live|lives|go|goes)\b/,
  /\b(sleep with one eye open|count (your|ur) days|(your|ur) days are numbered|won'?t know what hit (you|u|him|her))\b/,
  /\bwait (till|until|til) i (see|get|catch|find)\b/,
  // No harm verb aimed at a person: a school building set alight (not a hall "set on fire with
  // their dance"), someone's movements learned ("I know which bus he gets home"), a beating
  // deserved (not a team's), doors to keep locked.
  new RegExp(
    `\\b(?:(?:set(?:ting)?|light(?:ing)?) (?:the|that|this|ur|your) (?:\\w+ )?${BUILDING} (?:on fire|alight)|(?:put(?:ting)? a match to|torch(?:ing)?|burn(?:ing)?) (?:the|that|this|ur|your) (?:\\w+ )?${BUILDING}(?: down\\b|(?= *(?:$|[.!?,;]))))(?! with\\b)`,
  ),
  /\bi know (?:which|what) (?:bus|car|gym|route|street|house|door|train) (?:you|u|he|she|they|your|ur|his|her)\b|\bi know (?:her|his|your|ur|their) (?:route home|car|reg|movements)\b|\bfound out which (?:gym|house|street|car|bus|pub) (?:the|that|your|ur|his|her)\b/,
  /(?<!\b(?:team|side|squad|opposition|club|they|we|us) )\bdeserves? (?:a )?(?:good |proper )?(?:beating|hiding|kicking|battering|slap|smack)\b/,
  /\bbetter (?:keep|lock) (?:his|her|their|your|ur) doors? lock/,
  // The one meant said first: "next one who touches him I'll stab", "whoever did it, I'll shank".
  /\b(?:i'?ll|i ll|i will|i'?m (?:gonna|going to)|imma) (?:stab|shank|shoot)(?= *(?:$|[.!?]))/,
];
/**
 * Threats with "dead" that name the one meant, said straight (not with a laughing emoji): "that
 * head of year is a dead man walking", and someone dead at a fixture on a day ("the ref is a dead
 * man at the football on sunday"; "your little brother is dead at the pool on saturday"). Not
 * tiredness or a flat battery ("my legs will be dead at training tonight"), nor a role ("a dead
 * woman walking in the staff panto"), nor "we're dead men walking" before SATs.
 */
const DEAD_THREATS: readonly RegExp[] = [
  /(?:\bis|\b(?:he|she|who|that)'?s) a dead (?:man|woman|girl|boy) walk(?:ing|in'?)\b(?! in (?:the|our|a)\b)/,
  /\b(?:your|ur|that|the other|this|the) (?:[a-z]+ ){0,2}?(?:is|'s) (?:a )?dead(?: (?:man|woman|girl|boy))? at (?:the )?(?:\w+ )?(?:football|footy|match|game|pitch|pool|rugby|training|park|gates?|cricket|netball|courts?|fixture)\b[^.!?]{0,20}?\b(?:tomorrow|tmrw|tonight|(?:mon|tues|wednes|thurs|fri|satur|sun)day|after school|weekend)\b/,
];
const HARM_PHRASE_TRIGGERS = words(
  'watch regret sorry dead know eye days numbered coming wait hit match fire alight torch torching burn burning found beating hiding kicking battering slap smack doors door stab shank shoot',
);

// Weapons brought to school.
const WEAPON = words(
  'knife knives blade blades machete machetes gun guns shank shanks pistol nunchucks crossbow axe taser tasers hammer hammers knuckleduster knuckledusters',
);
/** A word after a weapon that makes the pair name something else: knife edge, knife crime. */
const WEAPON_NAMES_ANOTHER = words('edge crime crimes amnesty awareness safety fish powder');
const BRING = words(
  'bring bringing brings brought carry carrying carries carried got has have had keep keeps kept pull pulled show showed hidden hid hide hiding posted planning',
);

// Third parties and what is done to them.
const THIRD_PARTY = words(
  'friend friends mate mates bestie bestfriend bff sister sis brother bro cousin classmate classmates girl boy kid lad neighbour neighbours niece nephew',
);
const DISCLOSE_HARM = words(
  'hit beat punch slap kick hurt touch burn lock starve choke strangle throw grab smack belt abuse rape molest assault bruise whip drag push shove bite threaten',
);
const PERSON_OBJECT = words('him her them me us his my their');
const BODY = words(
  'bruise bruises bruised mark marks face arm arms head eye eyes neck leg legs back blood bleeding belt cut cuts scar scars',
);
const SPORT = words(
  'ball goal goals six sixes four fours shot shots record target wicket try match game games team football rugby cricket netball hockey tennis chess level boss score scored round race final semi penalty',
);

/** Road-safety worries (roadWorry): nobody in particular, not yet, on the road, no one to do it. */
const ANY_ONE = words('a an one some any another someones somebodys every');
const ROAD_HARM = words('hit hurt');
const NOT_YET = words('will ll gonna going could might would before until till til');
/** Traffic: no word here can be the person who does it (no "driver", "van"). */
const ROAD = words(
  'car cars traffic road roads crossing crossings parking zigzags junction speeding speed lorry lorries bend pavement kerb',
);
const VEHICLE = words('car cars lorry lorries traffic vehicle');
/** Someone who would do it, in the sentence. */
const PERSON_HERE = words('he she him whoever driver man men');
/** Someone who would do it, anywhere in the comment. */
const WHO_WOULD_DO_IT = words(
  'dad mum stepdad stepmum father mother boyfriend girlfriend uncle brother cousin man men bloke guy stranger lads driver',
);

/** Verbs of beating someone that also mean winning ("I'll batter you at chess"). */
const BEAT_AT = words(
  'beat batter destroy smash thrash hammer end wreck murder kill bury annihilate demolish whoop own cream pummel',
);
/** All that may follow the game (frames.ts's GAME): the end of a friendly jibe. */
const AFTER_A_GAME = words(
  'later again lol lmao haha mate bro m8 fam pal xx x jk innit watch sir miss tmrw tomorrow tonight today monday tuesday wednesday thursday friday saturday sunday',
);
/** After a screen game, its kit and how it is played too. */
const AFTER_A_SCREEN_GAME = new Set([
  ...AFTER_A_GAME,
  ...words(
    'no cap bring ur your controller headset dont do nt not even bother try trying logging log on after school pvp online',
  ),
]);
/** Said to be meant, beyond frames.ts's when and where. */
const MEANT_HERE =
  /\b(?:no ?(?:one|body) (?:will|can|gonna) see|no teachers|for real|behind the|bringing|hospital)\b/;

// An adult approaching children.
const ADULT = words(
  'man men bloke blokes guy guys adult adults stranger strangers older olders elders lads geezer fella someone somebody van',
);
const CHARACTER_BEFORE = words(
  'chainsaw spider iron bat super snow ant pac gingerbread sand bogey bogie straw scare',
);
const COSTUME = words('costume costumes outfit outfits onesie mask masks');
const CHILD = words(
  'kid kids child children girl girls boy boys pupil pupils daughter son students student year yr reception toddler little me us',
);
const CONTACT = words(
  'offer offered offering give gave giving ask asked asking talk talked talking chat chatting message messaged messages messaging follow followed following watch watched watching wait waiting film filming photograph approach approached add added meet meeting buy bought send sent lure invite wave waving sweets sweet gift gifts present presents lift vape vapes money cash secret secrets snapchat snap insta instagram tiktok discord whatsapp number pics pictures photos dm dms hang hanging loiter loitering groom',
);
const EXPLOIT = words(
  'package packages parcel parcels bag bags drugs weed cash money trainers phone phones county trap shotting runner line lines stash',
);
const EXPLOIT_VERB = words(
  'hold holding carry carrying deliver delivering drop dropping take taking run running sell selling shot keep keeping move moving',
);

// A protected group and a predicate that excludes or dehumanises it.
const GROUP = words(
  'muslim muslims islam islamic jew jews jewish immigrant immigrants migrant migrants foreigner foreigners foreign refugee refugees asylum gay gays lesbian lesbians homosexual homosexuals trans transgender black blacks asian asians polish poles romanian romanians gypsy gypsies traveller travellers disabled cripple cripples african africans indian indians chinese eastern catholic catholics sikh sikhs hindu hindus lgbt lgbtq queer queers',
);
const EXCLUDE = words(
  'back belong allowed allow ban banned deport deported vermin animals animal parasite parasites disease diseased infest infesting invade invading invasion breed breeding filth filthy subhuman ruin ruining ruined takeover welcome out rid segregate separate unnatural sick disgusting dirty plague cockroach cockroaches rats leeches scroungers scum',
);
const INVITED = words(
  'council police officer officers pcso visitor visitors assembly workshop speaker author nurse firefighter fireman firefighters dentist coach coaches club governor governors',
);
const HISTORY = words(
  'nazi nazis hitler holocaust history lesson lessons learn learned learnt learning taught teach ww2 wwii war assembly museum',
);

/** A knife brought for a cookery lesson, or a weapon that is a toy. */
const WEAPON_IN_A_LESSON = words(
  'kitchen cooking cookery food nerf water chopping apron recipe ingredients baking hospitality veg vegetables',
);

// Fixed phrasings read on the folded text.
const IDEATION: readonly RegExp[] = [
  /\b(don'?t|do not|dont|dnt) (really )?(want|wanna) (to )?(be here|exist|wake up|live|be alive|carry on|go on|be around)( any ?more)?\b/,
  /\b(wish|want) (i|to) (could |would |just )?(disappear|vanish|not be here|not exist|wasn'?t (here|born|alive)|was never born|weren'?t born|had never been born|sleep forever|not wake up|die|be dead|end it|stop existing)\b/,
  /\b(better off|happier) without me\b/,
  /\bno (point|reason) (in )?(living|going on|being here|being alive|to live|to be here|in anything|carrying on|trying any ?more)\b/,
  /\b(nobody|no one|noone|no1) (would|will|wud|wld) (care|notice|miss me|even notice)( if i (was|were|wasn'?t|died|disappeared|was gone))?\b/,
  /\b(tired|sick) of (living|being alive|existing|life|being me|everything)\b/,
  /\b(end|ending) it all\b/,
  /\bnot (be )?(around|here) (much|for much) longer\b/,
  /\b(want|wanna|going) to (sleep|go to sleep) and (never|not) wake up\b/,
  /\bi (just )?(can'?t|cannot|cant) (do|take|cope with|handle) (this|it|life|any of this) any ?more\b(?!.*\b(traffic|parking|car park|road|queue|website|app|noise)\b)/,
];
const IDEATION_TRIGGERS = words(
  'want wanna wish without point reason care notice miss tired sick end around sleep anymore more',
);

/**
 * Someone else's self-harm or suicidal intent, reported: "told everyone he's going to hang
 * himself", "she's been cutting again" ("wants to die" is the self-harm lexicon's). Not a danger
 * said as a figure of speech ("he'll kill himself on that trampoline", "going to harm herself
 * carrying those papers", "kill himself with laughter"), nor queue-jumping, vegetables, a fringe
 * or shaving ("caught him cutting again in the dinner queue", "been cutting since the knife
 * skills unit", "cutting her legs shaving").
 */
const REPORTED_IDEATION: readonly RegExp[] = [
  /\b(?:going|gonna|gunna|planning|plans|threaten(?:s|ed|ing)?|try(?:ing)?|tried|wants?|wanted|wanna) (?:to )?(?:kill|hang|hurt|harm|end|cut|top) (?:him|her|them)sel(?:f|ves)\b(?! (?:on|with (?:laughter|laughing|that|those)|\w+ing)\b)/,
  /(?:\b(?:s?he|they|i)(?:'s| is| has|s| have|'ve|ve)? |^)been cutting (?:again|(?:him|her|them)sel(?:f|ves))\b(?! (?:in|at|into|the|a)\b)/,
  /\b(?:been|keeps?|started) cutting (?:(?:him|her|them)sel(?:f|ves)|(?:his|her|their) (?:arms?|wrists?|thighs?|stomach))\b/,
  /\bcut (?:him|her|them)sel(?:f|ves) (?:again|on purpose|deliberately)\b/,
];
const REPORTED_IDEATION_TRIGGERS = words('himself herself themselves themself cutting');

const HUNGER =
  /\b(i|we|me|my brother|my sister)( have| has|'ve|ve|s)? (not|n'?t|never|havent|haven'?t|hasnt|hasn'?t|didnt|didn'?t|aint|ain'?t) (had|eaten|ate|eat|got)( anything| much| a proper| proper| properly| any)?( (food|meal|meals|dinner|tea|breakfast|to eat))?( properly)? (for|in|since) (days|ages|a week|two days|\d+ days|a few days|yesterday|the weekend)\b|\b(no|nothing) (food|to eat) (in|at) (the house|home|ours|mine)\b|\bfridge is (empty|always empty)\b/;
const SECRECY =
  /\b(please |pls |plz )?(don'?t|do not|dont|dnt|dont u|never) (tell|say|mention|let .{1,12} know)( it)?( to)? (my |me )?(mum|mom|mam|dad|parents|anyone|any1|nobody|no one|teacher|teachers|miss|sir|social|carer|step ?dad|step ?mum)\b|\b(keep it|our|a) secret\b|\bbetween (us|you and me)\b/;
const DISTRESS = words(
  'hungry starving eaten ate eat food scared frightened hurts hurt hit hits bruise bruises locked alone cold heating electric shouting screaming drunk sleep kicked cry crying',
);

const RULE_CONFIDENCE = {
  threat: 0.75,
  threatPhrase: 0.7,
  weapon: 0.8,
  thirdParty: 0.65,
  adult: 0.65,
  exploitation: 0.65,
  hate: 0.7,
  ideation: 0.8,
  hunger: 0.75,
  suggestive: 0.65,
  secrecy: 0.6,
} as const;

type Nlp = ReturnType<typeof winkNLP>;
let shared: Nlp | undefined;

interface Sentence {
  normal: string[];
  lemma: string[];
  negated: boolean[];
  start: number[];
  end: number[];
}

export class StructureRules {
  private readonly nlp: Nlp;

  constructor() {
    // One parser per process: loading the model takes ~100 ms and it keeps no state per text.
    shared ??= winkNLP(model, ['negation', 'pos']);
    this.nlp = shared;
  }

  /** Runs every rule whose triggers appear in `skel`, reporting hits on `light` (same comment). */
  /** Whether the comment laughs (emoji are not in the folded text). */
  private laughing = false;
  /** The whole comment (light), for rules that look past their sentence. */
  private comment = '';

  run(light: string, skel: string, onHit: OnHit, original = light): void {
    const emoji = MAYBE_EMOJI.test(original);
    this.laughing = emoji && LAUGHING_EMOJI.test(original);
    this.comment = light;
    if (emoji && SUGGESTIVE_EMOJI.test(original)) this.suggestive(light, original, onHit);
    // One map lookup per word says which rules' words the comment has at all.
    let seen = 0;
    let start = 0;
    for (let i = 0; i <= skel.length; i++) {
      if (i < skel.length && skel.charCodeAt(i) !== 0x20) continue;
      if (i > start) seen |= TRIGGERS.get(skel.slice(start, i)) ?? 0;
      start = i + 1;
    }
    if (seen === 0) return;
    if (seen & F.Phrase)
      this.regexRule(
        light,
        HARM_PHRASES,
        'offensive',
        'threat',
        'threat-phrase',
        RULE_CONFIDENCE.threatPhrase,
        onHit,
      );
    if (seen & F.Phrase && !this.laughing)
      this.regexRule(
        light,
        DEAD_THREATS,
        'offensive',
        'threat',
        'threat-phrase',
        RULE_CONFIDENCE.threatPhrase,
        onHit,
      );
    if (seen & F.Ideation)
      this.regexRule(
        light,
        IDEATION,
        'safeguarding',
        'suicidal_ideation',
        'passive-ideation',
        RULE_CONFIDENCE.ideation,
        onHit,
      );
    if (seen & F.ReportedIdeation)
      this.regexRule(
        light,
        REPORTED_IDEATION,
        'safeguarding',
        'self_harm',
        'reported-ideation',
        RULE_CONFIDENCE.ideation,
        onHit,
      );
    if (seen & F.Distress) {
      const hunger = HUNGER.exec(light);
      if (hunger)
        hit(
          onHit,
          'safeguarding',
          'neglect',
          'hunger',
          RULE_CONFIDENCE.hunger,
          hunger.index,
          hunger.index + hunger[0].length,
        );
      const secret = SECRECY.exec(light);
      if (secret)
        hit(
          onHit,
          'safeguarding',
          'disclosure',
          'secrecy-and-distress',
          RULE_CONFIDENCE.secrecy,
          secret.index,
          secret.index + secret[0].length,
        );
    }
    if (parsedRules(seen) === 0) return;

    // The parsed rules look within one sentence, so each sentence is checked for its rules'
    // words first and only a sentence that has them all is parsed.
    SENTENCE.lastIndex = 0;
    for (let m = SENTENCE.exec(light); m !== null; m = SENTENCE.exec(light)) {
      let here = 0;
      for (const raw of m[0].split(NON_WORD)) here |= TRIGGERS.get(raw.replaceAll("'", '')) ?? 0;
      const rules = parsedRules(here);
      if (rules === 0) continue;
      for (const s of this.parse(m[0], m.index)) {
        if (rules & F.Threat) this.threatIntent(s, onHit);
        if (rules & F.Weapon) this.weaponReport(s, onHit);
        if (rules & F.ThirdParty) this.thirdPartyDisclosure(s, light, onHit);
        if (rules & F.Adult) this.adultApproach(s, onHit);
        if (rules & F.Group) this.groupExclusion(s, onHit);
      }
    }
  }

  /**
   * Innuendo in emoji about a named member of staff ("the swimming teacher 🍑🍑🍆"), or about
   * pupils ("year 9 girls in the PE pic 🥵🥵"), which is also a safeguarding concern.
   */
  private suggestive(light: string, original: string, onHit: OnHit): void {
    const strong = STRONG_SUGGESTIVE.test(original);
    const words = light.split(NON_WORD).map((w) => w.replace(POSSESSIVE, ''));
    const staff = words.findIndex((w) => STAFF.has(w));
    const pupil = words.some((w) => PUPILS.has(w)) || /\byear \d|\byr ?\d/.test(light);
    const end = light.length;
    if (pupil && strong) {
      hit(onHit, 'offensive', 'sexual', 'suggestive-emoji', RULE_CONFIDENCE.suggestive, 0, end);
      hit(onHit, 'safeguarding', 'sexualised_pupil', 'suggestive-emoji', RULE_CONFIDENCE.suggestive, 0, end);
      return;
    }
    if (staff >= 0 && (strong || FLIRT.test(light))) {
      hit(onHit, 'offensive', 'sexual', 'suggestive-emoji', RULE_CONFIDENCE.suggestive, 0, end);
      return;
    }
    // A parent at a school event, with a come-on: "the mam in the red dress 🍑🍑 message me",
    // "the dads race had me thirsty 🥵". Not the fruit salad the mums made 🍑.
    if (strong && words.some((w) => ADULTS_AROUND_SCHOOL.has(w)) && COME_ON.test(light)) {
      hit(onHit, 'offensive', 'sexual', 'suggestive-emoji', RULE_CONFIDENCE.suggestive, 0, end);
    }
  }

  private regexRule(
    light: string,
    patterns: readonly RegExp[],
    category: Category,
    subcategory: string,
    rule: string,
    confidence: number,
    onHit: OnHit,
  ): void {
    for (const re of patterns) {
      const m = re.exec(light);
      if (m) hit(onHit, category, subcategory, rule, confidence, m.index, m.index + m[0].length);
    }
  }

  private parse(light: string, offset: number): Sentence[] {
    const doc = this.nlp.readDoc(light);
    const its = this.nlp.its;
    const values = doc.tokens().out() as string[];
    const normal = doc.tokens().out(its.normal) as string[];
    const lemma = doc.tokens().out(its.lemma as never) as string[];
    const negated = doc.tokens().out(its.negationFlag) as unknown as boolean[];
    const spaces = doc.tokens().out(its.precedingSpaces) as string[];
    const starts: number[] = [];
    const ends: number[] = [];
    let at = 0;
    for (let i = 0; i < values.length; i++) {
      at += spaces[i]!.length;
      const v = values[i]!;
      if (light.startsWith(v, at)) {
        starts.push(at);
        at += v.length;
      } else {
        const found = light.indexOf(v, at);
        const s = found >= 0 ? found : at;
        starts.push(s);
        at = found >= 0 ? found + v.length : at;
      }
      ends.push(Math.max(starts[i]!, at));
    }
    for (let i = 0; i < starts.length; i++) {
      starts[i]! += offset;
      ends[i]! += offset;
    }
    const spans = doc.sentences().out(its.span) as unknown as [number, number][];
    return spans.map(([a, b]) => ({
      normal: normal.slice(a, b + 1),
      lemma: lemma.slice(a, b + 1),
      negated: negated.slice(a, b + 1),
      start: starts.slice(a, b + 1),
      end: ends.slice(a, b + 1),
    }));
  }

  /** "i'm gonna find him and batter him", "we will sort you out": first person, intent, harm, target. */
  private threatIntent(s: Sentence, onHit: OnHit): void {
    const n = s.normal.length;
    for (let i = 0; i < n; i++) {
      const w = s.normal[i]!;
      // "gonna stab u", "yo finna batter him": the speaker left out, as people write.
      const unsaid = SPEAKER_UNSAID.has(w) && (i === 0 || OPENER.has(s.normal[i - 1]!));
      if (!FIRST_PERSON.has(w) && !unsaid) continue;
      // An intent marker right after the speaker ("i will", "im gonna", "imma" on its own).
      let j = i + 1;
      const selfIntent = w === 'imma' || w === 'ima' || w === 'ill' || unsaid;
      let intent = selfIntent;
      for (; j < Math.min(n, i + 4) && !intent; j++) {
        const x = s.normal[j]!;
        if (INTENT.has(x) || s.lemma[j] === 'go') intent = true;
      }
      if (!intent) continue;
      for (let k = j; k < Math.min(n, j + 6); k++) {
        if (s.negated[k]) break;
        const lemma = s.lemma[k]!;
        const strong = HARM_STRONG.has(lemma) || HARM_STRONG.has(s.normal[k]!);
        const weak = HARM_WEAK.has(lemma);
        if (!strong && !weak) continue;
        const target = s.normal.slice(k + 1, k + 4).some((x) => TARGET.has(x));
        if (!target) continue;
        // "I'll murder my daughter if she loses another calculator 😂": family, said laughing.
        if (s.normal[k + 1] === 'my' && this.laughingIn(s)) return;
        if (weak && !strong && !s.normal.slice(k + 1, k + 5).some((x) => WEAK_HARM_TARGET.has(x))) continue;
        // "I'll shoot the ref a thank you card", "punch his number in", "cut the lady's hair".
        if (s.normal.slice(k + 1, k + 8).some((x) => NOT_HARMED.has(x))) continue;
        // "im gonna batter u at dodgeball", "i'll destroy you at fifa later": a game, not a fight.
        if (beatenAtAGame(s, k, this.comment)) continue;
        hit(
          onHit,
          'offensive',
          'threat',
          'first-person-intent-to-harm',
          weak && !strong ? 0.6 : RULE_CONFIDENCE.threat,
          s.start[i]!,
          s.end[Math.min(n - 1, k + 2)]!,
        );
        return;
      }
    }
  }

  /**
   * Whether the comment names harm done to a person: a harm verb with someone within four words
   * after it ("stab Mrs Clarke", "end the head teacher", "the year 9s who jumped him"), never the
   * weapon itself, "beat the eggs" or "cut the onions".
   */
  private harmsSomeone(): boolean {
    const w = this.comment.split(/[^a-z0-9']+/);
    for (let k = 0; k < w.length; k++) {
      if (!HARM_TO_SOMEONE_FORMS.has(w[k]!)) continue;
      if (w.slice(k + 1, k + 5).some((x) => TARGET.has(x))) return true;
    }
    return false;
  }

  /** "he said he's bringing a knife in tomorrow": safeguarding and a threat. */
  private weaponReport(s: Sentence, onHit: OnHit): void {
    const n = s.normal.length;
    for (let i = 0; i < n; i++) {
      if (!WEAPON.has(s.lemma[i]!) && !WEAPON.has(s.normal[i]!)) continue;
      // The weapon word naming something else: "Knife Edge" (a novel), a knife crime talk.
      if (WEAPON_NAMES_ANOTHER.has(s.normal[i + 1] ?? '')) continue;
      for (let j = Math.max(0, i - 5); j < i; j++) {
        if (s.negated[j]) continue;
        if (!BRING.has(s.normal[j]!) && !BRING.has(s.lemma[j]!)) continue;
        // A lesson's kit ("do they bring their own sharp knife and chopping board?"), a toy; never
        // with a person harmed in the comment ("a blade in to food tech to stab Mrs Clarke").
        if (s.normal.some((x) => HISTORY.has(x) || WEAPON_IN_A_LESSON.has(x)) && !this.harmsSomeone()) return;
        const start = s.start[j]!;
        const end = s.end[i]!;
        hit(onHit, 'safeguarding', 'weapon', 'weapon-brought', RULE_CONFIDENCE.weapon, start, end);
        hit(onHit, 'offensive', 'threat', 'weapon-brought', RULE_CONFIDENCE.weapon, start, end);
        return;
      }
    }
  }

  /** "my mate's stepdad hits her with a belt": a friend or sibling, harmed by someone. */
  private thirdPartyDisclosure(s: Sentence, light: string, onHit: OnHit): void {
    const n = s.normal.length;
    const party = s.normal.findIndex((x, i) => THIRD_PARTY.has(x) || THIRD_PARTY.has(s.lemma[i]!));
    if (party < 0) return;
    if (s.normal.some((x) => SPORT.has(x))) return;
    for (let k = 0; k < n; k++) {
      if (s.negated[k]) continue;
      if (!DISCLOSE_HARM.has(s.lemma[k]!)) continue;
      // "gonna strangle my little brother he ate my lunch lol": the speaker would do it, laughing,
      // which threatIntent reads. Said straight ("im going to strangle my little sister till she
      // passes out") a sibling is at risk, and it stands.
      if (this.laughingIn(s) && this.speakerWould(s, k)) continue;
      const person = s.normal.slice(k + 1, k + 3).some((x) => PERSON_OBJECT.has(x));
      const passive =
        k > 0 && ['got', 'gets', 'get', 'was', 'been', 'being', 'is'].includes(s.normal[k - 1]!);
      const body = s.normal.some((x) => BODY.has(x));
      if (!person && !passive && !body) continue;
      if (roadWorry(s, party, k, light)) return;
      hit(
        onHit,
        'safeguarding',
        'disclosure',
        'third-party-harm',
        RULE_CONFIDENCE.thirdParty,
        s.start[Math.min(party, k)]!,
        s.end[Math.min(n - 1, k + 2)]!,
      );
      return;
    }
  }

  /** Whether the comment laughs (an emoji) or the sentence does ("lol", "haha"). */
  private laughingIn(s: Sentence): boolean {
    return this.laughing || s.normal.some((x) => LAUGHING.has(x));
  }

  /** Whether the harm at `k` is the speaker's own intent: "i'll", "im gonna", "gonna" opening. */
  private speakerWould(s: Sentence, k: number): boolean {
    // Walk back from the harm over intent words only ("im gonna", "i am going to", "ill just").
    let j = k - 1;
    while (j >= 0 && SPEAKER_INTENT.has(s.normal[j]!)) j--;
    if (j === k - 1) return false;
    if (j < 0) return SPEAKER_UNSAID.has(s.normal[0]!) || s.normal[0] === 'ill' || s.normal[0] === 'imma';
    return FIRST_PERSON.has(s.normal[j]!);
  }

  /** "a man in a van keeps offering the year 6 girls vapes": an adult, a child, contact or gifts. */
  private adultApproach(s: Sentence, onHit: OnHit): void {
    // Not a character or a costume: "the kid in the chainsaw man costume", "Spider Man".
    const adult = s.normal.findIndex(
      (x, i) =>
        ADULT.has(x) && !CHARACTER_BEFORE.has(s.normal[i - 1] ?? '') && !COSTUME.has(s.normal[i + 1] ?? ''),
    );
    if (adult < 0) return;
    // A visitor the school invited ("a man from the council is coming to talk to the children").
    if (s.normal.some((x) => INVITED.has(x))) return;
    const child = s.normal.some((x, i) => i !== adult && CHILD.has(x));
    if (!child) return;
    const contact = s.normal.findIndex(
      (x, i) => !s.negated[i] && (CONTACT.has(x) || CONTACT.has(s.lemma[i]!)),
    );
    const exploit =
      s.normal.some((x) => EXPLOIT.has(x)) &&
      s.normal.some((x, i) => EXPLOIT_VERB.has(x) || EXPLOIT_VERB.has(s.lemma[i]!));
    if (contact < 0 && !exploit) return;
    const last = Math.max(adult, contact);
    hit(
      onHit,
      'safeguarding',
      exploit ? 'exploitation' : 'adult_contact',
      exploit ? 'adult-exploitation' : 'adult-child-contact',
      exploit ? RULE_CONFIDENCE.exploitation : RULE_CONFIDENCE.adult,
      s.start[Math.min(adult, contact < 0 ? adult : contact)]!,
      s.end[last]!,
    );
  }

  /** "send them all back", "they're breeding like rats": a protected group, excluded or dehumanised. */
  private groupExclusion(s: Sentence, onHit: OnHit): void {
    const g = s.normal.findIndex((x, i) => GROUP.has(x) || GROUP.has(s.lemma[i]!));
    if (g < 0) return;
    if (s.normal.some((x) => HISTORY.has(x))) return;
    for (let k = 0; k < s.normal.length; k++) {
      const x = s.normal[k]!;
      if (!EXCLUDE.has(x) && !EXCLUDE.has(s.lemma[k]!)) continue;
      // "welcome" and "belong" exclude only when negated; "allowed" either way ("shouldn't be allowed").
      if ((x === 'welcome' || x === 'belong') && !s.negated[k]) continue;
      if (
        x === 'back' &&
        !s.normal
          .slice(Math.max(0, k - 5), k)
          .some((y) => y === 'go' || y === 'send' || y === 'sent' || y === 'them')
      )
        continue;
      if (
        x === 'out' &&
        !s.normal
          .slice(Math.max(0, k - 3), k)
          .some((y) => y === 'kick' || y === 'keep' || y === 'get' || y === 'them' || y === 'throw')
      )
        continue;
      if ((x === 'allowed' || x === 'allow') && !s.negated[k] && !s.normal.includes('shouldnt')) continue;
      hit(
        onHit,
        'offensive',
        'hate',
        'group-exclusion',
        RULE_CONFIDENCE.hate,
        s.start[Math.min(g, k)]!,
        s.end[Math.max(g, k)]!,
      );
      return;
    }
  }
}

/**
 * Whether the harm at `k` is a win in a game: a verb of beating ("batter", "destroy", "end",
 * "kill") whose target is followed by "at" or "in" and a game or sport, with nothing after the
 * game but banter ("lol", "mate") or "later" and "again". It stands when anything else follows
 * the game ("at football practice"), when the comment names a when or a where or says it is meant
 * ("tmrw", "after school", "nobody will see": frames.ts), or has a weapon in it anywhere.
 */
function beatenAtAGame(s: Sentence, k: number, comment: string): boolean {
  if (!BEAT_AT.has(s.lemma[k]!) && !BEAT_AT.has(s.normal[k]!)) return false;
  for (let at = k + 2; at < Math.min(s.normal.length, k + 5); at++) {
    const word = s.normal[at];
    if (word !== 'at' && word !== 'in' && word !== 'on') continue;
    // The game may come a few words on: "at staff v students dodgeball" (not "in the bogs
    // before chess").
    let game = at + 1;
    while (
      game < Math.min(s.normal.length, at + 4) &&
      (BEFORE_A_GAME.has(s.normal[game]!) || /^\d+$/.test(s.normal[game]!))
    )
      game++;
    if (game >= s.normal.length || !GAME.has(s.normal[game]!)) return false;
    // After the game, banter and when it is played; after a screen game, also its kit ("bring ur
    // controller"). Anything else ("and then his nan's house gets it") keeps the threat.
    const screen = SCREEN_GAME.has(s.normal[game]!);
    const allowed = screen ? AFTER_A_SCREEN_GAME : AFTER_A_GAME;
    if (!s.normal.slice(game + 1).every((x) => allowed.has(x))) return false;
    if (
      namesWhenOrWhere(comment.replace(screen ? SCREEN_GAME_TIME : GAME_TIME, ' ')) ||
      MEANT_HERE.test(comment)
    )
      return false;
    return !comment.split(NON_WORD).some((x) => WEAPON.has(x));
  }
  return false;
}

/**
 * Whether a third party's harm is a worry about traffic, not a disclosure (the issue's example:
 * "someone will get hurt" at pick-up). All of these must hold:
 * - the party is nobody in particular ("a kid", "someone's child", "one of the little ones");
 * - the harm is being hit or hurt, and has not happened ("will get hit", "before a child gets
 *   hurt"), nor happened before ("again");
 * - nobody who would do it is named: no person in the sentence, no family member or adult
 *   anywhere in the comment, and no "by" anyone but a vehicle ("a kid will get hit if her dad finds
 *   out", "one of the girls will get hurt by that man at the gate" are disclosures);
 * - the comment is about traffic ("cars fly down there").
 */
function roadWorry(s: Sentence, party: number, harm: number, comment: string): boolean {
  const [a, b, c] = [s.normal[party - 1], s.normal[party - 2], s.normal[party - 3]];
  const indefinite =
    (a !== undefined && ANY_ONE.has(a)) ||
    (a === "'s" && (b === 'someone' || b === 'somebody')) ||
    (a === 'the' && b === 'of' && c === 'one');
  if (!indefinite) return false;
  if (!ROAD_HARM.has(s.lemma[harm]!)) return false;
  if (!s.normal.slice(Math.max(0, harm - 4), harm).some((x) => NOT_YET.has(x))) return false;
  if (s.normal.includes('again') || s.normal.some((x) => PERSON_HERE.has(x))) return false;
  const by = s.normal.indexOf('by', harm);
  if (by >= 0 && !s.normal.slice(by + 1, by + 4).some((x) => VEHICLE.has(x))) return false;
  const words = comment.split(NON_WORD);
  if (words.some((x) => WHO_WOULD_DO_IT.has(x))) return false;
  return words.some((x) => ROAD.has(x));
}

const SENTENCE = /[^.!?;,\n]+/g;
const NON_WORD = /[^\p{L}\p{N}']+/u;
const INTENT_FORMS = words('will ll ill shall gonna gunna going finna imma ima tryna wanna about gon');
const HARM_STRONG_FORMS = inflected(HARM_STRONG);
/** Harm verbs, any form, that hurt someone named after them; not the weapon, nor cooking's cuts. */
const HARM_TO_SOMEONE_FORMS = new Set(
  [...inflected(new Set([...HARM_STRONG, 'end', 'sort', 'deal']))].filter(
    (x) => !WEAPON.has(x) && !/^(?:cut|knife|bottle|glass|beat)/.test(x),
  ),
);
const HARM_WEAK_FORMS = inflected(HARM_WEAK);
const PRONOUN_TARGET = words('you u ya him her them yous youse ur your');
const THIRD_PARTY_FORMS = new Set([...THIRD_PARTY].flatMap((w) => [w, `${w}s`]));
const DISCLOSE_FORMS = inflected(DISCLOSE_HARM);
const CONTACT_FORMS = new Set([...inflected(CONTACT), ...EXPLOIT]);
const EXCLUDE_FORMS = inflected(EXCLUDE);
/** Which words a rule needs (bits of the trigger map). */
const F = {
  FirstPerson: 1 << 0,
  Intent: 1 << 1,
  Harm: 1 << 2,
  Weapon: 1 << 3,
  Bring: 1 << 4,
  ThirdParty: 1 << 5,
  DiscloseHarm: 1 << 6,
  Adult: 1 << 7,
  Child: 1 << 8,
  Contact: 1 << 9,
  Group: 1 << 10,
  Exclude: 1 << 11,
  Phrase: 1 << 12,
  HarmWeak: 1 << 15,
  Target: 1 << 16,
  Ideation: 1 << 13,
  Distress: 1 << 14,
  ReportedIdeation: 1 << 17,
  // Rules, for parsedRules' answer.
  Threat: 1 << 20,
} as const;

const TRIGGERS = new Map<string, number>();
for (const [set, flag] of [
  [FIRST_PERSON, F.FirstPerson],
  [SPEAKER_UNSAID, F.FirstPerson],
  [INTENT_FORMS, F.Intent],
  [HARM_STRONG_FORMS, F.Harm],
  [HARM_WEAK_FORMS, F.HarmWeak],
  [PRONOUN_TARGET, F.Target],
  [WEAPON, F.Weapon],
  [BRING, F.Bring],
  [THIRD_PARTY_FORMS, F.ThirdParty],
  [DISCLOSE_FORMS, F.DiscloseHarm],
  [ADULT, F.Adult],
  [CHILD, F.Child],
  [CONTACT_FORMS, F.Contact],
  [GROUP, F.Group],
  [EXCLUDE_FORMS, F.Exclude],
  [HARM_PHRASE_TRIGGERS, F.Phrase],
  [IDEATION_TRIGGERS, F.Ideation],
  [DISTRESS, F.Distress],
  [REPORTED_IDEATION_TRIGGERS, F.ReportedIdeation],
] as const) {
  for (const w of set) TRIGGERS.set(w, (TRIGGERS.get(w) ?? 0) | flag);
}

const all = (seen: number, need: number) => (seen & need) === need;

/** The parsed rules whose words are all present (bits F.Threat, F.Weapon, F.ThirdParty, F.Adult, F.Group). */
function parsedRules(seen: number): number {
  let rules = 0;
  if (
    all(seen, F.FirstPerson | F.Intent | F.Harm) ||
    all(seen, F.FirstPerson | F.Intent | F.HarmWeak | F.Target)
  )
    rules |= F.Threat;
  if (all(seen, F.Weapon | F.Bring)) rules |= F.Weapon;
  if (all(seen, F.ThirdParty | F.DiscloseHarm)) rules |= F.ThirdParty;
  if (all(seen, F.Adult | F.Child | F.Contact)) rules |= F.Adult;
  if (all(seen, F.Group | F.Exclude)) rules |= F.Group;
  return rules;
}

const SUGGESTIVE_EMOJI =
  /[\u{1F351}\u{1F346}\u{1F4A6}\u{1F445}\u{1F975}\u{1F924}\u{1FAE6}\u{1F60F}\u{1F608}]/u;
const STRONG_SUGGESTIVE = /[\u{1F351}\u{1F346}\u{1F4A6}\u{1F445}\u{1F975}\u{1F924}\u{1FAE6}]/u;
const FLIRT =
  /\b(detention|after school|private lesson|on (her|his) own|any ?time|mark my|teach me|stay behind)\b/;
const STAFF = words('mr mrs miss ms sir teacher teachers head headteacher ta staff coach');
/** Parents and other adults at school events, whom innuendo in emoji is also aimed at. */
const ADULTS_AROUND_SCHOOL = words('mum mums mam mams mom moms mummy dad dads daddy wife husband');
const POSSESSIVE = /['’]s$/;
const COME_ON =
  /\b(?:message me|dm me|inbox me|pm me|slide into|asking for a friend|fit|fitty|thirsty|phwoar|single|which (?:mum|mam|mom|dad)|(?:her|his) number|come (?:round|over)|night off)\b/;
const PUPILS = words('girl girls boy boys pupil pupils students kids daughter son');
const MAYBE_EMOJI = /[\ud83c-\ud83e]/;
const LAUGHING = words('lol lmao haha hahaha jk');
const LAUGHING_EMOJI = /[\u{1F602}\u{1F923}\u{1F605}\u{1F606}\u{1F648}]/u;
/** What a harm verb is done with or to when it is no harm: a card shot over, a number punched in, hair cut. */
const NOT_HARMED = words('text message msg email dm card number line note hair fringe nails pic photo link');
const WEAK_HARM_TARGET = words('you u ya him her them yous youse house home car kids out after');

function hit(
  onHit: OnHit,
  category: Category,
  subcategory: string,
  rule: string,
  confidence: number,
  start: number,
  end: number,
): void {
  onHit({ category, subcategory, severity: 'medium', source: `structure:${rule}`, confidence, start, end });
}

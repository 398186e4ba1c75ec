import model from 'wink-eng-lite-web-model';
import winkNLP from 'wink-nlp';
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

const words = (s: string): ReadonlySet<string> => new Set(s.trim().split(/\s+/));

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
const INTENT = words('will ll shall gonna gunna gonna going finna imma ima about tryna wanna want');
const TARGET = words(
  'you u ya him her them yous youse he she they his their ur your teacher teachers head headteacher sir miss mr mrs ms kid kids son daughter school',
);
const HARM_STRONG = words(
  'hurt kill stab shank batter beat punch smack slap kick deck bang burn shoot murder smash wreck jump merk murk cut knife strangle choke bottle torch destroy rape glass attack bury slash spark',
);
const HARM_WEAK = words('find visit get sort teach pay see wait come catch follow deal end ruin');
const HARM_PHRASES: readonly RegExp[] = [
  /\b(better|should|gonna|will) watch (his|her|their|your|ur|yer) back\b/,
  // "dead" as an intensifier ("she's dead chuffed", "he's dead good at maths") is not a threat.
  /\b(you|u|he|she|they)('?ll| will| are| r|'?re| is|'?s) (regret (it|this|that|\w+ing)|be sorry|dead(?! (?:chuffed|proud|pleased|happy|excited|good|funny|nice|jealous|right|lucky|keen|cute|easy|hard|tired|busy|sweet|clever|serious|impressed|set|posh|quiet|loud|bored|brilliant|fit|cool|popular|kind|friendly|chuffed|close|sound|quick|fast|slow|ill|worried|nervous|shy|upset)\b)|gonna regret|get what'?s coming)\b/,
  /\b(i|we) know where (you|u|he|she|they|the teacher|your kids?|his kids?|her kids?) (live|lives|go|goes|park|parks|drink|drinks)\b/,
  /\b(i|we) know (which|what) (car|house|road|street|door) (is )?(yours|hers|his|you|she|he)\b/,
  /\bwon'?t (have a (face|leg|tooth|head|nose) left|be (walking|able to walk) (home|away|again))\b/,
  /\b(eating|eat) through a straw\b/,
  /\b(is|are|'s|'re) (getting|gonna get|going to get) (dealt with|battered|sorted out|it so bad|it one by one|what'?s coming)\b/,
  /\b(get|gets|getting|'ll get|will get) what (she|he|they|you|u) deserves?\b(?!\s*[:,-]?\s*(a|an|the)?\s*(well|medal|award|prize|break|rest|holiday|treat|certificate))/,
  /\b(make|making) (his|her|their|your|ur) life (hell|a (living )?(hell|misery))\b/,
  /\b(pay|paying) (you|u|him|her|them|the school|the \w+) a visit\b/,
  /\blooking over (your|ur|his|her|their) shoulder\b/,
  /\bsee what happens to (you|u|him|her|them|your|ur)\b/,
  /\b(burn|torch|firebomb)(ed|ing|s)? (it|the school|the place|that \w+|the \w+|your \w+) (down|to the ground)\b/,
  /\b(sleep with one eye open|count (your|ur) days|(your|ur) days are numbered|won'?t know what hit (you|u|him|her))\b/,
  /\bwait (till|until|til) i (see|get|catch|find)\b/,
];
const HARM_PHRASE_TRIGGERS = words(
  'watch regret sorry dead know eye days numbered coming wait hit face walking straw dealt battered deserves deserve hell misery visit shoulder happens burn torch',
);

// Weapons brought to school.
const WEAPON = words(
  'knife knives blade blades machete machetes gun guns shank shanks pistol nunchucks crossbow axe taser tasers hammer hammers knuckleduster knuckledusters',
);
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
const KIN = words('son daughter kid kids child children mum mam mom dad wife baby little nan nanna grandad');
const BODY = words(
  'bruise bruises bruised mark marks face arm arms head eye eyes neck leg legs back blood bleeding belt cut cuts scar scars',
);
const SPORT = words(
  'ball goal goals six sixes four fours shot shots record target wicket try match game games team football rugby cricket netball hockey tennis chess level boss score scored round race final semi penalty',
);

// An adult approaching children.
const ADULT = words(
  'man men bloke blokes guy guys adult adults stranger strangers older olders elders lads geezer fella someone somebody van',
);
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
  'back belong allowed allow ban banned deport deported vermin animals animal parasite parasites disease diseased infest infesting invade invading invasion breed breeding filth filthy subhuman ruin ruining ruined takeover welcome out rid segregate separate unnatural sick disgusting dirty plague cockroach cockroaches rats leeches scroungers scum steal thieves thieving thief criminals overrun swamped flooded',
);
const INVITED = words(
  'council police officer officers pcso visitor visitors assembly workshop speaker author nurse firefighter fireman firefighters dentist coach coaches club governor governors',
);
const HISTORY = words(
  'nazi nazis hitler holocaust history lesson lessons learn learned learnt learning taught teach ww2 wwii war assembly museum',
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
  /\b(i'?d|i would|id) (rather|sooner) (be )?(gone|dead|not (be )?here|not exist)\b/,
  /\bwhen i'?m (gone|dead|not here|not around|no longer here)\b/,
  /\b(like|as if) it was the last time\b/,
  /\b(giving|gave|give) (all )?my (stuff|things|games|clothes) away\b|\b(won'?t|will not|wont) (need|be needing) (it|them|any of it) (soon|much longer|any ?more|where i'?m going)\b/,
  /\b(written|wrote|writing|left) (letters|notes|a note|a letter|goodbye)\b.{0,40}\b(just in case|in case i|for when i|if i'?m not)\b/,
  /\b(don'?t|do not|dont|cant|can'?t) see myself (being )?(here|around|alive)\b/,
  /\bmake (it|everything|it all) (stop|go away|end) (for good|forever|permanently)\b|\bwant (it|everything|it all) to (stop|end)\b.{0,20}\b(for good|forever)\b/,
];
const IDEATION_TRIGGERS = words(
  'want wanna wish without point reason care notice miss tired sick end around sleep anymore more rather sooner gone giving gave letters notes note goodbye myself forever',
);

const HUNGER =
  /\b(i|we|me|my brother|my sister)( have| has|'ve|ve|s)? (not|n'?t|never|havent|haven'?t|hasnt|hasn'?t|didnt|didn'?t|aint|ain'?t) (had|eaten|ate|eat|got)( anything| much| a proper| proper| properly| any)?( (food|meal|meals|dinner|tea|breakfast|to eat))?( properly)? (for|in|since) (days|ages|a week|two days|\d+ days|a few days|yesterday|the weekend|last \w+|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(no|nothing) (food|to eat) (in|at) (the house|home|ours|mine)\b|\bfridge is (empty|always empty)\b/;
const SECRECY =
  /\b(please |pls |plz )?(don'?t|do not|dont|dnt|dont u|never) (tell|say|mention|let .{1,12} know)( it)?( to)? (my |me )?(mum|mom|mam|dad|parents|anyone|any1|nobody|no one|teacher|teachers|miss|sir|social|carer|step ?dad|step ?mum)\b|\b(keep it|our|a) secret\b|\bbetween (us|you and me)\b/;
const DISTRESS = words(
  'hungry starving eaten ate eat food tea dinner breakfast meal meals scared frightened hurts hurt hit hits bruise bruises locked alone cold heating electric shouting screaming drunk sleep kicked cry crying',
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
  recruitment: 0.7,
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
  /** Whether the comment says what the speaker (or "you") will do: a threat, not a report. */
  private threatFrame = false;

  run(light: string, skel: string, onHit: OnHit, original = light): void {
    const emoji = MAYBE_EMOJI.test(original);
    this.laughing = emoji && LAUGHING_EMOJI.test(original);
    if (emoji && SUGGESTIVE_EMOJI.test(original)) this.suggestive(light, original, onHit);
    else if (INNUENDO_TRIGGER.test(light)) this.innuendo(light, onHit);
    // One map lookup per word says which rules' words the comment has at all.
    let seen = 0;
    let start = 0;
    for (let i = 0; i <= skel.length; i++) {
      if (i < skel.length && skel.charCodeAt(i) !== 0x20) continue;
      if (i > start) seen |= TRIGGERS.get(skel.slice(start, i)) ?? 0;
      start = i + 1;
    }
    // Comment-level rules, each behind one cheap test of the words it needs.
    const recruit = RECRUIT_GATE.test(light);
    const exploit = twoExploitGroups(seen) && EXPLOIT_CHILD.test(light);
    if ((recruit || exploit) && !isAnnouncement(light)) {
      if (recruit) this.recruitment(light, onHit);
      if (exploit) this.exploitationSigns(light, onHit);
    }
    if (seen === 0) return;
    this.threatFrame = THREAT_FRAME.test(light);
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
        if (rules & F.ThirdParty) this.thirdPartyDisclosure(s, onHit);
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
    const words = light.split(NON_WORD);
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
    }
  }

  /** Innuendo in words about a member of staff ("bet mr jones is great with his hands, wink wink"). */
  private innuendo(light: string, onHit: OnHit): void {
    const m = INNUENDO.exec(light);
    if (m === null || !light.split(NON_WORD).some((w) => STAFF.has(w))) return;
    hit(onHit, 'offensive', 'sexual', 'innuendo', RULE_CONFIDENCE.suggestive, m.index, m.index + m[0].length);
  }

  /**
   * Recruitment into extremism that names no group: an invitation (join us, a meeting, a private
   * chat, "ask for Dan") beside a cause (our people, our country, being replaced, training to
   * fight, a war on a faith), or a cause that is recruitment on its own (martyrdom, travelling to
   * fight, an attacker called a hero).
   */
  private recruitment(light: string, onHit: OnHit): void {
    const strong = RECRUIT_STRONG.exec(light);
    const cause = strong ?? RECRUIT_CAUSE.exec(light);
    if (cause === null) return;
    if (strong === null && !RECRUIT_INVITE.test(light)) return;
    if (HISTORY_FRAME.test(light)) return;
    hit(
      onHit,
      'safeguarding',
      'radicalisation',
      'extremist-recruitment',
      RULE_CONFIDENCE.recruitment,
      cause.index,
      cause.index + cause[0].length,
    );
  }

  /**
   * Signs of child criminal exploitation without its name: at least two of new phones, unexplained
   * money or clothes, late calls, going missing, trips to other towns, older youths, a debt to
   * work off, carrying or dropping things, in a comment about a child.
   */
  private exploitationSigns(light: string, onHit: OnHit): void {
    let signs = 0;
    let first = -1;
    let last = -1;
    for (const re of EXPLOIT_SIGNS) {
      const m = re.exec(light);
      if (m === null) continue;
      signs++;
      first = first < 0 ? m.index : Math.min(first, m.index);
      last = Math.max(last, m.index + m[0].length);
    }
    if (signs < 2) return;
    hit(
      onHit,
      'safeguarding',
      'exploitation',
      'exploitation-signs',
      RULE_CONFIDENCE.exploitation,
      first,
      last,
    );
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
      if (!FIRST_PERSON.has(w)) continue;
      // An intent marker right after the speaker ("i will", "im gonna", "imma" on its own).
      let j = i + 1;
      const selfIntent = w === 'imma' || w === 'ima' || w === 'ill';
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
        if (s.normal[k + 1] === 'my' && (this.laughing || s.normal.some((x) => LAUGHING.has(x)))) return;
        if (weak && !strong && !s.normal.slice(k + 1, k + 5).some((x) => WEAK_HARM_TARGET.has(x))) continue;
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

  /** "he said he's bringing a knife in tomorrow": safeguarding and a threat. */
  private weaponReport(s: Sentence, onHit: OnHit): void {
    const n = s.normal.length;
    for (let i = 0; i < n; i++) {
      if (!WEAPON.has(s.lemma[i]!) && !WEAPON.has(s.normal[i]!)) continue;
      for (let j = Math.max(0, i - 5); j < i; j++) {
        if (s.negated[j]) continue;
        if (!BRING.has(s.normal[j]!) && !BRING.has(s.lemma[j]!)) continue;
        if (
          s.normal.some(
            (x) =>
              HISTORY.has(x) ||
              x === 'kitchen' ||
              x === 'cooking' ||
              x === 'food' ||
              x === 'nerf' ||
              x === 'water',
          )
        )
          return;
        const start = s.start[j]!;
        const end = s.end[i]!;
        hit(onHit, 'safeguarding', 'weapon', 'weapon-brought', RULE_CONFIDENCE.weapon, start, end);
        hit(onHit, 'offensive', 'threat', 'weapon-brought', RULE_CONFIDENCE.weapon, start, end);
        return;
      }
    }
  }

  /** "my mate's stepdad hits her with a belt": a friend or sibling, harmed by someone. */
  private thirdPartyDisclosure(s: Sentence, onHit: OnHit): void {
    const n = s.normal.length;
    const party = s.normal.findIndex((x, i) => THIRD_PARTY.has(x) || THIRD_PARTY.has(s.lemma[i]!));
    if (party < 0) return;
    if (s.normal.some((x) => SPORT.has(x))) return;
    for (let k = 0; k < n; k++) {
      if (s.negated[k]) continue;
      if (!DISCLOSE_HARM.has(s.lemma[k]!)) continue;
      // "hit him", "hurt my sister", "belt marks on his back"; not "pushing their sickness".
      const person = [k + 1, k + 2].some((o) => {
        const x = s.normal[o];
        if (x === undefined || !PERSON_OBJECT.has(x)) return false;
        if (x !== 'his' && x !== 'my' && x !== 'their') return true;
        const next = s.normal[o + 1] ?? '';
        return BODY.has(next) || THIRD_PARTY.has(next) || KIN.has(next);
      });
      // A parent's threat about a child hurt ("if that girl touches my daughter again I will…",
      // "tell me the kid who pushed her, I'll go round") reports no harm at home.
      if (
        this.threatFrame &&
        (s.normal.slice(Math.max(0, k - 4), k).some((x) => x === 'if' || x === 'who') ||
          s.normal.slice(k + 1, k + 4).includes('again') ||
          k === 0)
      )
        continue;
      const passive =
        k > 0 && ['got', 'gets', 'get', 'was', 'been', 'being', 'is'].includes(s.normal[k - 1]!);
      const body = s.normal.some((x) => BODY.has(x));
      if (!person && !passive && !body) continue;
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

  /** "a man in a van keeps offering the year 6 girls vapes": an adult, a child, contact or gifts. */
  private adultApproach(s: Sentence, onHit: OnHit): void {
    const adult = s.normal.findIndex((x) => ADULT.has(x));
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

const SENTENCE = /[^.!?;,\n]+/g;
const THREAT_FRAME =
  /\b(i'?ll|i will|we'?ll|we will|i'?m (gonna|going to)|im (gonna|going to)|imma|you'?ll|you will|u will)\b/;
const NON_WORD = /[^\p{L}\p{N}']+/u;
const INTENT_FORMS = words('will ll ill shall gonna gunna going finna imma ima tryna wanna about gon');
const HARM_STRONG_FORMS = inflected(HARM_STRONG);
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
  // Rules, for parsedRules' answer.
  Threat: 1 << 20,
} as const;

/**
 * The words of the exploitation signs, in groups (bits 21 to 30 of the trigger map): a comment
 * is checked for the signs only when it has words of two groups.
 */
const EXPLOIT_WORD_GROUPS: readonly string[] = [
  'phone phones',
  'trainers clothes coat designer',
  'cash money quid wad wads',
  'calls rings ringing am',
  'missing disappear disappears disappearing',
  'town towns cities',
  'older olders',
  'owe owes off',
  'bag bags parcel parcels package packages stuff',
  'picked collected say running working',
];
const EXPLOIT_FIRST_BIT = 21;
const EXPLOIT_BITS = ((1 << EXPLOIT_WORD_GROUPS.length) - 1) << EXPLOIT_FIRST_BIT;

/** Whether `seen` (trigger bits) has words of at least two exploitation-sign groups. */
function twoExploitGroups(seen: number): boolean {
  const groups = seen & EXPLOIT_BITS;
  return groups !== 0 && (groups & (groups - 1)) !== 0;
}

const TRIGGERS = new Map<string, number>();
for (const [set, flag] of [
  [FIRST_PERSON, F.FirstPerson],
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
] as const) {
  for (const w of set) TRIGGERS.set(w, (TRIGGERS.get(w) ?? 0) | flag);
}
EXPLOIT_WORD_GROUPS.forEach((group, i) => {
  for (const w of group.split(' ')) TRIGGERS.set(w, (TRIGGERS.get(w) ?? 0) | (1 << (EXPLOIT_FIRST_BIT + i)));
});

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
const PUPILS = words('girl girls boy boys pupil pupils students kids daughter son');
const MAYBE_EMOJI = /[\ud83c-\ud83e]/;
const LAUGHING = words('lol lmao haha hahaha jk');
const LAUGHING_EMOJI = /[\u{1F602}\u{1F923}\u{1F605}\u{1F606}\u{1F648}]/u;
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

const INNUENDO_TRIGGER =
  /wink|nudge|know what i mean|iykyk|phwoar|nice pair|spank|keep me behind|take my register|staring at/;
const INNUENDO =
  /\b(wink wink|nudge nudge|if (you|u) know what i mean|iykyk|phwoar|(a )?nice pair of|(spank|punish|discipline) me|keep me behind|take my register|staring at (the |her |his )?\w* ?(legs|bum|chest|body))\b/;

const RECRUIT_GATE =
  /our (people|country|race|kind|land|streets|nation|culture|faith|brothers)|replac|fight|\bwar\b|martyr|jihad|hero|violence|truth|young men|real men|are the reason|make them pay|traitor|invader|travel (abroad )?to/;
const RECRUIT_INVITE =
  /\b(join us|join our|come (to|along to) (the|our) (meeting|meet|camp)|we'?re meeting|meeting (is|on|this|saturday|sunday|tonight|in)|group ?chat|(private|secret) (server|group|chat|channel|meeting)|invited? (him|her|them|me|kids|boys|girls)? ?(to|into) (a|an|the|our) (server|group|chat|channel|meeting|club|camp)|dm me|message me|ask for \w+|bring (your|ur) mates|youth (section|wing)|no phones|no parents|(telegram|discord) (channel|group|server)|recruit\w*|telling (him|her|them|boys|girls|kids|young \w+)|showing (people|kids|everyone|boys)|videos (from|of|by))\b/;
const RECRUIT_CAUSE =
  /\b(our (people|country|race|kind|land|streets|nation|culture|faith|brothers)|take (it|our country|this country|the country|our \w+) back|(being|be|get|getting) replaced|stand up and (fight|train)|(train|training|learn|teach you) (to|how to) fight|violence is the (only )?(way|answer)|at war with|the truth about what'?s happening|proper young men|real men|(women|girls) are the reason|make them pay|traitors|invaders)\b/;
const RECRUIT_STRONG =
  /\b(martyr\w*|jihad\w*|race war|travel (abroad )?to (help|fight|join)|(shooter|shooting|attacker|attack|bomber)\b.{0,40}\b(was|is|a|were) (a )?(hero|legend|heroic)|attacks? like (they'?re|they are|it'?s|it was) heroic)\b/;
const HISTORY_FRAME =
  /\b(history|lesson|assembly|prevent (duty|training|officer)|learn(ed|t|ing)? (about|how)|museum|holocaust|ww2|wwii|world war|awareness|workshop)\b/;

const EXPLOIT_CHILD =
  /\b(my (son|boy|lad|daughter|girl|nephew|niece|kid|child|grandson)|(he|she)'?s (1[0-7]|only 1[0-7])|year (\d|1[0-3])s?|yr ?\d|(younger|little) (kids|ones|boys|lads)|kids?|children|pupils|teenagers|boys in|lads? in (my|his|her) (year|class))\b/;
const EXPLOIT_SIGNS: readonly RegExp[] = [
  /\b(has|got|had|with|carrying|owns?|gets?) (a |two |2 )?(new|second|another|extra|burner|two|2|different) phones?\b(?! for (his|her|their) (birthday|christmas))|\bphones?\b.{0,30}\b(didn'?t|never|not) (buy|bought|pay)/,
  /\b(new )?(trainers|clothes|designer \w+|jackets?|food)\b.{0,30}\b(we|i|he) (never|didn'?t|did not|couldn'?t) (bought|buy|afford|pay)/,
  /\b(wads?|rolls?|bundles?|loads) of (cash|money|notes)\b|\b(cash|money) (he|she|they) (can'?t|won'?t|cannot) explain\b|\bcoming (home|back) with (cash|money)\b|\b(pay|paying|gives?|giving) (him|her|them|kids|boys|year \d+ \w+) (money|cash|£\d+|\d+ quid|fifty quid)\b|\b(£\d+|\d+ quid|fifty quid|a hundred quid) a (day|week|drop|run)\b/,
  /\b(calls?|phone (rings|ringing|going off)|rings)\b.{0,12}\b(at|all) (night|\d+ ?(am|in the morning))\b|\bgetting calls at \d/,
  /\b(going|goes|gone|went|been going) missing\b|\bdisappear(s|ing)? for days\b/,
  /\b(train|trains|bus|buses|coach) to (other|different) (towns?|cities|places)\b|\bother towns?\b/,
  /\b(older|the olders|olders) (lads|boys|guys|men|teens|teenagers)\b(?! (helped|showed|read|ran|taught|looked after))|\bolders\b/,
  /\bowes? (some|them|these|the|older)?\s?\w* ?(money|£\d+)\b|\bwork it off\b/,
  /\b(drop|deliver|carry|run|hold|stash|take|move)(s|ing|ed)? (bags?|parcels?|packages?|stuff|things|it) (off|for them|on the train|in their|round)\b|\b(running|working) for (some|them|these|older)\b/,
  /\b(picked up|collected|getting in (a|their) car)\b.{0,20}\b(late|at night|by (older|lads|men|guys|a car))\b|\bwon'?t say (who|where|what)\b/,
];

/**
 * An announcement or awareness message (e-safety evenings, a charity's talk on exploitation, a
 * reminder to check privacy settings): it describes harms without disclosing one. Used to keep
 * such posts from being read as reports.
 */
const ANNOUNCEMENT =
  /\b(awareness|workshop|assembly|online safety|e-?safety|internet safety|safety (evening|session|talk|week|day)|(evening|session|talk|guide) (for|on|about) (parents|carers|how|the signs|online|staying)|parents'? guide|guide for parents|signs (of|that|your child)|warning signs|(came|come|coming|visited|visiting) (in )?to (talk|speak|teach)|reminder|please (check|remind|talk to) (your|ur)|nspcc|childline|we'?ve had reports|never agree to|screenshot it|block and report|how (gangs|groomers|predators|abusers|criminals|extremists|scammers))\b/;
const PERSONAL_REPORT =
  /\b(my (son|daughter|boy|girl|lad|child|kid|kids|friend|mate|bestie|sister|brother|cousin|nephew|niece|little \w+)|i was|i am being|i'?m being|happened to me|to me\b|me and my)\b/;

/** Whether a comment is an announcement or awareness message rather than a report of harm. */
export function isAnnouncement(light: string): boolean {
  return ANNOUNCEMENT.test(light) && !PERSONAL_REPORT.test(light);
}

const TRIVIAL_CONDITION =
  /\b(if|when) (he|she|they|you|u) (loses|forgets|leaves|breaks|spills|drops|eats|brings|asks|sings|plays|wakes|finishes|nicks|steals|uses|says|does|tells|loses|puts|tracks|comes home)\b|\bfor (tagging|posting|sharing|showing|telling|putting)\b/;

/**
 * A parent's joke said laughing ("I'll kill him if he loses another water bottle 😂", "ur dead
 * for tagging me 😂"): a threat word over something trivial, with a laughing emoji or "lol".
 */
export function isJokingThreat(light: string, original: string): boolean {
  const laughing =
    (MAYBE_EMOJI.test(original) && LAUGHING_EMOJI.test(original)) ||
    light.split(NON_WORD).some((w) => LAUGHING.has(w));
  return laughing && TRIVIAL_CONDITION.test(light);
}

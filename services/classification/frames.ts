import type { Label } from './types.js';

/**
 * Frames that make a harm word in a sentence likely innocent, so the learned model may overrule
 * a lexicon or structure-rule label there at `framedVeto` (operating-points.ts) rather than the
 * near-certain `veto`. A frame never drops a label by itself: the model must also read the
 * comment, the label's sentence and the label's clause as innocent (create-classifier.ts).
 *
 * - Teaching, for safeguarding and for sexual and hate labels: the sentence is about
 *   a lesson, an assembly, a talk, an awareness week, a set text or a history topic ("the session
 *   on self harm and how to support a friend", "PC Evans in to talk to year 6 about sexting").
 * - A surprise, for safeguarding: a secret kept for the panto, an award or a leaving present.
 * - A lost or forgotten thing, or whoever invented something, for threats: "I'll kill him if he's
 *   lost another blazer", "I'm going to murder whoever invented homework on a Friday".
 * - A game, for threats: "Aaron you're dead meat in the chess club final".
 * - Laughing, for threats only: a laughing emoji or "lol" in the comment ("ur dead for tagging me
 *   😂"), unless the threat is the first-person intent rule's. A threat whose sentence names a
 *   time or place, or says it is meant ("see you outside the gate at 3 😂", "not joking", "go and
 *   die lol"), is never overruled at all (namesWhenOrWhere).
 *
 * The model never overrules a safeguarding label with "I", "me" or "my" up to five words before it
 * or anywhere after it in its sentence, framed or not (create-classifier.ts, meantAsSaid): "the
 * pshe lesson was on healthy relationships, my boyfriend chokes me" is a disclosure that follows a
 * lesson, which is when children make them.
 * An attack set of 428 hostile comments written against the first version of these frames
 * (session 10) shaped these limits.
 */

// Matched on TextNormaliser.light (lower case, accents and look-alikes folded).
const TEACHING =
  /\b(?:assembl(?:y|ies)|sessions?|workshops?|lessons?|pshe|pshce|rshe|rse|talks? (?:on|about|from|with)|gave (?:a |us a |them a )?talk|(?:talk|spoke|speak)(?:s|ed|ing)? (?:to|with) (?:\w+ ){1,4}?about|in to (?:talk|speak)|awareness|posters?|leaflets?|learn(?:t|ed|ing|s)? about|(?:taught|teach(?:es|ing)?) (?:us|them|the (?:kids|children|class|pupils)|children|pupils|students|year)|curriculum|helplines?|childline|nspcc|where to (?:get|go for|find) (?:help|support)|who to (?:tell|talk to)|how to (?:spot|stay safe|keep safe|support|recogni[sz]e|say no)|signs (?:of|to look for)|history (?:lesson|today|homework|class|trip)|in history|holocaust|world war|ww[12i]|documentary|fundrais\w*|charity|coffee morning|donat(?:e|ed|ing|ions?)|sponsored|guest speaker|parents? (?:evening|information|info)|information evening|online safety|e ?safety|anti ?bullying|what to do (?:if|when)|world book day|book club|novels?|set texts?|shakespeare|inspector calls|(?:theatre|drama) (?:company|group)|prevention|in (?:loving |fond )?memory of|awareness (?:day|week|month)|women ?s aid|samaritans)\b/;

const SURPRISE =
  /\b(?:panto(?:mime)?|award ceremony|(?:leaving|retirement) (?:party|do|present|card|collection)|(?:mother|father)'?s day|secret santa)\b/;

// Matched on the original comment, where the emoji are.
const LAUGHING =
  /[\u{1F602}\u{1F923}\u{1F480}\u{1F606}\u{1F639}\u{1F62D}]|\b(?:lol+|lmf?ao+|haha\w*|jk|jokin[g']?|banter)\b/iu;

/**
 * A parent's exasperation at a lost or forgotten thing, for threats: "I'll kill him if he's lost
 * another blazer", "im going to strangle her, shes left her PE kit on the bus AGAIN".
 */
const TRIVIAL_CAUSE =
  /\b(?:los(?:e|es|t|ing)|forg(?:et|ets|ot|etting|otten)|left|leaves?|leaving|without|ruin(?:s|ed)?|spill(?:s|ed)?|rip(?:s|ped)?|sees?|another) (?:[\w ]{0,24} )?(?:blazer|pe kit|kit|water bottles?|bottles?|coats?|jumpers?|cardigans?|jackets?|keys|lunch ?box|lunch|homework|reading book|book bag|shoes|trainers|glasses|tie|hat|gloves|scarf|uniform|calculator|pencil case|charger|school bag|planner|letter|reading record)\b|\bwhoever (?:invented|came up with|thought of|decided on|designed)\b|\b(?:blazer|pe kit|kit|water bottle|coat|jumper|keys|homework|reading book|book bag|shoes|glasses|tie|uniform) (?:left|lost|forgotten|gone missing)\b/;

/** The verbs of a parent's exasperation ("I'll kill him", "she'll be the death of me"). */
const HYPERBOLE =
  /\b(?:kill|killing|murder|murdering|strangle|strangling|throttle|throttling|end|ending|wring|swing for|dead|death of)\b/;
/** Harm that is no figure of speech, and staff as the one it is aimed at. */
const REAL_HARM =
  /\b(?:stab\w*|shank\w*|shoot\w*|shot|knife|knives|blade|slit\w*|slash\w*|hurt\w*|knock \w+ out|bleach|acid|gun|machete|burn\w*|glass(?:ed)?|batter\w*|punch\w*|bottle (?:him|her|you|u)|black and blue|sit down for|wooden spoon|belt|slipper|till (?:he|she|they|u|you) (?:goes|go|turns?|pass(?:es)?)|bare hands|own lanyard|no food|lock (?:him|her|them)|coming up|walking|with (?:a|my|the) \w+)\b/;
/** Anyone who works with the children, as a parent names them. */
const STAFF =
  /\b(?:mr|mrs|miss|ms|sir|teach\w*|head\w*|staff|ta|tas|lsa|coach|caretaker|dinner lad(?:y|ies)|senco|deputy|assistant|receptionist|office|lollipop|mentor|tutor|cleaner|slt|driver|hoy|nurse|governor\w*|ref|referee|manager)\b/;

/** A threat is meant when it names a when or a where, or says so, laughing or not. */
const MEANT =
  /\b(?:tomorrow|tmrw|tonight|after school|at (?:lunch|break|home time|\d)|outside|bus stop|gates?|(?:mon|tues|wednes|thurs|fri|satur|sun)day|meant it|not joking|(?:his|her|their|your|ur|ya)(?: [\w'’]+){0,2} (?:house|home|address|front door)|watch (?:your|ur) back|wait (?:till|until|til)|see (?:you|u|ya) (?:at|outside|after)|deserves? to die|should be (?:shot|stabbed|killed|dead)|go (?:and )?die|kys|kill (?:yourself|urself|yourselves))\b/;

/** The first person singular, in TextNormaliser.light. */
const FIRST_PERSON = /\b(?:i|im|ive|id|ill|me|my|myself|mine)\b/;

/** Whether a threat's sentence (TextNormaliser.light) names a when or a where, or says it is meant. */
export function namesWhenOrWhere(sentence: string): boolean {
  return MEANT.test(sentence);
}

/**
 * A fundraiser's dedication: "a sponsored walk for Papyrus in memory of my cousin" names a loss,
 * not the writer's own harm, so its "my" does not make a framed label a disclosure.
 */
const DEDICATION =
  /\bin (?:loving |fond )?memory of (?:my|our) (?:late |little |big |baby |beautiful |amazing |best )?(?:\w+ )?(?:cousin|brother|sister|bro|sis|dad|mum|mam|mom|father|mother|uncle|auntie|aunty|aunt|nan|nana|nanna|gran|granny|grandad|grandma|grandpa|grandfather|grandmother|friend|mate|pal|son|daughter|husband|wife|partner|nephew|niece|boy|girl)s?\b/g;

/**
 * Whether a threat's sentence (TextNormaliser.light) names a harm (a real one or a parent's
 * "murder", "kill") and a member of staff:
 * "if Mr Dean confiscates another water bottle I will shoot him" is an angry parent, however
 * ordinary the rest of the comment reads.
 */
export function harmAtStaff(sentence: string): boolean {
  return (REAL_HARM.test(sentence) || HYPERBOLE.test(sentence)) && STAFF.test(sentence);
}

/**
 * A speaker's opener: "Can I just say the session on self harm was brilliant" is someone
 * praising a talk; only a first person after the opener ("I have to say I cut myself") counts.
 */
const SAYING =
  /\b(?:(?:can )?i (?:just )?say|i (?:just )?(?:have|had|must|need|want|wanted|would like|d like) to (?:say|admit)|i must say|i have to admit|ill be honest)\b/g;

/** Whether `sentence` (TextNormaliser.light) speaks in the first person singular. */
export function inFirstPerson(sentence: string): boolean {
  return FIRST_PERSON.test(sentence.replace(DEDICATION, ' ').replace(SAYING, ' '));
}

/**
 * Whether the label's sentence (`sentence`, TextNormaliser.light) frames it as innocent: taught or
 * a surprise for a safeguarding label, taught for a sexual or hate one, laughed (in the comment as
 * written) for a threat.
 */
export function framedAsInnocent(label: Label, sentence: string, comment: string): boolean {
  if (label.category === 'safeguarding') return TEACHING.test(sentence) || SURPRISE.test(sentence);
  if (label.category !== 'offensive') return false;
  if (label.subcategory === 'sexual' || label.subcategory === 'hate') return TEACHING.test(sentence);
  // A threat named with a when or a where never reaches here (namesWhenOrWhere).
  if (label.subcategory !== 'threat') return false;
  // Never a weapon or a wound, and never at a member of staff (an angry parent over a
  // confiscated bottle means it): "I'll stab him if Mr Dean takes another water bottle".
  if (!REAL_HARM.test(sentence) && !STAFF.test(sentence)) {
    if (TRIVIAL_CAUSE.test(sentence) && HYPERBOLE.test(sentence)) return true;
    if (ENDS_AT_A_GAME.test(sentence)) return true;
  }
  return !label.source.startsWith('structure:first-person-intent') && LAUGHING.test(comment);
}

/** The words of a space-separated list, as a set. */
export const words = (s: string): ReadonlySet<string> => new Set(s.trim().split(/\s+/));

/** Games played on a screen or at a table: nobody is hurt "at fifa", whenever it is played. */
export const SCREEN_GAME = words(
  'fifa fortnite minecraft roblox cod warzone apex valorant pvp mario mariokart chess draughts checkers uno monopoly scrabble cluedo kahoot bingo connect4',
);
export const GAME: ReadonlySet<string> = new Set([
  ...SCREEN_GAME,
  ...words(
    'dodgeball rounders badminton snooker darts pingpong tennis squash golf netball football footy rugby cricket hockey basketball volleyball tig tag',
  ),
]);
/** When a game is played: not, by itself, a threat's when ("I'll thrash you at chess tmrw"). */
const WHEN_PLAYED = 'tomorrow|tmrw|tonight|today|later|(?:mon|tues|wednes|thurs|fri|satur|sun)day';
export const GAME_TIME = new RegExp(`\\b(?:${WHEN_PLAYED})\\b`, 'g');
/** A screen game's when may be after school too: that is when it is played. */
export const SCREEN_GAME_TIME = new RegExp(`\\b(?:${WHEN_PLAYED}|after school)\\b`, 'g');
/**
 * What may stand between "at" and the game, besides a number: "at staff v students dodgeball",
 * "in the chess club final", "at the year 10 football" (not "in the bogs before chess").
 */
export const BEFORE_A_GAME = words(
  'the a staff v vs students pupils parents teachers sports day house year yr school club inter final',
);
const BEFORE_A_GAME_WORDS = `(?:(?:${[...BEFORE_A_GAME].join('|')}|\\d+) ){0,3}?`;
const PLAYS_A_SCREEN_GAME = new RegExp(
  `\\b(?:at|in|on) ${BEFORE_A_GAME_WORDS}(?:${[...SCREEN_GAME].join('|')})\\b`,
);
/**
 * A sentence that ends at a game played on a screen or a board: "you're dead meat in the chess
 * club final 😈". Not a sport, which people attend and fight at ("dead meat at the football on
 * sunday"), nor anything after the game ("at football practice then pour bleach on u").
 */
const ENDS_AT_A_GAME = new RegExp(
  `\\b(?:at|in|on) ${BEFORE_A_GAME_WORDS}(?:${[...SCREEN_GAME].join('|')})(?: (?:club|final|match|game|tournament|later|again|lol|lmao|haha|mate|bro|tmrw|tomorrow|tonight|today))*\\W*$`,
);

/**
 * `sentence` (TextNormaliser.light) without the times of a screen or board game it names: "ur
 * dead meat at fifa tmrw 😂" names when the game is, not when a threat is meant. A sport's time is
 * a threat's time: people meet at a fixture.
 */
export function withoutGameTimes(sentence: string): string {
  return PLAYS_A_SCREEN_GAME.test(sentence) ? sentence.replace(SCREEN_GAME_TIME, ' ') : sentence;
}

import type { Label } from './types.js';

/**
 * Frames that make a harm word in a sentence likely innocent, so the learned model may overrule
 * a lexicon or structure-rule label there at `framedVeto` (operating-points.ts) rather than the
 * near-certain `veto`. A frame never drops a label by itself: the model must also read the
 * comment, and the label's sentence, as innocent.
 *
 * - Teaching: the sentence is about a lesson, assembly, talk, workshop, awareness week, poster,
 *   helpline or history topic ("the session on self harm and how to support a friend", "PC Evans
 *   in to talk to year 6 about sexting").
 * - A surprise, for safeguarding only: a secret kept for a party, a present or the panto.
 * - Laughing, for threats only: a laughing emoji or "lol" in the comment ("ur dead for tagging me
 *   😂", "dads gonna murder u when he sees that report 😂😂"). A threat said laughing can still be
 *   meant ("ur dead after school 😂 watch ur back"): the model reads that one as a threat.
 */

// Matched on TextNormaliser.light (lower case, accents and look-alikes folded).
const TEACHING =
  /\b(?:assembl(?:y|ies)|sessions?|workshops?|lessons?|pshe|pshce|rshe|rse|talks? (?:on|about|from|with)|gave (?:a |us a |them a )?talk|(?:talk|spoke|speak|chat)(?:s|ed|ing)? (?:to|with) (?:\w+ ){1,4}?about|in to (?:talk|speak)|awareness|campaign|posters?|leaflets?|learn(?:t|ed|ing|s)? about|taught|teach(?:es|ing)? (?:us|them|the kids|children|pupils|students)|covered|curriculum|helplines?|childline|nspcc|where to (?:get|go for|find) (?:help|support)|who to (?:tell|talk to)|how to (?:spot|stay|keep|report|support|recogni[sz]e|say no|help)|signs (?:of|to look for)|history|holocaust|world war|ww[12i]|documentary|charity|fundrais\w*|guest speaker|speakers?|visit(?:ed)? from|training|parents? (?:evening|information|info)|information evening|online safety|e ?safety|anti ?bullying|what to do (?:if|when)|book|novels?|chapters?|characters?|poems?|set texts?|shakespeare)\b/;

// A secret kept for a surprise ("our little secret: the staff panto is on friday"). Matched on
// the whole comment (TextNormaliser.light): the surprise is often the next sentence.
const SURPRISE =
  /\b(?:surprise[ds]?|no idea|(?:birthday|leaving|retirement|christmas) (?:party|do|present|card)|panto(?:mime)?|award ceremony|(?:mothers|fathers) day)\b/;

// Matched on the original comment, where the emoji are.
const LAUGHING =
  /[\u{1F602}\u{1F923}\u{1F480}\u{1F606}\u{1F639}\u{1F62D}]|\b(?:lol+|lmf?ao+|haha\w*|jk|jokin[g']?|banter)\b/iu;

/** Whether `sentence` (a stretch of TextNormaliser.light) frames a harm word as taught, not meant. */
export function isTeachingFrame(sentence: string): boolean {
  return TEACHING.test(sentence);
}

/**
 * Whether the label's sentence (TextNormaliser.light) is taught; for a safeguarding label, whether
 * the comment (`light`) keeps a secret for a surprise; for a threat, whether the comment (as
 * written) laughs.
 */
export function framedAsInnocent(label: Label, sentence: string, comment: string, light: string): boolean {
  if (isTeachingFrame(sentence)) return true;
  if (label.category === 'safeguarding' && SURPRISE.test(light)) return true;
  return label.category === 'offensive' && label.subcategory === 'threat' && LAUGHING.test(comment);
}

import {
  framedAsInnocent,
  harmAtStaff,
  inFirstPerson,
  namesWhenOrWhere,
  withoutGameTimes,
} from './frames.js';
import type { Lexicon, ObscenityMapping } from './lexicon-schema.js';
import { type LinearModel, shippedModel } from './linear-model.js';
import {
  ANOTHER_CLAUSE_KEEPS,
  MODEL_MIN_WORDS,
  MODEL_OPERATING_POINTS,
  MODEL_SUBCATEGORY,
  MODEL_VETO_MAX_WORDS,
} from './operating-points.js';
import { ownContactMatcher } from './own-contact-details.js';
import { findAddresses, findPersonalDataInLight, type RuleHit } from './personal-data-rules.js';
import { PhraseTrie } from './phrase-trie.js';
import { type AnchoredProfanityMatcher, profanityMatcher } from './profanity-matcher.js';
import { WORD_LIKE_FIRST_NAMES, YEAR_GROUP_MENTION } from './roster-terms.js';
import { shippedLexicons } from './shipped-lexicons.js';
import { keepStringPrototypeFast } from './string-prototype.js';
import { StructureRules } from './structure-rules.js';
import { skeletonOf, TextNormaliser } from './text-normaliser.js';
import {
  type Category,
  type ClassificationResult,
  type Classifier,
  type ClassifierOptions,
  type Label,
  SEVERITY_RANK,
  type Severity,
  type Span,
} from './types.js';

/** Bump when the matching code changes in a way that changes results for the same lexicons. */
// .2: an allow term clears a word of the same extent only where the text has all its letters.
const ENGINE_VERSION = 'hm-classifier.2';
/** The obscenity dataset is part of the result; pinned with the package. */
const OBSCENITY_VERSION = 'obscenity-en.0.4.6';
const NAME_TO_YEAR_JOIN = /^[\s,(]*(?:(?:in|from|of|is in|at)\s+)?(?:class\s+)?$/i;
const FULL_NAME = /\b(\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?) (\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?)\b/gu;
const NOT_A_FIRST_NAME = new Set(
  'mr mrs miss ms dr sir madam year yr well thank thanks happy good great merry dear the this that these our your my his her their class form head deputy congrats congratulations huge big lovely brilliant welcome hello hi has have is are was can could will would please reception nursery school sports world book red blue green christmas easter summer spring autumn winter monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december st saint team house lower upper key stage secret striped little old new last first next art music drama science maths history reading father mother samsung galaxy apple google lady lord king queen prince princess dame'.split(
    ' ',
  ),
);
const NOT_A_LAST_NAME = new Set(
  'class school academy primary college year day week team road street lane avenue church park hall club trust council house group assembly trip fair show concert award awards cup league stage centre center library office santa pyjamas party service play musical panto night evening morning'.split(
    ' ',
  ),
);
/** First names that are also the titles of school shows ("Oliver!", "Matilda", "Annie"). */
const SHOW_TITLE = new Set(
  'oliver matilda annie joseph aladdin bugsy shrek cinderella pinocchio moana mulan heidi'.split(' '),
);
/** What comes just before a show's title: "can't wait to see Oliver", "tickets for Matilda". */
const TITLE_BEFORE = /\b(?:see|seeing|watch|watching|production of|performance of|tickets for)\s+$/i;
/** Talk of a show, in TextNormaliser.light: a show title beside it is the show. */
const SHOW_TALK =
  /\b(?:break a leg|musical|production|performances?|panto|opening night|matinee|curtain call|dress rehearsal)\b/;
/**
 * Sources the model may overrule: the shipped lexicons and the sentence-structure rules. Swearing
 * (obscenity's word list, whose slurs and sexual words included, and the lexicons' profanity), a
 * school's own terms, its roster, the personal-data patterns and a child's full name beside their
 * class (a pattern, not a reading of meaning) always stand.
 */
const OVERRULABLE = /^(lexicon|structure):(?!full-name-and-year)/;

function overrulable(label: Label, standing: ReadonlySet<string>): boolean {
  return OVERRULABLE.test(label.source) && label.subcategory !== 'profanity' && !standing.has(label.source);
}

/** What ends a clause and a sentence: before overruling a label the model reads the clause it is in. */
const CLAUSE_END = /[.!?;,\n]/;
/** CLAUSE_END for one character code, without a regular expression (strongestParts reads every character). */
function endsAClause(code: number): boolean {
  return code === 0x2e || code === 0x21 || code === 0x3f || code === 0x3b || code === 0x2c || code === 0x0a;
}
const SENTENCE_END = /[.!?\n]/;
/**
 * An "I", "me" or "my" this many words before a safeguarding label, or anywhere after it in its
 * sentence, keeps the model from overruling it: "Happy birthday to my little man, 11 today, he
 * wants to die every day at this school" is a parent's report (eight words back; five let a model
 * trained on the tuning splits overrule it, and eight flagged no more hard negatives on dev13 to
 * dev17). Before it, only close: a speaker at the start of a long sentence is not a disclosure.
 */
const FIRST_PERSON_BEFORE = 8;
/** A label whose span is this share of its sentence's words is never overruled ("I will kill you all"). */
const LABEL_FILLS_SENTENCE = 0.6;

/** A listed term, pattern or roster name: the confidence of a label found by matching it. */
const RULE_CONFIDENCE = 0.9;
/** A first name this close (in characters) to "Year 4", "4B", "class 3" names a pupil. */
const NAME_TO_YEAR_GAP = 24;

enum TermKind {
  Label = 0,
  Context = 1,
  Allow = 2,
  FirstName = 3,
  ClassMention = 4,
}

interface TermInfo {
  kind: TermKind;
  category: Category;
  subcategory: string;
  severity: Severity;
  source: string;
  /** For labels: context group that must also be present; for context terms: their group. */
  group: number;
  /**
   * For allow terms: the term's own skeleton, repeated letters kept (`prefix`: a `word*` term).
   * Null for a term with an optional word (`~`), which can only allow what it is longer than.
   */
  allowForm?: { skel: string; prefix: boolean } | null;
  /** For allow terms: a name or a school's own phrase, which the learned model does not read. */
  hideFromModel?: boolean;
  /**
   * For a shipped name written with capitals ("from Bell End"): which of its words must be
   * capitalised in the text, as a place is and an insult often is not ("a text from bell end the
   * head"). Such a name must also be spelled in full ("via twat" is not "via Twatt").
   */
  asWritten?: boolean[] | undefined;
  /**
   * For a label term with a word of one repeated letter ("xxx"): the form the text must spell in
   * full. Repeated letters are collapsed when matching, so "xxx" would otherwise be met by any lone
   * "x" (a kiss, "3 x 2").
   */
  spelledForm?: { skel: string; prefix: boolean } | null;
}

/**
 * Where an allow term matched, and whether the text there has every letter of the term: each run
 * of a repeated letter at least as long as the term's ("Twatt" is not spelled by "twat").
 */
interface AllowSpan {
  span: Span;
  spelled: boolean;
}

interface CompiledPattern {
  regex: RegExp;
  triggers: string[] | undefined;
  category: Category;
  subcategory: string;
  severity: Severity;
  source: string;
}

/** A clause of a comment and what the model reads in it alone. */
interface ModelPart {
  span: Span;
  probability: number;
}

interface LabelBuilder {
  label: Label;
}

class LexiconClassifier implements Classifier {
  readonly version: string;
  private readonly trie = new PhraseTrie();
  private readonly terms: TermInfo[] = [];
  private readonly patterns: CompiledPattern[] = [];
  private readonly obscenityMap: ObscenityMapping;
  private readonly profanity: AnchoredProfanityMatcher = profanityMatcher();
  private readonly normaliser = new TextNormaliser();
  /** For the clause the model reads before it overrules a label (clausesInnocent). */
  private readonly clauseNormaliser = new TextNormaliser();
  private readonly structure = new StructureRules();
  /** Lexicon groups the model never overrules (`standsAlone`: slogans and endorsements). */
  private readonly standingSources = new Set<string>();
  private contextGroups = 0;
  private readonly hasRoster: boolean;
  private readonly model: LinearModel | null;
  private readonly modelSource: string;
  private readonly probabilities: Float64Array;
  private readonly clauseProbabilities: Float64Array;
  /**
   * Per category that reads clauses, the highest probability the model gave any one clause of the
   * comment (strongestParts; 0 when the comment is one clause or the whole already reaches `flag`).
   */
  private readonly strongestClause: Float64Array;
  /** For each skeleton index of the comment, the clause it is in (strongestParts). */
  private partOf = new Int32Array(256);
  /** Whether a personal-data finding is the school's own published contact detail. */
  private readonly isOwnContact: (subcategory: string, matched: string) => boolean;

  // Per-call scratch, reused because classify is synchronous.
  private hitIds: number[] = [];
  private hitStarts: number[] = [];
  private hitEnds: number[] = [];
  private contextSeen: Uint8Array;
  private labels = new Map<string, LabelBuilder>();
  private readonly onTrieHit = (id: number, start: number, end: number): void => {
    this.hitIds.push(id);
    this.hitStarts.push(start);
    this.hitEnds.push(end);
  };

  constructor(
    lexicons: Lexicon[],
    allowTerms: { read: string[]; names: string[]; hidden: string[] },
    options: ClassifierOptions,
    model: LinearModel | null,
    version: string,
  ) {
    this.version = version;
    this.model = model;
    this.modelSource = model === null ? '' : `model@${model.version}`;
    this.probabilities = new Float64Array(model?.categories.length ?? 0);
    this.clauseProbabilities = new Float64Array(model?.categories.length ?? 0);
    this.strongestClause = new Float64Array(model?.categories.length ?? 0);
    let mapping: ObscenityMapping | undefined;
    for (const lexicon of lexicons) {
      if (lexicon.obscenity !== undefined) mapping = lexicon.obscenity;
      for (const group of lexicon.groups) {
        const source = `lexicon:${lexicon.category}/${group.id}`;
        if (group.standsAlone) this.standingSources.add(source);
        let required = -1;
        if (group.requires !== undefined) {
          required = this.contextGroups++;
          for (const term of group.requires) {
            this.addTerm(term, {
              kind: TermKind.Context,
              category: lexicon.category,
              subcategory: '',
              severity: 'low',
              source,
              group: required,
            });
          }
        }
        for (const term of group.terms) {
          this.addTerm(term, {
            kind: TermKind.Label,
            category: lexicon.category,
            subcategory: group.subcategory,
            severity: group.severity,
            source,
            group: required,
          });
        }
      }
      for (const rule of lexicon.patterns ?? []) {
        this.patterns.push({
          regex: new RegExp(rule.regex, 'g'),
          triggers: rule.triggers,
          category: lexicon.category,
          subcategory: rule.subcategory,
          severity: rule.severity,
          source: `rule:${lexicon.category}/${rule.id}`,
        });
      }
    }
    this.obscenityMap = mapping ?? { default: { subcategory: 'profanity', severity: 'medium' }, words: {} };
    this.contextSeen = new Uint8Array(this.contextGroups);

    const allow: TermInfo = {
      kind: TermKind.Allow,
      category: 'offensive',
      subcategory: '',
      severity: 'low',
      source: 'allow',
      group: -1,
    };
    for (const term of allowTerms.read) this.addTerm(term, { ...allow, allowForm: allowFormOf(term) });
    for (const term of allowTerms.names) {
      const asWritten = capitalsOf(term);
      this.addTerm(term, { ...allow, allowForm: allowFormOf(term), hideFromModel: true, asWritten });
    }
    for (const term of allowTerms.hidden) {
      this.addTerm(term, { ...allow, allowForm: allowFormOf(term), hideFromModel: true });
    }
    for (const extra of options.extraTerms ?? []) {
      this.addTerm(extra.term, {
        kind: TermKind.Label,
        category: extra.category,
        subcategory: extra.subcategory,
        severity: extra.severity,
        source: 'school:extra-terms',
        group: -1,
      });
    }
    this.hasRoster = (options.roster?.length ?? 0) > 0;
    this.isOwnContact = ownContactMatcher(options.ownContacts);
    const firstName: TermInfo = {
      kind: TermKind.FirstName,
      category: 'safeguarding',
      subcategory: 'pupil_named',
      severity: 'high',
      source: 'roster:first-name-and-year',
      group: -1,
    };
    const classMention: TermInfo = { ...firstName, kind: TermKind.ClassMention };
    const fullName: TermInfo = { ...firstName, kind: TermKind.Label, source: 'roster:full-name' };
    for (const pupil of options.roster ?? []) {
      const first = pupil.firstName.trim();
      const last = pupil.lastName.trim();
      if (first.length < 2) continue;
      // Possessives lose their apostrophe in the skeleton: "Zara Okafor's" reads "zara okafors".
      if (last.length > 0) {
        this.addTerm(`${first} ${last}`, fullName);
        this.addTerm(`${first} ${last}s`, fullName);
      }
      this.addTerm(first, firstName);
      this.addTerm(`${first}s`, firstName);
      const className = pupil.className?.trim();
      if (className !== undefined && /^[a-z][a-z-]{2,}$/i.test(className)) {
        this.addTerm(`${className} class`, classMention);
        this.addTerm(`class ${className}`, classMention);
      }
    }
  }

  private addTerm(term: string, info: TermInfo): void {
    const id = this.terms.length;
    if (info.kind === TermKind.Label && (hasOneLetterRun(term) || collapsesToAWord(term)))
      info = { ...info, spelledForm: allowFormOf(term) };
    this.terms.push(info);
    this.trie.add(term, id);
  }

  classify(text: string): ClassificationResult {
    if (text.length === 0) return { labels: [], classifierVersion: this.version };
    const n = this.normaliser;
    n.run(text);
    this.labels = new Map();
    this.hitIds.length = 0;
    this.hitStarts.length = 0;
    this.hitEnds.length = 0;
    if (this.contextGroups > 0) this.contextSeen.fill(0);

    this.trie.match(n.skel, this.onTrieHit);
    // Stretches of the skeleton the model does not read (skeleton start, end, start, end…).
    const hiddenFromModel: number[] = [];
    const nameWords: Span[] = [];
    this.profanity.match(n.skel, (hit) => {
      const mapped = this.obscenityMap.words[hit.word] ?? this.obscenityMap.default;
      const span = this.skelSpan(hit.start, hit.end);
      if (inAName(text, span)) {
        nameWords.push(wordAround(text, span));
        // Nor does the model read it: it has seen the word, not the name.
        let [start, end] = [hit.start, hit.end];
        while (start > 0 && n.skel[start - 1] !== ' ') start--;
        while (end < n.skel.length && n.skel[end] !== ' ') end++;
        hiddenFromModel.push(start, end);
        return;
      }
      this.add('offensive', mapped.subcategory, mapped.severity, `obscenity:${hit.word}`, span);
    });

    const allowSpans: AllowSpan[] = [];
    const names: Span[] = [];
    const classMentions: Span[] = [];
    const ids = this.hitIds;
    for (let i = 0; i < ids.length; i++) {
      const info = this.terms[ids[i]!]!;
      if (info.kind === TermKind.Context) this.contextSeen[info.group] = 1;
      else if (info.kind === TermKind.Allow) {
        const start = this.hitStarts[i]!;
        const end = this.hitEnds[i]!;
        const form = info.allowForm;
        const spelled = !!form && spellsAtLeast(n.skel.slice(start, end), form.skel, form.prefix);
        if (info.asWritten && !(spelled && capitalisedAs(text, this.skelSpan(start, end), info.asWritten)))
          continue;
        // The model does not read an allowed name or a school's allowed phrase: a place or a name
        // it never saw in context ("Fagin", "Upper Dicker", a school's "Cockshutt") would read as
        // the word inside it. The shipped phrases ("break a leg", "assess") it learned in context.
        // Training reads the names as written; the model has only ever seen them in innocent rows.
        // (A term with an optional word has no spelled form: it is hidden wherever it matched.)
        if (info.hideFromModel && (spelled || !form)) hiddenFromModel.push(start, end);
        allowSpans.push({ span: this.skelSpan(start, end), spelled });
      } else if (info.kind === TermKind.FirstName) {
        const span = this.skelSpan(this.hitStarts[i]!, this.hitEnds[i]!);
        if (isNameAsWritten(text.slice(span[0], span[1]))) names.push(span);
      } else if (info.kind === TermKind.ClassMention) {
        classMentions.push(this.skelSpan(this.hitStarts[i]!, this.hitEnds[i]!));
      }
    }
    for (let i = 0; i < ids.length; i++) {
      const info = this.terms[ids[i]!]!;
      if (info.kind !== TermKind.Label) continue;
      if (info.group >= 0 && this.contextSeen[info.group] === 0) continue;
      const form = info.spelledForm;
      if (form && !spellsAtLeast(n.skel.slice(this.hitStarts[i]!, this.hitEnds[i]!), form.skel, form.prefix))
        continue;
      const span = this.skelSpan(this.hitStarts[i]!, this.hitEnds[i]!);
      if (
        info.category === 'offensive' &&
        SWEAR_SUBCATEGORIES.has(info.subcategory) &&
        nameWords.some(([from, to]) => from <= span[0] && span[1] <= to)
      )
        continue;
      this.add(info.category, info.subcategory, info.severity, info.source, span);
    }

    const light = n.light;
    for (const rule of this.patterns) {
      if (rule.triggers !== undefined && !rule.triggers.some((t) => light.includes(t))) continue;
      rule.regex.lastIndex = 0;
      for (let m = rule.regex.exec(light); m !== null; m = rule.regex.exec(light)) {
        if (m[0].length === 0) {
          rule.regex.lastIndex++;
          continue;
        }
        if (rule.category === 'spam' && this.isOwnContact('website', m[0])) continue;
        this.add(
          rule.category,
          rule.subcategory,
          rule.severity,
          rule.source,
          this.lightSpan(m.index, m.index + m[0].length),
        );
      }
    }
    const onPersonal = (hit: RuleHit) =>
      this.isOwnContact(hit.subcategory, light.slice(hit.start, hit.end)) ||
      this.add(
        'personal_data',
        hit.subcategory,
        hit.severity,
        hit.source,
        this.lightSpan(hit.start, hit.end),
      );
    findPersonalDataInLight(light, onPersonal);
    findAddresses(
      text,
      (hit) =>
        this.isOwnContact(hit.subcategory, text.slice(hit.start, hit.end)) ||
        this.add('personal_data', hit.subcategory, hit.severity, hit.source, [hit.start, hit.end]),
    );
    if (names.length > 0 && this.hasRoster) this.matchNamesBesideYearGroups(text, names, classMentions);
    this.matchFullNamesBesideYearGroups(text, light);
    this.structure.run(
      light,
      n.skel,
      (hit) =>
        this.add(
          hit.category,
          hit.subcategory,
          hit.severity,
          hit.source,
          this.lightSpan(hit.start, hit.end),
          hit.confidence,
        ),
      text,
    );

    const labels = this.finish(allowSpans);
    return {
      labels: this.model === null ? labels : this.withModel(text, blanked(n.skel, hiddenFromModel), labels),
      classifierVersion: this.version,
    };
  }

  /**
   * The learned model's opinion, read beside the rules' labels:
   * - a category no rule labelled gets a model label over the whole text when its probability
   *   reaches the category's operating point (low, or medium from `sure`);
   * - a structure-rule label the model agrees with becomes high, its confidence the two combined;
   * - a lexicon or structure-rule label the model is all but sure is innocent (probability under
   *   `veto`: "county lines warning signs session", an idiom read as a threat) is dropped, if the
   *   clause it was found in reads as innocent on its own too (clausesInnocent).
   * Operating points were chosen on the tuning splits (operating-points.ts).
   */
  private withModel(text: string, skel: string, labels: Label[]): Label[] {
    const model = this.model!;
    const p = this.probabilities;
    // Three words are too little for the model to go on ("see you soon x", "love you xx"):
    // a short comment is labelled by the rules alone.
    const words = model.score(skel, text, p);
    if (words < MODEL_MIN_WORDS) return labels;
    // In a long text one term is a small part of what the model reads: it may not overrule it.
    const mayVeto = words <= MODEL_VETO_MAX_WORDS;
    const parts = this.strongestParts(text, p);
    let out = labels;
    for (let c = 0; c < model.categories.length; c++) {
      const category = model.categories[c]!;
      const point = MODEL_OPERATING_POINTS[category];
      // A clause the model finds a concern in stands for the comment (strongestParts).
      const part = parts[c];
      const probability = part?.probability ?? p[c]!;
      const span: Span = part?.span ?? [0, text.length];
      const overruleBelow = Math.max(point.veto, point.framedVeto);
      if (probability >= overruleBelow && probability < point.flag) continue;
      const ofCategory = out.filter((l) => l.category === category);
      if (ofCategory.length === 0) {
        if (probability < point.flag) continue;
        out.push({
          category,
          subcategory: MODEL_SUBCATEGORY[category],
          severity: probability >= point.sure ? 'medium' : 'low',
          spans: [span],
          source: this.modelSource,
          confidence: Number(probability.toFixed(3)),
        });
        continue;
      }
      if (
        mayVeto &&
        probability < overruleBelow &&
        ofCategory.every(
          (label) =>
            overrulable(label, this.standingSources) &&
            !this.meantAsSaid(text, label) &&
            !this.fillsItsSentence(text, label) &&
            this.clausesInnocent(text, label, c, point.flag) &&
            // Nor when another clause reads as a concern ("fundraising for the domestic abuse
            // charity is lovely. mines upstairs asleep and I'm packing a bag").
            this.strongestClause[c]! < ANOTHER_CLAUSE_KEEPS &&
            (probability < point.veto ||
              (probability < point.framedVeto && this.framedAndInnocent(text, label, c, point.flag))),
        )
      ) {
        out = out.filter((l) => l.category !== category);
        continue;
      }
      if (probability < point.flag) continue;
      for (const label of ofCategory) {
        if (!label.source.startsWith('structure:')) continue;
        label.severity = 'high';
        label.confidence = Number((1 - (1 - label.confidence) * (1 - probability)).toFixed(3));
        label.source = `${label.source}+${this.modelSource}`;
      }
    }
    return out;
  }

  /**
   * For each category with a `part` operating point that the whole comment does not reach: the
   * clause the model, reading it alone, finds most likely, if it reaches `part`. A disclosure
   * beside a fundraiser ("mental health awareness fundraiser, ive taken 20 paracetamol and im not
   * telling my mum") is a small part of what the model reads in the whole comment. Call right
   * after scoring the whole comment: the parts are read from its features.
   */
  private strongestParts(text: string, whole: Float64Array): (ModelPart | null)[] {
    const model = this.model!;
    const best: (ModelPart | null)[] = model.categories.map(() => null);
    this.strongestClause.fill(0);
    // The categories that read clauses, and that the whole comment does not already reach.
    const wanted: number[] = [];
    model.categories.forEach((category, c) => {
      const point = MODEL_OPERATING_POINTS[category];
      if (point.part !== undefined && whole[c]! < point.flag) wanted.push(c);
    });
    if (wanted.length === 0) return best;
    const ends: number[] = [];
    for (let i = 0; i < text.length; i++) if (endsAClause(text.charCodeAt(i))) ends.push(i);
    if (ends.length === 0 || (ends.length === 1 && ends[0] === text.length - 1)) return best;
    ends.push(text.length);
    const n = this.normaliser;
    if (this.partOf.length < n.skel.length) this.partOf = new Int32Array(n.skel.length * 2);
    for (let k = 0, part = 0; k < n.skel.length; k++) {
      while (n.skelStart[k]! >= ends[part]! && part < ends.length - 1) part++;
      this.partOf[k] = part;
    }
    const probabilities = new Float64Array(ends.length);
    for (const c of wanted) {
      model.scoreParts(this.partOf, ends.length, c, MODEL_MIN_WORDS, probabilities);
      let strongest = -1;
      for (let part = 0; part < ends.length; part++) {
        if (strongest < 0 || probabilities[part]! > probabilities[strongest]!) strongest = part;
      }
      const probability = probabilities[strongest]!;
      this.strongestClause[c] = probability;
      if (probability < MODEL_OPERATING_POINTS[model.categories[c]!].part!) continue;
      // The clause without the spaces around it, as the page marks it.
      let start = strongest === 0 ? 0 : ends[strongest - 1]! + 1;
      let end = ends[strongest]!;
      while (start < end && /\s/.test(text[start]!)) start++;
      while (end > start && /\s/.test(text[end - 1]!)) end--;
      best[c] = { span: [start, end], probability };
    }
    return best;
  }

  /**
   * Whether the model, reading only the clause around each of the label's spans, finds nothing
   * there either (under the category's `flag`). Warm words elsewhere in a comment ("Fantastic
   * nativity, well done everyone. I'm going to kill myself tonight") must not talk it out of a
   * concern stated in one clause. A clause too short to judge is read with its sentence; a
   * sentence too short to judge ("Ur dead.", "Dad hit me.") keeps its label.
   */
  private clausesInnocent(text: string, label: Label, category: number, below: number): boolean {
    for (const [start, end] of label.spans) {
      const probability =
        this.probabilityAround(text, start, end, CLAUSE_END, category) ??
        this.probabilityAround(text, start, end, SENTENCE_END, category);
      // A sentence too short to read stands as said: "Great panto. Dad beats me."
      if (probability === null || probability >= below) return false;
    }
    return true;
  }

  /**
   * Whether the label is meant as said, whatever the rest of the comment: a safeguarding concern
   * with the first person singular just before it or after it in its sentence ("we learnt about
   * domestic abuse in rse, it happens in my house every weekend"); a threat whose sentence names
   * a when or a where ("after the anti bullying assembly: ur dead tomorrow"), or a harm and a
   * member of staff ("if Mr Dean confiscates another water bottle I will shoot him"). The model
   * never overrules these.
   */
  private meantAsSaid(text: string, label: Label): boolean {
    const threat = label.category === 'offensive' && label.subcategory === 'threat';
    if (label.category !== 'safeguarding' && !threat) return false;
    for (const [start, end] of label.spans) {
      const wordsBefore = threat ? Number.POSITIVE_INFINITY : FIRST_PERSON_BEFORE;
      this.clauseNormaliser.run(stretchAround(text, start, end, SENTENCE_END, wordsBefore));
      const said = this.clauseNormaliser.light;
      if (threat ? namesWhenOrWhere(withoutGameTimes(said)) || harmAtStaff(said) : inFirstPerson(said))
        return true;
    }
    return false;
  }

  /**
   * Whether a span of the label is most of its sentence ("I will kill you all"): the sentence is
   * the finding, with nothing around it for the model to read as innocent, so it stands.
   */
  private fillsItsSentence(text: string, label: Label): boolean {
    for (const [start, end] of label.spans) {
      const sentence = wordCount(stretchAround(text, start, end, SENTENCE_END));
      if (wordCount(text.slice(start, end)) >= LABEL_FILLS_SENTENCE * sentence) return true;
    }
    return false;
  }

  /**
   * Whether each of the label's spans sits in a sentence framed as innocent (frames.ts: a lesson
   * or awareness talk, a surprise, a threat word said laughing) which the model, reading that
   * sentence alone, finds nothing in either. The caller also reads the label's clause.
   */
  private framedAndInnocent(text: string, label: Label, category: number, below: number): boolean {
    for (const [start, end] of label.spans) {
      const probability = this.probabilityAround(text, start, end, SENTENCE_END, category);
      // A sentence too short for the model to read is not framed: "Stepdad hits me."
      if (probability === null || probability >= below) return false;
      if (!framedAsInnocent(label, this.clauseNormaliser.light, text)) return false;
    }
    return true;
  }

  /**
   * The model's probability of `category` for the stretch of `text` around [start, end) between
   * two `stops`, or null when it is too short to judge. Leaves the stretch in clauseNormaliser.
   */
  private probabilityAround(
    text: string,
    start: number,
    end: number,
    stops: RegExp,
    category: number,
  ): number | null {
    const stretch = stretchAround(text, start, end, stops);
    this.clauseNormaliser.run(stretch);
    const words = this.model!.score(this.clauseNormaliser.skel, stretch, this.clauseProbabilities);
    return words < MODEL_MIN_WORDS ? null : this.clauseProbabilities[category]!;
  }

  /**
   * Without a roster: a capitalised first and last name ("Evie Morgan", "Lily-Mae Turner")
   * followed by a year group or class ("Evie Morgan year 6", "Archie Robinson in 4M") names a pupil.
   */
  private matchFullNamesBesideYearGroups(text: string, light: string): void {
    YEAR_GROUP_MENTION.lastIndex = 0;
    const mentions: Span[] = [];
    for (let m = YEAR_GROUP_MENTION.exec(light); m !== null; m = YEAR_GROUP_MENTION.exec(light)) {
      mentions.push(this.lightSpan(m.index, m.index + m[0].length));
    }
    if (mentions.length === 0) return;
    FULL_NAME.lastIndex = 0;
    for (let m = FULL_NAME.exec(text); m !== null; m = FULL_NAME.exec(text)) {
      if (NOT_A_FIRST_NAME.has(m[1]!.toLowerCase()) || NOT_A_LAST_NAME.has(m[2]!.toLowerCase())) {
        FULL_NAME.lastIndex = m.index + m[1]!.length;
        continue;
      }
      const name: Span = [m.index, m.index + m[0].length];
      for (const mention of mentions) {
        // The year group follows the name, joined by little more than "in", "from" or a comma.
        if (mention[0] < name[1] || !NAME_TO_YEAR_JOIN.test(text.slice(name[1], mention[0]))) continue;
        this.add('personal_data', 'pupil_name', 'medium', 'structure:full-name-and-year', name, 0.7);
        // Not 'pupil_named', which needs the roster to say it is one of the school's pupils.
        this.add('safeguarding', 'child_identified', 'medium', 'structure:full-name-and-year', name, 0.7);
        break;
      }
    }
  }

  private matchNamesBesideYearGroups(text: string, names: Span[], mentions: Span[]): void {
    const light = this.normaliser.light;
    // "Break a leg Year 6! Can't wait to see Oliver!": the show, not a pupil called Oliver.
    const atTheShow = SHOW_TALK.test(light);
    YEAR_GROUP_MENTION.lastIndex = 0;
    for (let m = YEAR_GROUP_MENTION.exec(light); m !== null; m = YEAR_GROUP_MENTION.exec(light)) {
      mentions.push(this.lightSpan(m.index, m.index + m[0].length));
    }
    for (const name of names) {
      // "Willow class", "class Willow": the class's name, not a pupil's.
      if (mentions.some((m) => m[0] < name[1] && name[0] < m[1])) continue;
      // Only when the year group comes first ("Year 6 ... see Oliver!"), never "Joseph in Y5".
      const show = atTheShow && this.isShowTitle(text, name);
      for (const mention of mentions) {
        const gap = mention[0] >= name[1] ? mention[0] - name[1] : name[0] - mention[1];
        if (show && mention[1] <= name[0]) continue;
        if (gap <= NAME_TO_YEAR_GAP && gap >= -1) {
          this.add('safeguarding', 'pupil_named', 'high', 'roster:first-name-and-year', name);
          this.add('safeguarding', 'pupil_named', 'high', 'roster:first-name-and-year', mention);
        }
      }
    }
  }

  /** "see Oliver", "tickets for Matilda", "Annie!": a show's title, not a pupil. */
  private isShowTitle(text: string, [start, end]: Span): boolean {
    if (!SHOW_TITLE.has(text.slice(start, end).toLowerCase())) return false;
    return text[end] === '!' || TITLE_BEFORE.test(text.slice(Math.max(0, start - 16), start));
  }

  private skelSpan(start: number, end: number): Span {
    return [this.normaliser.skelStart[start]!, this.normaliser.skelEnd[end - 1]!];
  }

  private lightSpan(start: number, end: number): Span {
    return [this.normaliser.lightStart[start]!, this.normaliser.lightEnd[end - 1]!];
  }

  private add(
    category: Category,
    subcategory: string,
    severity: Severity,
    source: string,
    span: Span,
    confidence = RULE_CONFIDENCE,
  ): void {
    const key = `${category}|${subcategory}|${source}`;
    const existing = this.labels.get(key);
    if (existing === undefined) {
      this.labels.set(key, { label: { category, subcategory, severity, spans: [span], source, confidence } });
      return;
    }
    const label = existing.label;
    if (SEVERITY_RANK[severity] > SEVERITY_RANK[label.severity]) label.severity = severity;
    if (confidence > label.confidence) label.confidence = confidence;
    for (const s of label.spans) if (s[0] === span[0] && s[1] === span[1]) return;
    label.spans.push(span);
  }

  private finish(allowSpans: AllowSpan[]): Label[] {
    const labels: Label[] = [];
    for (const { label } of this.labels.values()) {
      if (allowSpans.length > 0 && label.category !== 'personal_data') {
        label.spans = label.spans.filter((s) => !allowSpans.some((a) => allows(a, s)));
        if (label.spans.length === 0) continue;
      }
      label.spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      labels.push(label);
    }
    labels.sort((a, b) => a.spans[0]![0] - b.spans[0]![0] || a.category.localeCompare(b.category));
    return dropCoveredDuplicates(labels);
  }
}

function wordCount(stretch: string): number {
  const trimmed = stretch.trim();
  return trimmed.length === 0 ? 0 : trimmed.split(/\s+/).length;
}

/**
 * The stretch of `text` around [start, end) out to the nearest `stops` on either side, and on the
 * left no more than `wordsBefore` words.
 */
function stretchAround(
  text: string,
  start: number,
  end: number,
  stops: RegExp,
  wordsBefore = Number.POSITIVE_INFINITY,
): string {
  let from = start;
  for (let words = 0; from > 0 && !stops.test(text[from - 1]!); from--) {
    if (/\s/.test(text[from - 1]!) && !/\s/.test(text[from]!) && ++words > wordsBefore) break;
  }
  let to = end;
  while (to < text.length && !stops.test(text[to]!)) to++;
  return text.slice(from, to);
}

/** A roster first name that is also a word ("will", "grace") counts only when capitalised. */
function isNameAsWritten(written: string): boolean {
  if (written.toLowerCase() !== written) return true;
  const word = written.replace(/[^a-z]/g, '');
  return !(
    WORD_LIKE_FIRST_NAMES.has(word) ||
    (word.endsWith('s') && WORD_LIKE_FIRST_NAMES.has(word.slice(0, -1)))
  );
}

function covers(outer: Label, inner: Label): boolean {
  return inner.spans.every((s) => outer.spans.some((o) => o[0] === s[0] && o[1] === s[1]));
}

/**
 * obscenity and the lexicons both know "shit"; one label per finding is enough. A label is
 * dropped when another of the same category and subcategory already has all of its spans.
 */
function dropCoveredDuplicates(labels: Label[]): Label[] {
  if (labels.length < 2) return labels;
  return labels.filter((label, i) => {
    for (let j = 0; j < labels.length; j++) {
      if (j === i) continue;
      const other = labels[j]!;
      if (other.category !== label.category || other.subcategory !== label.subcategory) continue;
      if (!covers(other, label)) continue;
      // Of two identical labels keep the first; otherwise keep the one with more spans.
      if (!covers(label, other) || j < i) {
        if (SEVERITY_RANK[label.severity] > SEVERITY_RANK[other.severity]) other.severity = label.severity;
        return false;
      }
    }
    return true;
  });
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * An allowed phrase clears a flagged word inside it ("Scunthorpe"). Matching forgives repeated
 * letters, which is right for a misspelled or elongated phrase but would let "Twatt", allowed,
 * clear "twat" itself: where the two cover the same text, the text must have every letter of the
 * allowed term.
 */
function allows(a: AllowSpan, s: Span): boolean {
  if (!(a.span[0] <= s[0] && s[1] <= a.span[1])) return false;
  return a.spelled || a.span[0] < s[0] || s[1] < a.span[1];
}

/** Whether `text` is `term` with no repeated letter shortened (`prefix`: text may go on). */
function spellsAtLeast(text: string, term: string, prefix: boolean): boolean {
  let i = 0;
  let j = 0;
  while (j < term.length) {
    const c = term.charCodeAt(j);
    let need = 0;
    while (j < term.length && term.charCodeAt(j) === c) {
      need++;
      j++;
    }
    let have = 0;
    while (i < text.length && text.charCodeAt(i) === c) {
      have++;
      i++;
    }
    if (have < need) return false;
  }
  return prefix || i === text.length;
}

/** The lexicons' swearing, which a surname can contain ("Mrs Wankhede", "Mr Dikshit"). */
const SWEAR_SUBCATEGORIES = new Set(['profanity', 'insult']);
/** Words that make what follows a person's name: "Mr Dick", "Uncle Dick", "Mrs Wankhede". */
const HONORIFIC = new Set(
  'mr mrs miss ms mx dr sir madam uncle auntie aunty aunt grandad grandpa granddad nan nanny grandma father rev reverend coach prof captain'.split(
    ' ',
  ),
);
/**
 * Capitalised words beside a listed surname that make the pair an insult, not a name ("Cummings
 * Stupid Cunt"): insults themselves, and the words insults are made of.
 */
const NOT_A_NAME_BESIDE = new Set(
  'wanker wankers twat twats cunt cunts bastard bastards prick pricks bellend bellends knob knobhead knobheads dickhead dickheads shithead shitheads shithole arsehole arseholes asshole assholes bitch bitches slag slags slut sluts whore whores tosser tossers nonce nonces paedo paedos pedo pedos fucker fuckers fucking fuckin fuckwit motherfucker motherfuckers shitty shite wanky cocksucker cocksuckers head heads face hole holes wad bag weed sucker suckers licker lickers end ends the you your ur what such stupid fat ugly big little absolute total bloody'.split(
    ' ',
  ),
);

/** Capitalised words beside Dick, Fanny or Willy that make it the word, not the name. */
const NOT_BESIDE_A_FIRST_NAME = new Set(
  'my his her our their a an no yes suck sucks sucking sucked eat eats lick licks licking ride rides rider riders riding grab grabs touch touching show shows showing pic pics picture pictures photo photos move energy size small tiny massive huge hard little big long short sending send sent flash flashed flashing kiss kissing stroke stroking hairy sexy sex pussy cock penis balls'.split(
    ' ',
  ),
);

/** For a term with capitals ("from Bell End"): whether each word is capitalised; else undefined. */
function capitalsOf(term: string): boolean[] | undefined {
  const words = term.trim().split(/\s+/);
  return words.some((w) => /^\p{Lu}/u.test(w)) ? words.map((w) => /^\p{Lu}/u.test(w)) : undefined;
}

/** Whether the words of `text` in `span` start with a capital wherever `capitals` says. */
function capitalisedAs(text: string, [start, end]: Span, capitals: boolean[]): boolean {
  const words = text
    .slice(start, end)
    .split(/[^\p{L}\p{N}'’]+/u)
    .filter((w) => w.length > 0);
  return capitals.every((capital, i) => !capital || /^\p{Lu}/u.test(words[i] ?? ''));
}

/** `skel` with each stretch in `stretches` (start, end, start, end…) blanked to spaces. */
function blanked(skel: string, stretches: readonly number[]): string {
  if (stretches.length === 0) return skel;
  const chars = skel.split('');
  for (let i = 0; i < stretches.length; i += 2) chars.fill(' ', stretches[i]!, stretches[i + 1]!);
  return chars.join('');
}

/** The word of `text` around `span`, with its apostrophes and hyphens ("Wankhede's"). */
function wordAround(text: string, [start, end]: Span): Span {
  let from = start;
  let to = end;
  while (from > 0 && /[\p{L}'’-]/u.test(text[from - 1]!)) from--;
  while (to < text.length && /[\p{L}'’-]/u.test(text[to]!)) to++;
  return [from, to];
}

/**
 * Whether `span` lies inside a capitalised word, as written, that is a name: a listed surname
 * shape or Dick or Fanny after a title ("Mr Dick", "Uncle Dick is picking her up", "Mrs
 * Dikshit", "Mr Dick's"), a listed surname beside another capitalised name ("the Willy Cummings
 * trophy"), or Dick, Willy or Fanny beside one with no insult word beside it ("Ollie Dick").
 * Then it is a person's name, not the word inside it.
 */
function inAName(text: string, [start, end]: Span): boolean {
  const [from, to] = wordAround(text, [start, end]);
  const word = text.slice(from, to);
  // "Mr Dick's Year 8 science": the name without its possessive.
  const lower = word.toLowerCase().replace(/['’]s$/u, '');
  // (Only listed names pass below, so no insult word needs refusing here.)
  if (!/^\p{Lu}/u.test(word)) return false;
  // Only names people have: "Dick", "Fanny", and surnames such as Wankhede, Dikshit, Glasscock,
  // Cummings. Any other rude word after a title is the insult with a title ("Mr Fuckface",
  // "Miss Slapper", "Mr Shitgibbon"), whatever it is joined to.
  // The part of a double-barrelled name the word is in ("Dickinson-Cockburn").
  const partStart = lower.lastIndexOf('-', start - from) + 1;
  const partEnd = lower.indexOf('-', end - from);
  const part = lower.slice(partStart, partEnd < 0 ? undefined : partEnd);
  const inside = RUDE_LOOKING_SURNAME.test(part);
  if (!inside && !RUDE_LOOKING_NAMES.has(lower)) return false;
  const before = /(\p{L}+)\.?\s+$/u.exec(text.slice(Math.max(0, from - 16), from))?.[1];
  if (before !== undefined && HONORIFIC.has(before.toLowerCase())) return true;
  // A surname with the word inside it, or a first name people have, beside another capitalised
  // name: "the Willy Cummings trophy", "Jo Glasscock", "Dick Whitlock", "Ollie Dick". Not the
  // word alone, which Title Case writes too ("Fuck Off"), nor with the words insults are made of
  // ("Suck My Dick", "Dick Pics").
  const after = /^\s+(\p{L}+)/u.exec(text.slice(to, to + 24))?.[1];
  const neighbours = [before, after].filter((w): w is string => w !== undefined);
  const insulting = (w: string) =>
    NOT_A_NAME_BESIDE.has(w.toLowerCase()) || NOT_BESIDE_A_FIRST_NAME.has(w.toLowerCase());
  // A first name, on either side of which nothing reads as an insult ("Eat A Dick Sir").
  if (!inside && neighbours.some(insulting)) return false;
  return neighbours.some((w) => {
    const other = w.toLowerCase();
    return (
      /^\p{Lu}\p{Ll}/u.test(w) &&
      !NOT_A_NAME_BESIDE.has(other) &&
      // Another such name is no name beside it: "Dick Dick Dick".
      (inside || (!HONORIFIC.has(other) && !RUDE_LOOKING_NAMES.has(other)))
    );
  });
}

/** First names and surnames people have that are also rude words. */
const RUDE_LOOKING_NAMES = new Set([
  'dick',
  'dicky',
  'dickie',
  'willy',
  'willie',
  'fanny',
  'butt',
  'butts',
  'pratt',
]);
/**
 * Surnames that hold a rude word: English "-cock" and "-bottom" names (Hancock, Glasscock,
 * Ramsbottom), Cockburn, Dickens, Cummings and the like, and some from other languages (Wankhede,
 * Dikshit, Fuchs). A list, not a rule about what the rest of the word is: people invent insults
 * with any ending ("Mr Shitgibbon").
 */
const RUDE_LOOKING_SURNAME =
  /^(?:[a-z]{2,}cocks?|cock(?:burn|croft|erill|erell|shutt|ayne|ram|erton|ington|ett)|dick(?:ens|ins|inson|son|erson|ey|ie|y)|cum(?:mings?|mins|berbatch|bria|bernauld|nock)|(?:rams|higgin|long|side|winter|shuffle|ross|hig|ollers|ain)bottom|wankhede|dikshit|shitole|fuchs|kuntz|titley|tittensor|sexton|bumstead|assante|bassett|cassidy|passmore|massey|lassiter)(?:['’]s)?$/;

/**
 * Everyday words that a term's word becomes when its doubled letter is collapsed, as matching
 * does ("noose" to "nose", "coons" to "cons"): such a term matches only where the text spells the
 * doubled letter ("pros and cons", "a bloody nose" are not it). Only these: collapsing is also how
 * a typo still matches ("better of dead", "not to tel", "jump of a bridge"), and those must.
 */
const EVERYDAY_COLLAPSED = new Set(['nose', 'con', 'cons']);

function collapsesToAWord(term: string): boolean {
  return term
    .trim()
    .split(/\s+/)
    .some((word) => {
      const bare = word.replace(/\*$/, '');
      const collapsed = bare.replace(/(.)\1+/g, '$1');
      return collapsed !== bare && EVERYDAY_COLLAPSED.has(collapsed);
    });
}

/** Whether a term has a word that is one letter repeated ("xxx", "zzz"), which collapses to one letter. */
function hasOneLetterRun(term: string): boolean {
  return term
    .trim()
    .split(/\s+/)
    .some((word) => {
      const skel = skeletonOf(word.replace(/\*$/, ''));
      return skel.length > 1 && !skel.includes(' ') && [...skel].every((c) => c === skel[0]);
    });
}

function allowFormOf(term: string): { skel: string; prefix: boolean } | null {
  const trimmed = term.trim();
  if (/(^|\s)~(\s|$)/.test(trimmed)) return null;
  const prefix = trimmed.endsWith('*');
  return { skel: skeletonOf(prefix ? trimmed.slice(0, -1) : trimmed), prefix };
}

/**
 * Compiles the shipped lexicons plus a school's roster, extra terms and allow-list into one
 * classifier. Compilation is the expensive part; keep the classifier and call `classify` often.
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  const shipped = shippedLexicons();
  const parts = [
    ENGINE_VERSION,
    ...shipped.lexicons.map((l) => `${l.category}@${l.version}`),
    `allow@${shipped.allow.version}`,
    OBSCENITY_VERSION,
  ];
  const hasSchoolData =
    (options.roster?.length ?? 0) + (options.extraTerms?.length ?? 0) + (options.allowList?.length ?? 0) >
      0 || options.ownContacts !== undefined;
  if (hasSchoolData) {
    // A hash, not the data: the version is stored beside every label and the roster is sensitive.
    parts.push(
      `school@${fnv1a(
        JSON.stringify([
          options.roster ?? [],
          options.extraTerms ?? [],
          options.allowList ?? [],
          ...(options.ownContacts ? [options.ownContacts] : []),
        ]),
      )}`,
    );
  }
  const model = options.model === undefined ? shippedModel() : options.model;
  if (model !== null) parts.push(`model@${model.version}`);
  keepStringPrototypeFast();
  return new LexiconClassifier(
    shipped.lexicons,
    { read: shipped.allow.terms, names: shipped.allow.names, hidden: options.allowList ?? [] },
    options,
    model,
    parts.join(';'),
  );
}

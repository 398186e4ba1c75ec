import type { TopicHit } from '../comments/sensitive-topics.js';
import { familyPhrases, pupilReferences } from './pupil-reference.js';
import { isYearGroupMention } from './roster-terms.js';
import type { Category, Classifier, Label, Span } from './types.js';

export interface ReplyProblem {
  category: Category;
  subcategory: string;
  spans: Span[];
  message: string;
}

export type ReplyCheck = { ok: true } | { ok: false; problems: ReplyProblem[] };

const QUOTE_LIMIT = 60;

function quote(text: string, spans: Span[]): string {
  return spans
    .map(([start, end]) => {
      const part = text.slice(start, end);
      return `"${part.length > QUOTE_LIMIT ? `${part.slice(0, QUOTE_LIMIT)}…` : part}"`;
    })
    .join(', ');
}

function explain(label: Label, text: string): string | undefined {
  const quoted = quote(text, label.spans);
  if (label.category === 'safeguarding' && label.subcategory === 'pupil_named') {
    return `Replies must never name a pupil (policy P11); remove ${quoted}.`;
  }
  if (label.category === 'safeguarding' && label.subcategory === 'pupil_image') {
    return `Replies must never picture or describe a photo of pupils (policy P11); remove ${quoted}.`;
  }
  if (label.category === 'safeguarding' && label.subcategory === 'pupil_location') {
    return `Replies must never say where pupils can be found (policy P11); remove ${quoted}.`;
  }
  if (label.category === 'personal_data') {
    return `Replies must not publish personal data (${label.subcategory.replace('_', ' ')}); remove ${quoted}.`;
  }
  if (label.category === 'offensive') {
    return `This reply contains offensive language (${label.subcategory}); remove ${quoted}.`;
  }
  return undefined;
}

/**
 * "Year 6" beside a first name is what makes the name a pupil's, but it names nobody: the reply
 * is told to remove the name, not the year group.
 */
function namesOnly(spans: Span[], text: string): Span[] {
  const names = spans.filter(([s, e]) => !isYearGroupMention(text.slice(s, e)));
  return names.length > 0 ? names : spans;
}

/**
 * P11: a staff reply is refused if it names or pictures a pupil, publishes personal data or
 * offends, or tells the public about a pupil's circumstances: a pupil spoken of ("your son",
 * "Tom in Year 4") in a reply touching one of the school's sensitive topics (`topics`, P10).
 */
export function checkOutgoingReply(
  text: string,
  classifier: Classifier,
  options: { topics?: readonly TopicHit[] } = {},
): ReplyCheck {
  const problems: ReplyProblem[] = [];
  for (const found of classifier.classify(text).labels) {
    // The learned model reads the whole reply and points at nothing to remove; a staff reply is
    // refused only for what a rule can show ("Our head will call you this afternoon" reads to
    // the model a little like a threat).
    if (found.source.startsWith('model@')) continue;
    const label =
      found.subcategory === 'pupil_named' ? { ...found, spans: namesOnly(found.spans, text) } : found;
    const message = explain(label, text);
    if (message === undefined) continue;
    problems.push({ category: label.category, subcategory: label.subcategory, spans: label.spans, message });
  }
  const pupils = pupilReferences(text);
  const named = problems.filter((p) => p.subcategory === 'pupil_named').flatMap((p) => p.spans);
  for (const ref of pupils) {
    if (named.some(([s, e]) => s < ref.name[1] && ref.name[0] < e)) continue;
    problems.push({
      category: 'safeguarding',
      subcategory: 'pupil_named',
      spans: [ref.name],
      message: `Replies must never name a pupil (policy P11): ${quote(text, [ref.name])} beside ${quote(text, [ref.context])} reads as a pupil's name; remove ${quote(text, [ref.name])}.`,
    });
  }
  const topics = options.topics ?? [];
  const spoken = [...pupils.map((r) => r.context), ...familyPhrases(text)];
  if (topics.length > 0 && spoken.length > 0) {
    problems.push({
      category: 'safeguarding',
      subcategory: 'pupil_circumstances',
      spans: [...spoken, ...topics.flatMap((t) => t.spans)].sort((a, b) => a[0] - b[0]),
      message: `Replies must not reveal a pupil's circumstances in public (policy P11): ${quote(text, spoken.slice(0, 1))} with ${topics
        .map((t) => `${t.topic.toLowerCase()} (${t.words.map((w) => `"${w}"`).join(', ')})`)
        .join(', ')}. Talk to the family privately instead.`,
    });
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/**
 * The problems as an API answer lists them: where (offsets into the reply) and why. The quoted
 * words are in `reason`; the reply is the caller's own text.
 */
export function problemSummary(problems: readonly ReplyProblem[]) {
  return problems.map((p) => ({
    category: p.category,
    subcategory: p.subcategory,
    spans: p.spans,
    reason: p.message,
  }));
}

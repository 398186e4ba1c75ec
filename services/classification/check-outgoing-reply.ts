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

/** P11: a staff reply is refused if it names or pictures a pupil, publishes personal data or offends. */
export function checkOutgoingReply(text: string, classifier: Classifier): ReplyCheck {
  const problems: ReplyProblem[] = [];
  for (const found of classifier.classify(text).labels) {
    const label =
      found.subcategory === 'pupil_named' ? { ...found, spans: namesOnly(found.spans, text) } : found;
    const message = explain(label, text);
    if (message === undefined) continue;
    problems.push({ category: label.category, subcategory: label.subcategory, spans: label.spans, message });
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

/** Who gave a label: the local rules, the local model, an outside tier or staff, read from its source. */
export interface LabelTier {
  tier: 'rules' | 'model' | 'moderation' | 'guard' | 'staff';
  /** How the comment page names it. */
  title: string;
  /** The rule, model or endpoint model that said it. */
  detail: string;
  /** An outside tier reads the whole comment: its label has no words of its own to point at. */
  wholeComment: boolean;
}

export function labelTier(source: string): LabelTier {
  // "Flag this" on the comment page (services/classification/corrections/flag-comment.ts).
  if (source === 'staff')
    return { tier: 'staff', title: 'Staff', detail: 'flagged by hand', wholeComment: true };
  if (source.startsWith('external:'))
    return { tier: 'moderation', title: 'Moderation endpoint', detail: source.slice(9), wholeComment: true };
  if (source.startsWith('guard:'))
    return { tier: 'guard', title: 'Guard model', detail: source.slice(6), wholeComment: true };
  // The learned model (`model@<version>`) reads the whole comment; it has no words of its own.
  if (source.startsWith('model@'))
    return {
      tier: 'model',
      title: 'Learned model',
      detail: `version ${source.slice(6, 14)}`,
      wholeComment: true,
    };
  // A sentence-structure rule, alone or confirmed by the model (`structure:<rule>+model@<version>`).
  if (source.startsWith('structure:')) {
    const [rule, model] = source.split('+');
    return {
      tier: 'rules',
      title: model ? 'Sentence rule, confirmed by the learned model' : 'Sentence rule',
      detail: rule!.slice('structure:'.length),
      wholeComment: false,
    };
  }
  return { tier: 'rules', title: 'Rule', detail: source, wholeComment: false };
}

const OUTCOME_WORDS: Readonly<Record<string, string>> = {
  answered: 'answered',
  timeout: 'did not answer in time',
  external_down: 'was unreachable or failed',
  invalid_response: 'gave an answer that was not understood',
  breaker_open: 'was not asked (paused after repeated failures)',
};

/** "Guard model llama-guard3 answered", for the comment page. */
export function tierOutcomeText(o: { tier: 'moderation' | 'guard'; model: string; outcome: string }): string {
  const title = o.tier === 'guard' ? 'Guard model' : 'Moderation endpoint';
  return `${title} ${o.model} ${OUTCOME_WORDS[o.outcome] ?? o.outcome}`;
}

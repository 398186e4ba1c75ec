import { describe, expect, it } from 'vitest';
import { checkOutgoingReply } from '../../../services/classification/check-outgoing-reply.js';
import { createClassifier } from '../../../services/classification/create-classifier.js';
import { loadRoster } from './eval-set.js';

const classifier = createClassifier({ roster: loadRoster() });

describe('checkOutgoingReply (P11)', () => {
  it('lets an ordinary reply through', () => {
    expect(
      checkOutgoingReply(
        'Thank you for your kind words, we will pass them on to the Year 4 team.',
        classifier,
      ),
    ).toEqual({ ok: true });
  });

  it('does not refuse a reply on the learned model’s word alone, which has nothing to point at', () => {
    const text = 'Our head will call you this afternoon.';
    // The model reads it as a little like a threat...
    expect(classifier.classify(text).labels.some((l) => l.source.startsWith('model@'))).toBe(true);
    // ...but a reply is refused only for what a rule can show.
    expect(checkOutgoingReply(text, classifier)).toEqual({ ok: true });
  });

  it('refuses a reply that names a pupil, quoting the name', () => {
    const text = 'Thanks, we have spoken to Amelia Hartley about it.';
    const check = checkOutgoingReply(text, classifier);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    const problem = check.problems.find((p) => p.subcategory === 'pupil_named');
    expect(problem?.category).toBe('safeguarding');
    expect(problem?.message).toContain('"Amelia Hartley"');
    expect(problem?.spans.map(([s, e]) => text.slice(s, e))).toEqual(['Amelia Hartley']);
  });

  it('refuses a reply naming a pupil by first name and year group', () => {
    const check = checkOutgoingReply('Oliver in Year 6 has been spoken to.', classifier);
    expect(check.ok).toBe(false);
  });

  it('refuses personal data and offensive language, explaining each', () => {
    const text = 'Call Mrs Smith on 07700 900123, she is an idiot.';
    const check = checkOutgoingReply(text, classifier);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems.map((p) => p.category).sort()).toEqual(['offensive', 'personal_data']);
    expect(check.problems.find((p) => p.category === 'personal_data')?.message).toContain('"07700 900123"');
    expect(check.problems.find((p) => p.category === 'offensive')?.message).toContain('"idiot"');
  });

  it('does not refuse a reply for mentioning a complaint', () => {
    expect(checkOutgoingReply('Please see our complaints procedure on the website.', classifier)).toEqual({
      ok: true,
    });
  });
});

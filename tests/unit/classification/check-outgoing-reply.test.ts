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
    const text = 'We will deal with the boys who did this, they will be punished.';
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

describe('checkOutgoingReply: the school’s own details and year groups (#20 item 5)', () => {
  const own = {
    emails: ['office@oakfield.sch.uk'],
    phones: ['01632 960123'],
    address: '12 Church Road, Oakfield OF1 2AB',
    website: 'https://www.oakfield.sch.uk',
  };
  const roster = [
    ...loadRoster(),
    { firstName: 'Will', lastName: 'Turner', yearGroup: '6', className: '6T' },
    { firstName: 'Willow', lastName: 'Brown', yearGroup: '3', className: 'Hazel' },
    { firstName: 'Hazel', lastName: 'Green', yearGroup: '6', className: 'Willow' },
  ];
  const school = createClassifier({ roster, ownContacts: own });

  it('lets a reply give out the school’s published email, phone and address', () => {
    const text =
      'Please email office@oakfield.sch.uk or call the office on 01632 960123 (+44 1632 960123); we are at 12 Church Road, Oakfield OF1 2AB.';
    expect(checkOutgoingReply(text, school)).toEqual({ ok: true });
    expect(checkOutgoingReply('Ring +44 (0)1632 960123 or write to us at OF12AB.', school)).toEqual({
      ok: true,
    });
  });

  it('still refuses anyone else’s email, phone or address in the same reply', () => {
    const text =
      'Email office@oakfield.sch.uk, or Mrs Smith at jane.smith@gmail.com, 07700 900123, 4 Elm Grove.';
    const check = checkOutgoingReply(text, school);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    const quoted = check.problems.flatMap((p) => p.spans.map(([s, e]) => text.slice(s, e)));
    expect(quoted.sort()).toEqual(['07700 900123', '4 Elm Grove', 'jane.smith@gmail.com']);
  });

  it('does not take "Year 6 will…" for a pupil called Will', () => {
    expect(checkOutgoingReply('Year 6 will be at the museum on Friday.', school)).toEqual({ ok: true });
    expect(checkOutgoingReply('Thank you, Year 6 and Reception may bring a packed lunch.', school)).toEqual({
      ok: true,
    });
  });

  it('does not take a class named after a tree for a pupil of that name', () => {
    expect(checkOutgoingReply('Willow class and Year 6 had a lovely day at the farm.', school)).toEqual({
      ok: true,
    });
  });

  it('still refuses a first name beside a year group (P11), quoting the name, not the year group', () => {
    for (const [text, name] of [
      ['Will in Year 6 has been spoken to.', 'Will'],
      ['Oliver in Year 6 has been spoken to.', 'Oliver'],
      ['We have spoken to Oliver in Key Stage 2.', 'Oliver'],
    ] as const) {
      const check = checkOutgoingReply(text, school);
      expect(check.ok, text).toBe(false);
      if (check.ok) continue;
      const problem = check.problems.find((p) => p.subcategory === 'pupil_named')!;
      expect(problem.message).toContain(`"${name}"`);
      expect(problem.message).not.toMatch(/"(Year 6|Key Stage 2)"/);
      expect(problem.spans.map(([s, e]) => text.slice(s, e))).toEqual([name]);
    }
  });
});

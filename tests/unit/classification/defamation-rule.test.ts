import { describe, expect, it } from 'vitest';
import { findDefamation, staffReferences } from '../../../services/classification/defamation-rule.js';

describe('the defamation rule (P7)', () => {
  it.each([
    'Everyone knows Mr Patel stole the trip money.',
    'the head is a drunk',
    'Mrs Jones hit my son yesterday',
    'Our headteacher was arrested last year apparently',
    "Mr. O'Neill is fiddling the books",
  ])('finds an allegation against a member of staff: %s', (text) => {
    const label = findDefamation(text);
    expect(label).toMatchObject({
      category: 'offensive',
      subcategory: 'defamation',
      source: 'rule:conduct/defamation',
    });
    expect(label!.spans.length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    'Mr Patel was brilliant at sports day',
    'someone stole my bike outside the gates',
    'Thanks Mrs Jones! Someone stole the show at the concert.',
    'The head spoke well. A thief was caught in town last night, apparently.',
  ])('finds none without both a member of staff and an allegation in one sentence: %s', (text) => {
    expect(findDefamation(text)).toBeNull();
  });

  it('in a long comment, pairs each member of staff with the allegations of their own sentence', () => {
    const text = `${'Lovely trip, thank you. '.repeat(500)}Mr Patel stole the money. ${'Great day. '.repeat(50)}Then Mrs Jones ${'x'.repeat(120)} was arrested`;
    const label = findDefamation(text);
    expect(label!.spans.map(([s, e]) => text.slice(s, e))).toEqual(['Mr Patel', 'stole']);
  });

  it('names the members of staff a text speaks of', () => {
    expect(staffReferences('Mrs Jones and the head both ignored Mr Patel')).toEqual([
      'Mrs Jones',
      'Mr Patel',
      'the head',
    ]);
  });
});

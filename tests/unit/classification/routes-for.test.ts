import { describe, expect, it } from 'vitest';
import { routesFor } from '../../../services/classification/routes-for.js';
import type { ClassificationResult, Label } from '../../../services/classification/types.js';

function result(...labels: Partial<Label>[]): ClassificationResult {
  return {
    classifierVersion: 'test',
    labels: labels.map((l) => ({
      category: 'offensive',
      subcategory: 'profanity',
      severity: 'medium',
      spans: [[0, 1]],
      source: 'test',
      confidence: 1,
      ...l,
    })),
  };
}

const defaults = { offensiveThreshold: 'medium', autoHide: false } as const;

describe('routesFor', () => {
  it('routes nothing for a clean comment', () => {
    expect(routesFor(result(), defaults)).toEqual([]);
  });

  it('flags admins for offensive content at or above the threshold only', () => {
    expect(routesFor(result({ severity: 'low' }), defaults)).toEqual([]);
    expect(routesFor(result({ severity: 'medium' }), defaults)).toEqual(['flag_admins']);
    expect(routesFor(result({ severity: 'low' }), { ...defaults, offensiveThreshold: 'low' })).toEqual([
      'flag_admins',
    ]);
    expect(routesFor(result({ severity: 'medium' }), { ...defaults, offensiveThreshold: 'high' })).toEqual(
      [],
    );
  });

  it('auto-hides only high-severity offensive content, and only when the account says so', () => {
    expect(routesFor(result({ severity: 'high' }), defaults)).toEqual(['flag_admins']);
    expect(routesFor(result({ severity: 'high' }), { ...defaults, autoHide: true })).toEqual([
      'flag_admins',
      'auto_hide',
    ]);
    expect(routesFor(result({ severity: 'medium' }), { ...defaults, autoHide: true })).toEqual([
      'flag_admins',
    ]);
  });

  it('escalates safeguarding, media, complaints and personal data', () => {
    expect(
      routesFor(result({ category: 'safeguarding', subcategory: 'self_harm', severity: 'high' }), defaults),
    ).toEqual(['escalate_safeguarding']);
    expect(routesFor(result({ category: 'media_enquiry', subcategory: 'journalist' }), defaults)).toEqual([
      'notify_senior_leaders',
      'requires_senior_approval',
    ]);
    expect(routesFor(result({ category: 'complaint', subcategory: 'complaint' }), defaults)).toEqual([
      'suggest_complaint_template',
    ]);
    expect(routesFor(result({ category: 'personal_data', subcategory: 'phone' }), defaults)).toEqual([
      'flag_personal_data',
    ]);
    expect(routesFor(result({ category: 'spam', subcategory: 'crypto' }), defaults)).toEqual([]);
  });

  it('combines routes without duplicates', () => {
    const routes = routesFor(
      result(
        { severity: 'high' },
        { severity: 'medium', subcategory: 'insult' },
        { category: 'safeguarding', subcategory: 'pupil_named' },
        { category: 'complaint', subcategory: 'complaint' },
      ),
      { offensiveThreshold: 'low', autoHide: true },
    );
    expect(routes).toEqual([
      'flag_admins',
      'escalate_safeguarding',
      'suggest_complaint_template',
      'auto_hide',
    ]);
  });
});

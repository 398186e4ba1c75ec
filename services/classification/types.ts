import type { SchoolContactDetails } from './own-contact-details.js';

export type Severity = 'low' | 'medium' | 'high';

export type Category =
  | 'offensive'
  | 'safeguarding'
  | 'personal_data'
  | 'media_enquiry'
  | 'complaint'
  | 'spam';

/** `[start, end)` in UTF-16 code units of the original text. */
export type Span = [number, number];

export interface Label {
  category: Category;
  subcategory: string;
  severity: Severity;
  spans: Span[];
  source: string;
}

export interface ClassificationResult {
  labels: Label[];
  classifierVersion: string;
}

export interface RosterEntry {
  firstName: string;
  lastName: string;
  /** e.g. "4", "Year 4", "R" for Reception. */
  yearGroup?: string;
  /** e.g. "4B", "Oak", "Hedgehogs". */
  className?: string;
}

export interface ExtraTerm {
  category: Category;
  subcategory: string;
  severity: Severity;
  term: string;
}

export interface ClassifierOptions {
  roster?: RosterEntry[];
  extraTerms?: ExtraTerm[];
  allowList?: string[];
  /** The school's own published contact details: not personal data when they appear. */
  ownContacts?: SchoolContactDetails;
}

export interface Classifier {
  readonly version: string;
  classify(text: string): ClassificationResult;
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 1, medium: 2, high: 3 };

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
  /**
   * What found it: `lexicon:<category>/<group>`, `obscenity:<word>`, `rule:<…>`, `roster:<…>`,
   * `school:extra-terms`, `structure:<rule>` (sentence-structure patterns), `model@<version>`
   * (the learned model, with the hash of its file) or `external:<model>`.
   */
  source: string;
  /** How sure the source is, 0..1: a listed term is near-certain; a model label carries its probability. */
  confidence: number;
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
  /**
   * The learned model: the shipped one (config/classifier/model.json) unless given; `null` runs
   * the lexicons and structure rules alone.
   */
  model?: import('./linear-model.js').LinearModel | null;
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

import type { SchoolRole } from '../../../db/schema/index.js';

/** Any staff of the school may correct the classifier on a comment; auditors change nothing. */
export const CORRECTORS: readonly SchoolRole[] = [
  'comms',
  'senior_leader',
  'safeguarding_lead',
  'trust_admin',
];
/** The review list, and turning corrections into terms or training examples. */
export const CORRECTION_REVIEWERS: readonly SchoolRole[] = ['trust_admin'];
/** The monthly quality report (auditors read it; nobody changes anything there). */
export const QUALITY_REPORT_READERS: readonly SchoolRole[] = ['senior_leader', 'trust_admin', 'auditor'];

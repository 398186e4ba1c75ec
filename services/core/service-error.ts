import { type core, type ZodError, z } from 'zod';

/** The closed list of ways a verb can refuse. Transports map each to one status code. */
export const SERVICE_ERROR_CODES = [
  'NOT_FOUND',
  'FORBIDDEN',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'INVALID_INPUT',
  'UNAUTHENTICATED',
  'RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
] as const;
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const notFound = (what: string) => new ServiceError('NOT_FOUND', `${what} was not found`);
export const forbidden = (message: string) => new ServiceError('FORBIDDEN', message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new ServiceError('CONFLICT', message, details);
export const preconditionFailed = (message: string, details?: Record<string, unknown>) =>
  new ServiceError('PRECONDITION_FAILED', message, details);
export const invalidInput = (message: string, details?: Record<string, unknown>) =>
  new ServiceError('INVALID_INPUT', message, details);

/**
 * One field a verb's input check refused: the field's name as the form names it (a nested field
 * is dotted, `retention.quarantinedDays`; null when the refusal is about the whole form) and what
 * was wrong.
 */
export interface FieldIssue {
  field: string | null;
  issue: core.$ZodIssue;
}

/** The field issues an INVALID_INPUT refusal was made from (kept off the JSON answer). */
const FIELD_ISSUES = new WeakMap<ServiceError, FieldIssue[]>();

/** A zod path as a form field's name: its string parts, dotted (array indexes dropped). */
function fieldOf(path: readonly PropertyKey[]): string | null {
  const names = path.filter((p): p is string => typeof p === 'string');
  return names.length ? names.join('.') : null;
}

/**
 * A verb's schema refusal: INVALID_INPUT with zod's readable message (after `prefix`, when given),
 * remembering which fields failed so a form can show each message on its field (page-kit.ts
 * runForm).
 */
export function invalidInputFrom(error: ZodError, prefix = ''): ServiceError {
  const refusal = invalidInput(`${prefix}${z.prettifyError(error)}`);
  FIELD_ISSUES.set(
    refusal,
    error.issues.map((issue) => ({ field: fieldOf(issue.path), issue: issue as core.$ZodIssue })),
  );
  return refusal;
}

/**
 * A verb's own refusal of one field's value (a check no schema can make, such as "not staff of
 * this school"): INVALID_INPUT with the message, which a form shows on that field.
 */
export function invalidField(
  field: string,
  message: string,
  details?: Record<string, unknown>,
): ServiceError {
  const refusal = invalidInput(message, details);
  FIELD_ISSUES.set(refusal, [{ field, issue: { code: 'custom', message, path: [], input: undefined } }]);
  return refusal;
}

/** The field issues behind an INVALID_INPUT refusal, when it came from a schema or names a field. */
export function fieldIssuesOf(error: ServiceError): FieldIssue[] | undefined {
  return FIELD_ISSUES.get(error);
}

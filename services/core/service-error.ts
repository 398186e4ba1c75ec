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

/** One field a verb's input check refused: the field's name (top level) and what was wrong. */
export interface FieldIssue {
  field: string | null;
  issue: core.$ZodIssue;
}

/** The field issues an INVALID_INPUT refusal was made from (kept off the JSON answer). */
const FIELD_ISSUES = new WeakMap<ServiceError, FieldIssue[]>();

/**
 * A verb's schema refusal: INVALID_INPUT with zod's readable message, remembering which fields
 * failed so a form can show each message on its field (page-kit.ts runForm).
 */
export function invalidInputFrom(error: ZodError): ServiceError {
  const refusal = invalidInput(z.prettifyError(error));
  FIELD_ISSUES.set(
    refusal,
    error.issues.map((issue) => ({
      field: typeof issue.path[0] === 'string' ? issue.path[0] : null,
      issue: issue as core.$ZodIssue,
    })),
  );
  return refusal;
}

/** The field issues behind an INVALID_INPUT refusal, when it came from a schema. */
export function fieldIssuesOf(error: ServiceError): FieldIssue[] | undefined {
  return FIELD_ISSUES.get(error);
}

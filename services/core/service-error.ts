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

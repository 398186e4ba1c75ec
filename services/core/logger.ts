import { type DestinationStream, type Logger, pino } from 'pino';
import type { Config } from '../../config/load-config.js';

/**
 * Structured logs. Comment text and secrets never go in at info level; the redaction paths are a
 * second line of defence for anything that slips through.
 */
export function createLogger(
  config: Pick<Config, 'logLevel'>,
  name: string,
  /** Where lines go (stdout by default); the log hygiene test captures them. */
  destination?: DestinationStream,
): Logger {
  const options = {
    name,
    level: config.logLevel,
    redact: {
      paths: [
        '*.accessToken',
        '*.refreshToken',
        '*.password',
        '*.passwordHash',
        '*.credentials',
        '*.text',
        '*.apiKey',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

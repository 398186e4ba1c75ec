import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../../config/load-config.js';

/** A mistake in the command line: main prints it with the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Something the operator must fix (unknown trust, Redis down): main prints it and exits 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

export interface CliIo {
  out(line: string): void;
  /** Progress and warnings: stderr, so stdout stays clean for pipes. */
  progress(line: string): void;
}

export const stdio: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  progress: (line) => process.stderr.write(`${line}\n`),
};

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

/** Strict option parsing: an unknown option or a missing value is a UsageError. */
export function parseOptions<T extends OptionSpec>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function requireOption(value: string | boolean | undefined, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value.trim();
}

export function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--${name} must be a positive whole number`);
  return Number(value);
}

/** The service configuration, or a one-line reason (exit 1) instead of a stack trace. */
export function cliConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandError(error.message);
    throw error;
  }
}

export { isWorkingDay } from './working-days.js';

export type DeadlineBand = 'breached' | 'under_25pct' | 'under_50pct' | 'ok';

export interface TimeLeft {
  /** Milliseconds until the deadline; negative once it has passed. */
  ms: number;
  band: DeadlineBand;
}

/**
 * Time left until `deadline` at `now`, banded by the share of the response window
 * (receivedAt → deadline) still left. The deadline instant itself still counts as in time.
 */
export function timeLeft(deadline: Date, now: Date, receivedAt: Date): TimeLeft {
  const ms = deadline.getTime() - now.getTime();
  const windowMs = deadline.getTime() - receivedAt.getTime();
  if (!Number.isFinite(ms) || !Number.isFinite(windowMs)) throw new RangeError('invalid date');
  if (ms < 0) return { ms, band: 'breached' };
  if (windowMs <= 0) return { ms, band: 'under_25pct' };
  const left = ms / windowMs;
  return { ms, band: left < 0.25 ? 'under_25pct' : left < 0.5 ? 'under_50pct' : 'ok' };
}

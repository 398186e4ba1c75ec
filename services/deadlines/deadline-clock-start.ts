/** Why a deadline's clock started when it did; recorded beside the deadline. */
export type ClockStartReason = 'posted' | 'monitoring_started';

export interface ClockStart {
  at: Date;
  reason: ClockStartReason;
}

/**
 * A team cannot answer a comment before its account is monitored: a comment posted before the
 * account went active (the first polls' backlog) counts from the activation, not from posting.
 * `monitoringStartedAt` is null for accounts activated before this was recorded.
 */
export function deadlineClockStart(postedAt: Date, monitoringStartedAt: Date | null): ClockStart {
  if (monitoringStartedAt && monitoringStartedAt.getTime() > postedAt.getTime()) {
    return { at: monitoringStartedAt, reason: 'monitoring_started' };
  }
  return { at: postedAt, reason: 'posted' };
}

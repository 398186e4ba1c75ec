export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long the breaker stays open before one trial call is let through. */
  coolDownMs: number;
  now?: () => number;
}

/**
 * Stops calling a dependency that keeps failing, so a slow or broken moderation endpoint costs
 * one timeout per cool-down rather than one per comment.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private stateValue: BreakerState = 'closed';
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    if (this.stateValue === 'open' && this.now() - this.openedAt >= this.options.coolDownMs) {
      this.stateValue = 'half_open';
    }
    return this.stateValue;
  }

  /** True if a call may go ahead now; in half-open state only one trial at a time. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.stateValue = 'closed';
  }

  recordFailure(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.stateValue === 'half_open' || this.failures >= this.options.failureThreshold) {
      this.stateValue = 'open';
      this.openedAt = this.now();
    }
  }
}

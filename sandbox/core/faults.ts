// Faults a test switches on to see how an adapter copes, shared by every sandbox platform. Each
// applies to a platform's API requests (X: under /2/; never to /sandbox/ admin calls), optionally
// only to one endpoint: `endpoint` matches a route pattern exactly ('GET /2/users/:id/mentions')
// or any path containing it ('mentions').

export interface CountedFault {
  count: number;
  endpoint?: string;
}

export interface Status5xxFault {
  /** the next N matching requests */
  count?: number;
  /** or this share (0..1) of matching requests, until reset */
  rate?: number;
  endpoint?: string;
  /** 500, 502, 503 (default) or 504 */
  status?: number;
}

export interface RateLimitFault extends CountedFault {
  /** seconds until the window resets (default 3) */
  resetInSeconds?: number;
}

export interface FaultSettings {
  latencyMs?: number;
  status5xx?: Status5xxFault | null;
  rateLimitNext?: RateLimitFault | null;
  malformedJson?: CountedFault | null;
  connectionReset?: CountedFault | null;
}

export class SandboxFaults {
  latencyMs = 0;
  status5xx: Status5xxFault | null = null;
  rateLimitNext: RateLimitFault | null = null;
  malformedJson: CountedFault | null = null;
  connectionReset: CountedFault | null = null;

  constructor(private readonly random: () => number = Math.random) {}

  set(settings: FaultSettings): this {
    if (settings.latencyMs !== undefined) this.latencyMs = Math.max(0, settings.latencyMs);
    if (settings.status5xx !== undefined) this.status5xx = settings.status5xx;
    if (settings.rateLimitNext !== undefined) this.rateLimitNext = settings.rateLimitNext;
    if (settings.malformedJson !== undefined) this.malformedJson = settings.malformedJson;
    if (settings.connectionReset !== undefined) this.connectionReset = settings.connectionReset;
    return this;
  }

  reset(): void {
    this.latencyMs = 0;
    this.status5xx = null;
    this.rateLimitNext = null;
    this.malformedJson = null;
    this.connectionReset = null;
  }

  takeConnectionReset(endpoint: string, path: string): boolean {
    return takeCounted(this.connectionReset, endpoint, path);
  }

  takeRateLimit(endpoint: string, path: string): number | null {
    const fault = this.rateLimitNext;
    if (!takeCounted(fault, endpoint, path)) return null;
    return fault?.resetInSeconds ?? 3;
  }

  takeMalformed(endpoint: string, path: string): boolean {
    return takeCounted(this.malformedJson, endpoint, path);
  }

  take5xx(endpoint: string, path: string): number | null {
    const fault = this.status5xx;
    if (!fault || !matches(fault.endpoint, endpoint, path)) return null;
    if (fault.count !== undefined && fault.count > 0) {
      fault.count -= 1;
      return fault.status ?? 503;
    }
    if (fault.rate !== undefined && this.random() < fault.rate) return fault.status ?? 503;
    return null;
  }

  snapshot(): FaultSettings {
    return {
      latencyMs: this.latencyMs,
      status5xx: this.status5xx,
      rateLimitNext: this.rateLimitNext,
      malformedJson: this.malformedJson,
      connectionReset: this.connectionReset,
    };
  }
}

function takeCounted(fault: CountedFault | null, endpoint: string, path: string): boolean {
  if (!fault || fault.count <= 0 || !matches(fault.endpoint, endpoint, path)) return false;
  fault.count -= 1;
  return true;
}

function matches(filter: string | undefined, endpoint: string, path: string): boolean {
  return filter === undefined || filter === endpoint || path.includes(filter);
}

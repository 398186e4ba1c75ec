// Every API request a sandbox platform answered, in order, shared by all platforms: tests read it
// to see what the product asked of a platform (and what it did not), the fault suite to see
// which faults fired.

export interface RequestLogEntry {
  method: string;
  path: string;
  /** the query string, '' when none */
  query: string;
  /** route pattern, e.g. 'GET /2/users/:id/mentions'; null for unknown routes */
  endpoint: string | null;
  at: Date;
  tokenUser: string | null;
  status: number;
  fault: string | null;
}

const LOG_LIMIT = 200_000;

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  record(entry: RequestLogEntry): RequestLogEntry {
    if (this.entries.length >= LOG_LIMIT) this.entries.splice(0, this.entries.length - LOG_LIMIT + 1);
    this.entries.push(entry);
    return entry;
  }

  /** requests that could change state on the platform (anything but GET) */
  stateChanges(): RequestLogEntry[] {
    return this.entries.filter((e) => e.method !== 'GET' && e.method !== 'HEAD');
  }

  requestsTo(endpoint: string): RequestLogEntry[] {
    return this.entries.filter((e) => e.endpoint === endpoint);
  }
}

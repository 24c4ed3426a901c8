/** One request the emulator received, admin requests excepted. */
export interface RequestLogEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string without the leading `?`, empty when there was none. */
  query: string;
  /** Matched route pattern such as `POST /authorization/organization_memberships/:id/check`, `null` when none matched. */
  route: string | null;
  /** Response status; `null` when a fault dropped the connection or the request never got a response. */
  status: number | null;
  /** Time from receipt to the end of the response, in milliseconds. */
  durationMs: number;
  /** Kind of the injected fault that handled the request, `null` when none did. */
  fault: string | null;
  /** When the request arrived, as an ISO-8601 string. */
  startedAt: string;
}

/** Keeps the most recent requests, oldest first. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];

  constructor(private readonly capacity = 10_000) {}

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) {
      this.entries.splice(0, this.entries.length - this.capacity);
    }
  }

  list(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries = [];
  }
}

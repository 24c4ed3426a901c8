import { startChild, type ChildHandle } from './child.js';

/** One autocannon measurement. */
export interface LoadRequest {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  /** Requests each connection sends in turn; a GET of `url` when omitted. */
  requests?: { method: 'GET' | 'POST'; path: string; body?: string }[];
}

/** Result of one measurement as autocannon reports it. */
export interface LoadResult {
  /** Mean of the per-second request counts. */
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** The autocannon process, reused for every measurement of a suite. */
export interface LoadGenerator {
  run(request: LoadRequest): Promise<LoadResult>;
  stop(): Promise<void>;
}

/** Starts the autocannon process. */
export async function startLoadGenerator(): Promise<LoadGenerator> {
  const child: ChildHandle<unknown> = await startChild('load', {});
  return {
    run: (load) => child.request<LoadResult>({ load }),
    stop: () => child.stop(),
  };
}

/** Throws when a measurement had failed requests, because its numbers would describe errors, not the route. */
export function assertClean(label: string, result: LoadResult): void {
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${label}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts; the measurement is not valid.`);
  }
  if (result.ok === 0) {
    throw new Error(`${label}: no successful response.`);
  }
}

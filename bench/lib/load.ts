import { startChild, type ChildHandle } from './child.js';

/** One endpoint to load. */
export interface LoadTarget {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** Requests each connection sends in turn; a GET of `url` when omitted. */
  requests?: { method: 'GET' | 'POST'; path: string; body?: string }[];
}

/**
 * A paired measurement: the targets are loaded in turn, one slice each, for
 * `slices` rounds. Short alternating slices keep background load on a shared
 * machine from favouring whichever target happened to run during a quiet
 * moment.
 */
export interface LoadRequest {
  targets: LoadTarget[];
  connections: number;
  sliceSeconds: number;
  slices: number;
}

/** Result of one target over all its slices. */
export interface LoadResult {
  /** Successful (2xx) responses divided by the time spent loading this target. */
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
  run(request: LoadRequest): Promise<Record<string, LoadResult>>;
  stop(): Promise<void>;
}

/** Starts the autocannon process. */
export async function startLoadGenerator(): Promise<LoadGenerator> {
  const child: ChildHandle<unknown> = await startChild('load', {});
  return {
    run: (load) => child.request<Record<string, LoadResult>>({ load }),
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

/** Splits a duration into alternating slices of about one second. */
export function slicesOf(durationSeconds: number): { sliceSeconds: number; slices: number } {
  const slices = Math.max(1, Math.round(durationSeconds));
  return { slices, sliceSeconds: durationSeconds / slices };
}

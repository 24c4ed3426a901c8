/** Returns the median of the values; NaN for an empty list. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * Returns the p-th percentile (0-100) of the values by linear interpolation
 * between the closest ranks; NaN for an empty list.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }

  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower]!;
  const high = sorted[upper]!;
  return low + (high - low) * (rank - lower);
}

/** Latency distribution of one run, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p99: number;
  mean: number;
}

/** Summarizes latency samples in milliseconds. */
export function summarizeLatency(samples: readonly number[]): LatencySummary {
  const sum = samples.reduce((total, value) => total + value, 0);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean: samples.length === 0 ? Number.NaN : sum / samples.length };
}

/**
 * Takes the median of every numeric field over several runs of the same
 * measurement. Fields that are not numbers are taken from the first run.
 */
export function medianOfRuns<T extends object>(runs: readonly T[]): T {
  const first = runs[0];
  if (first === undefined) {
    throw new RangeError('medianOfRuns needs at least one run');
  }

  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(first)) {
    if (typeof value === 'number') {
      result[key] = median(runs.map((run) => (run as Record<string, unknown>)[key] as number));
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      result[key] = medianOfRuns(runs.map((run) => (run as Record<string, unknown>)[key] as object));
    } else {
      result[key] = value;
    }
  }
  return result as T;
}

/** Current time in milliseconds with sub-millisecond resolution. */
export function now(): number {
  return performance.now();
}

/** Rounds for display: three significant digits, at most two decimals. */
export function round(value: number): number {
  if (!Number.isFinite(value)) {
    return value;
  }
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Runs `task` over the items with at most `limit` calls in flight; results keep input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;

  async function lane(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  }

  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

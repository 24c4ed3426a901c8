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

/** Current time in milliseconds with sub-millisecond resolution. */
export function now(): number {
  return performance.now();
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

/**
 * Generates HTTP load with autocannon in its own process, so that the load
 * generator and the server under test do not share an event loop.
 */
import autocannon from 'autocannon';
import { serveParent } from '../lib/child.js';
import type { LoadRequest, LoadResult, LoadTarget } from '../lib/load.js';
import { percentile } from '../lib/stats.js';

interface Totals {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  latencies: number[];
}

function runSlice(target: LoadTarget, connections: number, seconds: number, totals: Totals): Promise<void> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        connections,
        duration: seconds,
        headers: target.headers,
        ...(target.requests === undefined ? {} : { requests: target.requests }),
      },
      (error: Error | null, result: autocannon.Result) => {
        if (error !== null) {
          reject(error);
          return;
        }

        totals.ok += result['2xx'];
        totals.non2xx += result.non2xx;
        totals.errors += result.errors;
        totals.timeouts += result.timeouts;
        totals.seconds += result.duration;
        resolve();
      },
    );

    // autocannon's own histogram keeps whole milliseconds, too coarse for
    // sub-millisecond routes, so percentiles come from the raw response times.
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) {
        totals.latencies.push(responseTime);
      }
    });
  });
}

async function runLoad(request: LoadRequest): Promise<Record<string, LoadResult>> {
  const totals = new Map<string, Totals>(
    request.targets.map((target) => [target.name, { ok: 0, non2xx: 0, errors: 0, timeouts: 0, seconds: 0, latencies: [] }]),
  );

  for (let slice = 0; slice < request.slices; slice++) {
    // Reverse the order every other round, so that no target always follows the same one.
    const targets = slice % 2 === 0 ? request.targets : [...request.targets].reverse();
    for (const target of targets) {
      await runSlice(target, request.connections, request.sliceSeconds, totals.get(target.name)!);
    }
  }

  const results: Record<string, LoadResult> = {};
  for (const [name, total] of totals) {
    results[name] = {
      requestsPerSecond: total.ok / total.seconds,
      latencyP50Ms: percentile(total.latencies, 50),
      latencyP99Ms: percentile(total.latencies, 99),
      ok: total.ok,
      non2xx: total.non2xx,
      errors: total.errors,
      timeouts: total.timeouts,
    };
  }
  return results;
}

serveParent((message) => runLoad(message.load as LoadRequest), async () => undefined);
process.send?.({ ready: true });

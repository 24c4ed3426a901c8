/**
 * Generates HTTP load with autocannon in its own process, so that the load
 * generator and the server under test do not share an event loop.
 */
import autocannon from 'autocannon';
import { serveParent } from '../lib/child.js';
import type { LoadRequest, LoadResult } from '../lib/load.js';
import { percentile } from '../lib/stats.js';

function runLoad(request: LoadRequest): Promise<LoadResult> {
  // autocannon's own histogram keeps whole milliseconds, too coarse for
  // sub-millisecond routes, so percentiles come from the raw response times.
  const latencies: number[] = [];

  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: request.url,
        connections: request.connections,
        duration: request.durationSeconds,
        headers: request.headers,
        ...(request.requests === undefined ? {} : { requests: request.requests }),
      },
      (error: Error | null, result: autocannon.Result) => {
        if (error !== null) {
          reject(error);
          return;
        }

        resolve({
          requestsPerSecond: result.requests.average,
          latencyP50Ms: percentile(latencies, 50),
          latencyP99Ms: percentile(latencies, 99),
          ok: result['2xx'],
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );

    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) {
        latencies.push(responseTime);
      }
    });
  });
}

serveParent((message) => runLoad(message.load as LoadRequest), async () => undefined);
process.send?.({ ready: true });

/**
 * `pnpm bench`: runs the fgakit benchmarks and writes their medians to
 * bench/results/latest.json. `pnpm bench -- --help` lists the options.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { HELP, parseOptions, type BenchOptions, type SuiteName } from './lib/options.js';
import { formatReport } from './report.js';
import { runChecksSuite } from './suites/checks.js';
import { runFilterSuite } from './suites/filter.js';
import { runGuardSuite } from './suites/guard.js';
import { runScaleSuite } from './suites/scale.js';
import { runSyncSuite } from './suites/sync.js';

const root = fileURLToPath(new URL('..', import.meta.url));

async function assertRedisReachable(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    throw new Error(`Redis is not reachable at ${url}: start Redis 6.2 or newer there, or pass --redis-url.`);
  } finally {
    redis.disconnect();
  }
}

const suites: Record<SuiteName, (options: BenchOptions) => Promise<unknown>> = {
  guard: runGuardSuite,
  checks: runChecksSuite,
  filter: runFilterSuite,
  sync: runSyncSuite,
  scale: runScaleSuite,
};

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === undefined) {
    console.log(HELP);
    return;
  }

  await assertRedisReachable(options.redisUrl);

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
  const startedAt = new Date().toISOString();
  const results: Record<string, unknown> = {};

  for (const name of options.suites) {
    console.log(`\n== ${name}`);
    const started = performance.now();
    const loadBefore = loadavg();
    const result = await suites[name](options);
    const seconds = (performance.now() - started) / 1000;

    // The load average shows how much else ran on the machine, which moves every figure.
    results[name] = { seconds, loadAverageBefore: loadBefore, loadAverageAfter: loadavg(), result };
    console.log(`   ${name} took ${seconds.toFixed(1)} s, load average ${loadBefore[0]!.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`);
  }

  const output = resolve(root, options.output);
  await mkdir(dirname(output), { recursive: true });
  const report = { startedAt, finishedAt: new Date().toISOString(), machine, options, results };
  await writeFile(output, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${formatReport(report)}`);
  console.log(`\nResults written to ${output}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

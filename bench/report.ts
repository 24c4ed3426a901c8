/**
 * Formats benchmark results as Markdown tables. `pnpm bench` prints them at
 * the end. `tsx bench/report.ts [FILE]` prints them for a saved results file,
 * bench/results/latest.json by default.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChecksRun } from './suites/checks.js';
import type { FilterRun } from './suites/filter.js';
import type { GuardFrameworkResult } from './suites/guard.js';
import type { ScaleRun } from './suites/scale.js';
import type { SyncSetting } from './suites/sync.js';

interface SuiteEntry<T> {
  seconds: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  result: T;
}

/** Shape of bench/results/latest.json. */
export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; totalMemoryBytes: number; node: string; platform: string };
  options: { runs: number; checks: { throughputConcurrency: number; concurrent: number } };
  results: {
    guard?: SuiteEntry<{ frameworks: GuardFrameworkResult[] }>;
    checks?: SuiteEntry<{ runs: ChecksRun[]; median: ChecksRun }>;
    filter?: SuiteEntry<{ items: number; allowedItems: number; runs: FilterRun[]; median: FilterRun }>;
    sync?: SuiteEntry<{ workerConcurrency: number; settings: SyncSetting[] }>;
    scale?: SuiteEntry<{
      small: { resources: number; memberships: number };
      large: { resources: number; memberships: number };
      runs: ScaleRun[];
      median: {
        smallChecksPerSecond: number;
        largeChecksPerSecond: number;
        throughputRatio: number;
        noiseRatio: number;
        smallP50Ms: number;
        largeP50Ms: number;
        smallP99Ms: number;
        largeP99Ms: number;
        largeSeedLoadMs: number;
      };
    }>;
  };
}

function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function whole(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

function percent(ratio: number): string {
  return `${fixed(ratio * 100, 1)}%`;
}

function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const row of rows) {
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

function suiteNote(entry: SuiteEntry<unknown>): string {
  return `_${fixed(entry.seconds, 0)} s; load average ${fixed(entry.loadAverageBefore[0]!, 1)} before, ${fixed(entry.loadAverageAfter[0]!, 1)} after._`;
}

/** Formats every suite present in the results as a Markdown section. */
export function formatReport(results: BenchResults): string {
  const sections: string[] = [];
  const { guard, checks, filter, sync, scale } = results.results;

  if (guard !== undefined) {
    const rows = guard.result.frameworks.map((entry) => [
      entry.framework,
      whole(entry.median.unguardedRequestsPerSecond),
      whole(entry.median.guardedRequestsPerSecond),
      percent(entry.median.throughputRatio),
      `≥ ${percent(entry.target)}`,
      entry.targetMet ? 'yes' : 'no',
      `${fixed(entry.median.unguardedP50Ms)} / ${fixed(entry.median.guardedP50Ms)}`,
      `${fixed(entry.median.unguardedP99Ms)} / ${fixed(entry.median.guardedP99Ms)}`,
      fixed(1e6 / entry.median.guardedRequestsPerSecond - 1e6 / entry.median.unguardedRequestsPerSecond, 1),
      whole(entry.median.upstreamChecks),
    ]);
    sections.push(
      [
        '### Guard overhead (cached decision)',
        table(['Framework', 'Unguarded req/s', 'Guarded req/s', 'Guarded / unguarded', 'Target', 'Met', 'p50 ms (unguarded / guarded)', 'p99 ms (unguarded / guarded)', 'Added µs per request', 'Upstream checks'], rows),
        suiteNote(guard),
      ].join('\n\n'),
    );
  }

  if (checks !== undefined) {
    const { sequential, throughput, concurrent } = checks.result.median;
    const labels = {
      sdk: 'SDK `authorization.check`, no fgakit',
      fgakit: 'fgakit, membership id',
      fgakitAppSubject: 'fgakit, app user and organization ids',
      fgakitCached: 'fgakit, decision cache (hit)',
    } as const;
    const rows = (Object.keys(labels) as (keyof typeof labels)[]).map((variant) => [
      labels[variant],
      fixed(sequential[variant].p50Ms, 3),
      fixed(sequential[variant].p99Ms, 3),
      fixed(sequential[variant].p50Ms / sequential.sdk.p50Ms),
      fixed(sequential[variant].upstreamCallsPerCheck),
      fixed(sequential[variant].upstreamChecksPerCheck),
    ]);
    sections.push(
      [
        '### Checks against the emulator',
        table(['Check made through', 'p50 ms', 'p99 ms', 'p50 / SDK p50', 'Upstream calls per check', 'Upstream checks per check'], rows),
        table(
          ['Measurement', 'SDK', 'fgakit', 'fgakit / SDK'],
          [
            [`Uncached checks per second, ${results.options.checks.throughputConcurrency} in flight`, whole(throughput.sdk), whole(throughput.fgakit), fixed(throughput.ratio)],
            [`Upstream checks for ${results.options.checks.concurrent} identical concurrent checks`, whole(concurrent.identicalSdk), whole(concurrent.identicalFgakit), '—'],
            [`Upstream checks for ${results.options.checks.concurrent} concurrent checks over ${concurrent.distinctChecks} distinct ones`, '—', whole(concurrent.distinctFgakit), '—'],
          ],
        ),
        suiteNote(checks),
      ].join('\n\n'),
    );
  }

  if (filter !== undefined) {
    const { methods, speedupOverSdk } = filter.result.median;
    const labels = {
      fgakitParent: 'fgakit `filterAuthorized` with `parent` (discovery)',
      fgakitPerItem: 'fgakit `filterAuthorized`, one check per item',
      sdkPerItem: 'SDK, one `authorization.check` per item',
    } as const;
    const rows = (Object.keys(labels) as (keyof typeof labels)[]).map((method) => [
      labels[method],
      fixed(methods[method].p50Ms),
      fixed(methods[method].p99Ms),
      fixed(methods[method].upstreamCallsPerList),
    ]);
    sections.push(
      [
        `### Filtering a list of ${filter.result.items} workspaces (${filter.result.allowedItems} allowed)`,
        table(['Method', 'p50 ms per list', 'p99 ms per list', 'Upstream calls per list'], rows),
        `SDK per item time / fgakit discovery time: ${fixed(speedupOverSdk, 1)}×.`,
        suiteNote(filter),
      ].join('\n\n'),
    );
  }

  if (sync !== undefined) {
    const rows = sync.result.settings.map((setting) => [
      whole(setting.intents),
      `${setting.latencyMs} ms`,
      setting.jobsPerSecond === null ? 'off' : `${setting.jobsPerSecond} jobs/s`,
      whole(setting.median.intentsPerSecond),
      whole(setting.median.enqueuedPerSecond),
      whole(setting.median.convergenceP50Ms),
      whole(setting.median.convergenceP99Ms),
      fixed(setting.median.writesPerIntent),
      whole(setting.median.retries),
    ]);
    sections.push(
      [
        `### Sync throughput (worker concurrency ${sync.result.workerConcurrency})`,
        table(['Intents', 'Emulator latency', 'Worker rate limit', 'Applied intents/s', 'Enqueued intents/s', 'Convergence p50 ms', 'Convergence p99 ms', 'Writes per intent', 'Retries'], rows),
        suiteNote(sync),
      ].join('\n\n'),
    );
  }

  if (scale !== undefined) {
    const { small, large, median } = scale.result;
    sections.push(
      [
        '### Emulator check throughput by environment size',
        table(
          ['Environment', 'Resources', 'Memberships', 'Checks/s', 'p50 ms', 'p99 ms'],
          [
            ['small', whole(small.resources), whole(small.memberships), whole(median.smallChecksPerSecond), fixed(median.smallP50Ms), fixed(median.smallP99Ms)],
            ['large', whole(large.resources), whole(large.memberships), whole(median.largeChecksPerSecond), fixed(median.largeP50Ms), fixed(median.largeP99Ms)],
          ],
        ),
        `Large / small throughput: ${fixed(median.throughputRatio)}. Second small emulator / first (A/A, same environment): ${fixed(median.noiseRatio)}. ` +
          `The large environment was seeded in ${whole(median.largeSeedLoadMs)} ms.`,
        suiteNote(scale),
      ].join('\n\n'),
    );
  }

  return sections.join('\n\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const file = resolve(root, process.argv[2] ?? 'bench/results/latest.json');
  const results = JSON.parse(await readFile(file, 'utf8')) as BenchResults;
  console.log(formatReport(results));
}

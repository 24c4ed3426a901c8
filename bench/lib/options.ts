import { parseArgs } from 'node:util';

/** Benchmarks `pnpm bench` can run, in the order it runs them. */
export const SUITES = ['guard', 'checks', 'filter', 'sync', 'scale'] as const;
export type SuiteName = (typeof SUITES)[number];

export const FRAMEWORKS = ['express', 'koa', 'fastify'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** Every setting of a benchmark run. */
export interface BenchOptions {
  suites: SuiteName[];
  /** Repetitions of every measurement; the report gives the median. */
  runs: number;
  redisUrl: string;
  output: string;
  guard: { frameworks: Framework[]; durationSeconds: number; warmupSeconds: number; connections: number };
  checks: { sequential: number; concurrent: number; distinct: number; throughputChecks: number; throughputConcurrency: number };
  filter: { items: number; lists: number; concurrency: number };
  sync: { sizes: number[]; latencyMs: number; workerConcurrency: number; timeoutSeconds: number };
  scale: { resources: number; memberships: number; smallResources: number; smallMemberships: number; durationSeconds: number; connections: number };
}

type Preset = Omit<BenchOptions, 'suites' | 'redisUrl' | 'output'>;

/** `default` fits a few minutes on two cores; `quick` checks that every suite works; `large` is for bigger machines. */
const PRESETS: Record<'quick' | 'default' | 'large', Preset> = {
  quick: {
    runs: 1,
    guard: { frameworks: [...FRAMEWORKS], durationSeconds: 1, warmupSeconds: 0.5, connections: 10 },
    checks: { sequential: 50, concurrent: 100, distinct: 10, throughputChecks: 200, throughputConcurrency: 16 },
    filter: { items: 100, lists: 3, concurrency: 8 },
    sync: { sizes: [100, 300], latencyMs: 20, workerConcurrency: 20, timeoutSeconds: 120 },
    scale: { resources: 5_000, memberships: 500, smallResources: 100, smallMemberships: 10, durationSeconds: 1, connections: 10 },
  },
  default: {
    runs: 3,
    guard: { frameworks: [...FRAMEWORKS], durationSeconds: 5, warmupSeconds: 1, connections: 10 },
    checks: { sequential: 300, concurrent: 100, distinct: 10, throughputChecks: 1_000, throughputConcurrency: 16 },
    filter: { items: 100, lists: 10, concurrency: 8 },
    sync: { sizes: [1_000, 10_000], latencyMs: 20, workerConcurrency: 20, timeoutSeconds: 300 },
    scale: { resources: 100_000, memberships: 10_000, smallResources: 100, smallMemberships: 10, durationSeconds: 5, connections: 10 },
  },
  large: {
    runs: 5,
    guard: { frameworks: [...FRAMEWORKS], durationSeconds: 10, warmupSeconds: 2, connections: 50 },
    checks: { sequential: 1_000, concurrent: 1_000, distinct: 100, throughputChecks: 5_000, throughputConcurrency: 64 },
    filter: { items: 100, lists: 30, concurrency: 8 },
    sync: { sizes: [1_000, 10_000, 50_000], latencyMs: 20, workerConcurrency: 20, timeoutSeconds: 900 },
    scale: { resources: 1_000_000, memberships: 100_000, smallResources: 100, smallMemberships: 10, durationSeconds: 10, connections: 50 },
  },
};

export const HELP = `Usage: pnpm bench [-- options]

Runs the fgakit benchmarks against the emulator and a local Redis, and writes
the medians to bench/results/latest.json.

  --only LIST              suites to run, comma-separated: ${SUITES.join(', ')} (default: all)
  --size NAME              preset: quick, default or large (default: default)
  --runs N                 repetitions of each measurement; the report gives medians
  --frameworks LIST        guard suite: ${FRAMEWORKS.join(', ')}
  --duration SECONDS       guard suite: load per measurement
  --connections N          guard and scale suites: autocannon connections
  --sync-sizes LIST        sync suite: intents per measurement, comma-separated
  --sync-latency MS        sync suite: emulator latency of the second setting (the first is 0)
  --sync-concurrency N     sync suite: worker concurrency
  --scale-resources N      scale suite: resources in the large environment
  --scale-memberships N    scale suite: memberships in the large environment
  --scale-duration SECONDS scale suite: load per measurement
  --redis-url URL          Redis for the check cache and sync (default: REDIS_URL or redis://127.0.0.1:6379)
  --output FILE            JSON results (default: bench/results/latest.json)
  --help                   print this text
`;

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new Error(`Invalid --${name} ${JSON.stringify(value)}: pass a whole number of at least 1.`);
  }
  return parsed;
}

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new Error(`Invalid --${name} ${JSON.stringify(value)}: pass a number greater than 0.`);
  }
  return parsed;
}

function list<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T[]): T[] {
  if (value === undefined) {
    return fallback;
  }
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    if (!(allowed as readonly string[]).includes(entry)) {
      throw new Error(`Invalid --${name} entry ${JSON.stringify(entry)}: use one of ${allowed.join(', ')}.`);
    }
  }
  if (entries.length === 0) {
    throw new Error(`Invalid --${name} ${JSON.stringify(value)}: name at least one of ${allowed.join(', ')}.`);
  }
  return entries as T[];
}

/** Parses the command line; returns undefined when --help was given. */
export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv.filter((argument) => argument !== '--'),
    options: {
      only: { type: 'string' },
      size: { type: 'string' },
      runs: { type: 'string' },
      frameworks: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      'sync-sizes': { type: 'string' },
      'sync-latency': { type: 'string' },
      'sync-concurrency': { type: 'string' },
      'scale-resources': { type: 'string' },
      'scale-memberships': { type: 'string' },
      'scale-duration': { type: 'string' },
      'redis-url': { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    return undefined;
  }

  const size = values.size ?? 'default';
  if (size !== 'quick' && size !== 'default' && size !== 'large') {
    throw new Error(`Invalid --size ${JSON.stringify(size)}: use quick, default or large.`);
  }
  const preset = PRESETS[size];

  const syncSizes =
    values['sync-sizes'] === undefined
      ? preset.sync.sizes
      : values['sync-sizes'].split(',').map((entry) => positiveInteger('sync-sizes', entry.trim(), 1));
  const connections = positiveInteger('connections', values.connections, preset.guard.connections);

  return {
    suites: list('only', values.only, SUITES, [...SUITES]),
    runs: positiveInteger('runs', values.runs, preset.runs),
    redisUrl: values['redis-url'] ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    output: values.output ?? 'bench/results/latest.json',
    guard: {
      ...preset.guard,
      frameworks: list('frameworks', values.frameworks, FRAMEWORKS, preset.guard.frameworks),
      durationSeconds: positiveNumber('duration', values.duration, preset.guard.durationSeconds),
      connections,
    },
    checks: preset.checks,
    filter: preset.filter,
    sync: {
      ...preset.sync,
      sizes: syncSizes,
      latencyMs: positiveNumber('sync-latency', values['sync-latency'], preset.sync.latencyMs),
      workerConcurrency: positiveInteger('sync-concurrency', values['sync-concurrency'], preset.sync.workerConcurrency),
    },
    scale: {
      ...preset.scale,
      resources: positiveInteger('scale-resources', values['scale-resources'], preset.scale.resources),
      memberships: positiveInteger('scale-memberships', values['scale-memberships'], preset.scale.memberships),
      durationSeconds: positiveNumber('scale-duration', values['scale-duration'], preset.scale.durationSeconds),
      connections: positiveInteger('connections', values.connections, preset.scale.connections),
    },
  };
}

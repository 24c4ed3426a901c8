import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Queue, type Job } from 'bullmq';
import { createWorkOS } from './workos.js';
import { importJsonl } from './sync/import.js';
import { PRIORITY, type SyncJobData } from './sync/jobs.js';
import { QUEUE_NAME } from './sync/keys.js';
import { reconcile, type SourceEntity } from './sync/reconcile.js';
import { createSync, type Sync } from './sync/sync.js';

const USAGE = `Usage: fgakit <command> [options]

Commands:
  status                         Queue depth, lagging entities and oldest lag
  failed list [--limit N]        Jobs in the failed set, newest first (default 20)
  failed show <job-id>           One failed job with its reason and desired state
  failed retry <job-id>|--all    Move failed jobs back to the queue
  failed discard <job-id>|--all  Remove failed jobs (their entities stay marked failed)
  drain [--timeout-ms N]         Wait until every recorded change reached WorkOS or failed
  sweep                          Enqueue every lagging entity that has not failed
  resume                         Resume a queue paused after a 401 or 403 from WorkOS
  reconcile --source FILE [--dry-run]
                                 Compare entities (JSONL, one per line) with WorkOS and repair drift
  import FILE [--name NAME] [--lines-per-second N]
                                 Import organizations, users and memberships from JSONL

Options:
  --redis URL             Redis URL (env REDIS_URL; default redis://127.0.0.1:6379)
  --prefix PREFIX         Key prefix shared with the app and worker (env FGAKIT_PREFIX; default fgakit)
  --workos-base-url URL   WorkOS API URL for reconcile and import (env WORKOS_BASE_URL)
                          The API key is read from env WORKOS_API_KEY only.
  --json                  Print JSON for scripts
  -h, --help              Print this help
`;

/** Streams the command writes to. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

interface Context {
  sync: Sync;
  queue: Queue<SyncJobData>;
  json: boolean;
  io: CliIo;
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

class UsageError extends Error {}

/** A request the command understood but could not carry out, such as an unknown job id. */
class NotFoundError extends Error {}

function print(context: Context, json: unknown, text: string): void {
  context.io.stdout(context.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
}

function describeJob(job: Job<SyncJobData>): { id: string | undefined; entity: string; failedReason: string; attemptsMade: number; finishedOn: string | undefined } {
  return {
    id: job.id,
    entity: job.data.entity,
    failedReason: job.failedReason,
    attemptsMade: job.attemptsMade,
    finishedOn: job.finishedOn === undefined ? undefined : new Date(job.finishedOn).toISOString(),
  };
}

async function status(context: Context): Promise<void> {
  const counts = await context.queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed', 'paused');
  const lagging = await context.sync.store.laggingCount();
  const oldest = await context.sync.store.lagging(Date.now(), 1);
  const paused = await context.queue.isPaused();
  const oldestLagMs = oldest[0] === undefined ? 0 : Date.now() - oldest[0].since;
  const waiting = (counts['wait'] ?? 0) + (counts['prioritized'] ?? 0) + (counts['paused'] ?? 0);

  print(
    context,
    { ...counts, waiting, lagging, oldestLagMs, paused },
    [
      `queue:    ${waiting} waiting, ${counts['active'] ?? 0} active, ${counts['delayed'] ?? 0} delayed, ${counts['failed'] ?? 0} failed${paused ? ' (paused)' : ''}`,
      `lagging:  ${lagging} entities, oldest for ${Math.round(oldestLagMs / 1000)} s`,
    ].join('\n'),
  );
}

async function failed(context: Context): Promise<void> {
  const [, action, id] = context.positionals;
  const all = context.values['all'] === true;

  if (action === 'list') {
    const limit = Number(context.values['limit'] ?? '20');
    const jobs = await context.queue.getFailed(0, limit - 1);
    const rows = jobs.map(describeJob);
    print(context, rows, rows.length === 0 ? 'No failed jobs.' : rows.map((r) => `${r.id ?? '?'}  ${r.entity}  ${r.failedReason}`).join('\n'));
    return;
  }

  if (action === 'show') {
    const job = id === undefined ? undefined : await context.queue.getJob(id);
    if (!job) {
      throw new NotFoundError(`No job ${JSON.stringify(id)}; list failed jobs with "fgakit failed list".`);
    }

    const desired = await context.sync.store.read(job.data.entity);
    const details = { ...describeJob(job), state: await job.getState(), stacktrace: job.stacktrace, desired };
    print(context, details, JSON.stringify(details, null, 2));
    return;
  }

  if (action === 'retry' || action === 'discard') {
    const jobs = all ? await context.queue.getFailed(0, -1) : id === undefined ? [] : [await context.queue.getJob(id)];
    if (jobs.length === 0 && !all) {
      throw new UsageError(`fgakit failed ${action} needs a job id or --all.`);
    }

    let done = 0;
    for (const job of jobs) {
      if (!job) {
        throw new NotFoundError(`No job ${JSON.stringify(id)}; list failed jobs with "fgakit failed list".`);
      }

      if (action === 'retry') {
        await job.retry('failed');
      } else {
        await job.remove();
      }

      done++;
    }

    print(context, { [action === 'retry' ? 'retried' : 'discarded']: done }, `${action === 'retry' ? 'Retried' : 'Discarded'} ${done} job(s).`);
    return;
  }

  throw new UsageError('fgakit failed needs one of: list, show, retry, discard.');
}

async function drain(context: Context): Promise<void> {
  const timeoutMs = Number(context.values['timeout-ms'] ?? '600000');
  const deadline = Date.now() + timeoutMs;

  for (;;) {
    const counts = await context.queue.getJobCounts('wait', 'prioritized', 'active', 'delayed');
    const open = Object.values(counts).reduce((sum, n) => sum + n, 0);
    const lagging = await context.sync.store.lagging(Date.now(), 10_000);
    const progress = await context.sync.store.progress(lagging.map((l) => l.key));
    const pending = progress.filter((p) => p.failedVersion < p.version).length;

    if (open === 0 && pending === 0) {
      print(context, { drained: true }, 'Drained: every recorded change reached WorkOS or is in the failed set.');
      return;
    }

    if (Date.now() > deadline) {
      throw new Error(`Not drained after ${timeoutMs} ms: ${open} jobs open, ${pending} entities lagging. Check that a worker runs.`);
    }

    if (!context.json) {
      context.io.stderr(`draining: ${open} jobs open, ${pending} entities lagging\n`);
    }

    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function sweep(context: Context): Promise<void> {
  const lagging = await context.sync.store.lagging(Date.now(), 100_000);
  const progress = await context.sync.store.progress(lagging.map((l) => l.key));
  const due = lagging.filter((_, index) => {
    const state = progress[index];
    return state !== undefined && state.failedVersion < state.version;
  });

  await context.sync.enqueue(
    due.map((l) => l.key),
    PRIORITY.change,
  );
  print(context, { enqueued: due.length }, `Enqueued ${due.length} lagging entities.`);
}

async function* readLines(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    yield line;
  }
}

function workosFromEnv(context: Context): ReturnType<typeof createWorkOS> {
  const apiKey = context.io.env['WORKOS_API_KEY'];
  if (apiKey === undefined || apiKey === '') {
    throw new UsageError('Set WORKOS_API_KEY to the WorkOS API key for reconcile and import.');
  }

  const baseUrl = (context.values['workos-base-url'] as string | undefined) ?? context.io.env['WORKOS_BASE_URL'];
  return createWorkOS({ apiKey, ...(baseUrl === undefined ? {} : { baseUrl }) });
}

async function reconcileCommand(context: Context): Promise<void> {
  const source = context.values['source'];
  if (typeof source !== 'string') {
    throw new UsageError('fgakit reconcile needs --source FILE (JSONL, one entity per line).');
  }

  async function* entities(): AsyncGenerator<SourceEntity> {
    for await (const line of readLines(source as string)) {
      if (line.trim() !== '') {
        yield JSON.parse(line) as SourceEntity;
      }
    }
  }

  const report = await reconcile({
    sync: context.sync,
    workos: workosFromEnv(context),
    source: entities(),
    dryRun: context.values['dry-run'] === true,
    onProgress: (p) => {
      if (!context.json && p.checked % 100 === 0) {
        context.io.stderr(`reconcile: ${p.checked} checked, ${p.drifted} drifted\n`);
      }
    },
  });

  print(
    context,
    report,
    [...report.drifted.map((d) => `${d.entity}: ${d.differences.join('; ')}`), `${report.checked} checked, ${report.drifted.length} drifted, ${report.repaired} repairs recorded.`].join('\n'),
  );
}

async function importCommand(context: Context): Promise<void> {
  const file = context.positionals[1];
  if (file === undefined) {
    throw new UsageError('fgakit import needs a JSONL file.');
  }

  const name = context.values['name'];
  const report = await importJsonl({
    sync: context.sync,
    workos: workosFromEnv(context),
    lines: readLines(file),
    ...(typeof name === 'string' ? { name } : {}),
    linesPerSecond: Number(context.values['lines-per-second'] ?? '10'),
    onProgress: (p) => {
      if (!context.json && p.line % 100 === 0) {
        context.io.stderr(`import: line ${p.line}, ${p.imported} imported, ${p.failed} failed\n`);
      }
    },
  });

  print(
    context,
    report,
    [...report.failed.map((f) => `line ${f.line}: ${f.reason}`), `${report.imported} imported, ${report.skipped} skipped (done before), ${report.failed.length} failed.`].join('\n'),
  );
}

/**
 * Runs the `fgakit` command and returns its exit code: 0 on success, 1 on a
 * failure, 2 on a usage error.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        redis: { type: 'string' },
        prefix: { type: 'string' },
        'workos-base-url': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        limit: { type: 'string' },
        all: { type: 'boolean' },
        'timeout-ms': { type: 'string' },
        source: { type: 'string' },
        'dry-run': { type: 'boolean' },
        name: { type: 'string' },
        'lines-per-second': { type: 'string' },
      },
    });
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }

  const command = parsed.positionals[0];
  if (parsed.values['help'] === true || command === undefined) {
    io.stdout(USAGE);
    return command === undefined && parsed.values['help'] !== true ? 2 : 0;
  }

  const redis = (parsed.values['redis'] as string | undefined) ?? io.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = (parsed.values['prefix'] as string | undefined) ?? io.env['FGAKIT_PREFIX'] ?? 'fgakit';
  const sync = createSync({ connection: redis, prefix });
  const queue = new Queue<SyncJobData>(QUEUE_NAME, { connection: sync.store.client, prefix: sync.store.keys.queuePrefix });
  const context: Context = { sync, queue, json: parsed.values['json'] === true, io, values: parsed.values, positionals: parsed.positionals };

  const commands: Record<string, (context: Context) => Promise<void>> = {
    status,
    failed,
    drain,
    sweep,
    resume: async (c) => {
      await c.queue.resume();
      print(c, { resumed: true }, 'Resumed the sync queue.');
    },
    reconcile: reconcileCommand,
    import: importCommand,
  };

  try {
    const run = commands[command];
    if (!run) {
      throw new UsageError(`Unknown command ${JSON.stringify(command)}.`);
    }

    await sync.ready();
    await run(context);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const usage = error instanceof UsageError;
    if (context.json) {
      io.stderr(`${JSON.stringify({ error: message, usage })}\n`);
    } else {
      io.stderr(usage ? `${message}\n\n${USAGE}` : `fgakit: ${message}\n`);
    }
    return usage ? 2 : 1;
  } finally {
    await queue.waitUntilReady().catch(() => undefined);
    await queue.close();
    await sync.close();
  }
}

/** Entry point of the `fgakit` binary. */
export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
}

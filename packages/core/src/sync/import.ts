import { randomUUID } from 'node:crypto';
import type { WorkOS } from '@workos-inc/node';
import { invalidationChannel } from '../invalidation.js';
import { applyDesiredState, type ApplyContext } from './apply.js';
import { planChange, planMembership, planUser, type Change } from './changes.js';
import { classifyWorkOSError, PermanentSyncError, PrerequisitePendingError } from './errors.js';
import { PRIORITY } from './jobs.js';
import type { Sync } from './sync.js';
import { withoutSdkRetries } from '../workos.js';

/** Progress of an import. */
export interface ImportProgress {
  /** Lines read, including skipped ones. */
  line: number;
  imported: number;
  failed: number;
}

/** Options of {@link importJsonl}. */
export interface ImportOptions {
  sync: Sync;
  workos: WorkOS;
  /** JSONL lines: one organization, user or membership per line. */
  lines: AsyncIterable<string> | Iterable<string>;
  /**
   * Name of this import. Its checkpoint (the last line done) is kept in
   * Redis under this name, and a run with the same name resumes after it.
   * @defaultValue `'default'`
   */
  name?: string;
  /**
   * Lines imported per second at most. Each line makes a few WorkOS requests;
   * WorkOS allows 500 user-management writes per 10 seconds.
   * @defaultValue `10`
   */
  linesPerSecond?: number;
  /** Attempts per line for network errors, timeouts, 5xx and 429. @defaultValue `5` */
  attempts?: number;
  /** Timeout of each WorkOS call, in milliseconds. @defaultValue `10000` */
  requestTimeoutMs?: number;
  onProgress?: (progress: ImportProgress) => void;
}

/** Result of {@link importJsonl}. */
export interface ImportReport {
  /** Lines skipped because an earlier run with the same name did them. */
  skipped: number;
  imported: number;
  failed: { line: number; reason: string }[];
}

type Row = Record<string, unknown>;

function field(row: Row, camel: string, snake: string): unknown {
  return row[camel] ?? row[snake];
}

function text(row: Row, camel: string, snake: string): string | undefined {
  const value = field(row, camel, snake);
  return typeof value === 'string' ? value : undefined;
}

/** Extra user fields passed to WorkOS and never recorded in Redis. */
interface Secrets {
  passwordHash?: string;
  passwordHashType?: string;
  emailVerified?: boolean;
}

/**
 * Turns a JSONL row into a change. Rows follow the shape of a WorkOS
 * migration export, in snake_case or camelCase:
 * `{"type":"organization","id","name"}`,
 * `{"type":"user","id","email","first_name","last_name","email_verified","password_hash","password_hash_type"}`,
 * `{"type":"membership","user_id","organization_id","roles"}`.
 */
function planRow(row: Row): { change: Change; secrets: Secrets } {
  switch (row['type']) {
    case 'organization':
      return { change: planChange('upsertOrganization', { id: text(row, 'id', 'id') ?? '', name: text(row, 'name', 'name') ?? '' }), secrets: {} };

    case 'user': {
      const firstName = text(row, 'firstName', 'first_name');
      const lastName = text(row, 'lastName', 'last_name');
      const passwordHash = text(row, 'passwordHash', 'password_hash');
      const passwordHashType = text(row, 'passwordHashType', 'password_hash_type');
      const emailVerified = field(row, 'emailVerified', 'email_verified');
      return {
        change: planUser({
          userId: text(row, 'id', 'user_id') ?? '',
          email: text(row, 'email', 'email') ?? '',
          ...(firstName === undefined ? {} : { firstName }),
          ...(lastName === undefined ? {} : { lastName }),
        }),
        secrets: {
          ...(passwordHash === undefined ? {} : { passwordHash }),
          ...(passwordHashType === undefined ? {} : { passwordHashType }),
          ...(typeof emailVerified === 'boolean' ? { emailVerified } : {}),
        },
      };
    }

    case 'membership': {
      const roles = field(row, 'roles', 'role_slugs');
      const role = text(row, 'role', 'role_slug');
      return {
        change: planMembership({
          userId: text(row, 'userId', 'user_id') ?? '',
          organizationId: text(row, 'organizationId', 'organization_id') ?? '',
          ...(Array.isArray(roles) ? { roles: roles as string[] } : role === undefined ? {} : { roles: [role] }),
        }),
        secrets: {},
      };
    }

    default:
      throw new PermanentSyncError(`unknown type ${JSON.stringify(row['type'])}; expected organization, user or membership`);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Imports organizations, users and memberships from JSONL straight into
 * WorkOS, recording each as desired state so that later sync calls build on
 * it. Rate-limited, and resumable through a checkpoint in Redis.
 *
 * @remarks
 * Password hashes go to WorkOS's create-user call and are not stored. A user
 * that already exists keeps its password: WorkOS users are found by external
 * id before anything is created.
 */
export async function importJsonl(options: ImportOptions): Promise<ImportReport> {
  const { sync } = options;
  const store = sync.store;
  const checkpointKey = `${store.keys.state}import:${options.name ?? 'default'}`;
  const intervalMs = 1_000 / (options.linesPerSecond ?? 10);
  const attempts = options.attempts ?? 5;
  const workos = withoutSdkRetries(options.workos, options.requestTimeoutMs ?? 10_000);
  const channel = invalidationChannel(sync.prefix);
  const context: ApplyContext = {
    workos,
    store,
    enqueue: (entities) => sync.enqueue(entities, PRIORITY.bulk),
    invalidate: async (invalidation) => {
      await store.client.publish(channel, JSON.stringify(invalidation));
    },
  };

  await sync.ready();
  const report: ImportReport = { skipped: 0, imported: 0, failed: [] };
  const checkpoint = Number((await store.client.get(checkpointKey)) ?? '0');
  let lineNumber = 0;
  let nextStart = 0;

  for await (const line of options.lines) {
    lineNumber++;
    if (lineNumber <= checkpoint) {
      report.skipped++;
      continue;
    }

    if (line.trim().length === 0) {
      continue;
    }

    await sleep(Math.max(0, nextStart - Date.now()));
    nextStart = Date.now() + intervalMs;

    try {
      await importLine(line, context, attempts);
      report.imported++;
    } catch (error) {
      report.failed.push({ line: lineNumber, reason: error instanceof Error ? error.message : String(error) });
    }

    await store.client.set(checkpointKey, String(lineNumber));
    options.onProgress?.({ line: lineNumber, imported: report.imported, failed: report.failed.length });
  }

  return report;
}

async function importLine(line: string, context: ApplyContext, attempts: number): Promise<void> {
  const { store } = context;
  let row: Row;
  try {
    row = JSON.parse(line) as Row;
  } catch {
    throw new PermanentSyncError('invalid JSON');
  }

  const { change, secrets } = planRow(row);
  const ticket = await recordWithoutJob(context, change);

  for (const { entity, version } of ticket) {
    const token = randomUUID();
    if (!(await store.lock(entity, token, 30_000))) {
      // A worker is converging this entity right now and picks the change up.
      continue;
    }

    try {
      for (let attempt = 1; ; attempt++) {
        const record = await store.read(entity);
        if (!record || record.synced >= record.version) {
          break;
        }

        try {
          await applyDesiredState(context, { ...record, data: { ...record.data, ...secrets } });
          if (!(await store.markSynced(entity, record.version))) {
            await context.enqueue([entity]);
          }

          break;
        } catch (error) {
          const failure = classifyWorkOSError(error);
          const retryable = error instanceof PrerequisitePendingError || failure.kind === 'transient' || failure.kind === 'rate-limited';
          if (error instanceof PermanentSyncError || !retryable || attempt >= attempts) {
            await store.markFailed(entity, version, failure.message);
            throw error;
          }

          await sleep(failure.retryAfterMs ?? 250 * 2 ** attempt);
        }
      }
    } finally {
      await store.unlock(entity, token);
    }
  }
}

async function recordWithoutJob(context: ApplyContext, change: Change): Promise<{ entity: string; version: number }[]> {
  return [...(await context.store.record(change.operations)).changes];
}

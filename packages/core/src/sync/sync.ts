import { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { silentLogger, type Logger } from '../logger.js';
import { openRedis, waitForReady, type RedisConnection } from '../redis.js';
import { SyncFailedError, SyncInputError, SyncTimeoutError } from './errors.js';
import { describeMissing, planChange, type Change, type SyncOperation, type SyncOperationInputs } from './changes.js';
import { addSyncJobs, PRIORITY, type SyncJobData } from './jobs.js';
import { entityKey, QUEUE_NAME } from './keys.js';
import { DesiredStateStore, MissingEntityError } from './store.js';
import type {
  DeleteResourceInput,
  DeleteUserInput,
  RemoveMembershipInput,
  ResourceRoleInput,
  SetOrganizationRolesInput,
  SignUpUserInput,
  SyncTicket,
  UpsertOrganizationInput,
  UpsertResourceInput,
} from './types.js';

/** Options of {@link createSync}. */
export interface CreateSyncOptions {
  /** Redis to record changes in and enqueue jobs on. */
  connection: RedisConnection;
  /**
   * Key prefix shared with the worker. It is wrapped in a hash tag (`{fgakit}`)
   * so that Redis Cluster keeps all keys in one slot.
   * @defaultValue `'fgakit'`
   */
  prefix?: string;
  /** @defaultValue {@link silentLogger} */
  logger?: Logger;
  /**
   * Attempts per job before it goes to the failed set. Waiting for a
   * prerequisite also uses attempts.
   * @defaultValue `12`
   */
  attempts?: number;
  /**
   * How long a lifecycle call waits for Redis to connect before it fails.
   * @defaultValue `2000`
   */
  connectTimeoutMs?: number;
}

/** Options of {@link Sync.waitUntilApplied}. */
export interface WaitOptions {
  /** @defaultValue `30000` */
  timeoutMs?: number;
  /** Aborts the wait. */
  signal?: AbortSignal;
}

/**
 * Producer side of lifecycle sync: each call records the desired state of
 * the entities it touches in Redis and enqueues a job per entity that the
 * worker (`createSyncWorker`) runs against WorkOS.
 *
 * @remarks
 * A call resolves once the change is recorded, not once WorkOS has it; use
 * {@link Sync.waitUntilApplied} with the returned ticket for that. If the job
 * cannot be enqueued after the change was recorded, the worker's sweeper
 * enqueues it later, so a recorded change is not lost.
 */
export interface Sync {
  /** Registers or renames an organization. */
  upsertOrganization(input: UpsertOrganizationInput): Promise<SyncTicket>;
  /** Creates or updates a user and their membership of an organization. */
  signUpUser(input: SignUpUserInput): Promise<SyncTicket>;
  /** Replaces the organization roles of an existing membership. */
  setOrganizationRoles(input: SetOrganizationRolesInput): Promise<SyncTicket>;
  /** Registers or renames a resource. */
  upsertResource(input: UpsertResourceInput): Promise<SyncTicket>;
  /**
   * Deletes a resource, its descendants and every role assignment on them.
   * The descendants recorded through sync are recorded as deleted too.
   */
  deleteResource(input: DeleteResourceInput): Promise<SyncTicket>;
  /** Grants a resource role to a member of the resource's organization. */
  grantResourceRole(input: ResourceRoleInput): Promise<SyncTicket>;
  /** Revokes a resource role. Revoking a role that is not held is a no-op. */
  revokeResourceRole(input: ResourceRoleInput): Promise<SyncTicket>;
  /** Removes a user from an organization, with all their resource roles there. */
  removeMembership(input: RemoveMembershipInput): Promise<SyncTicket>;
  /** Deletes a user and all their memberships. */
  deleteUser(input: DeleteUserInput): Promise<SyncTicket>;
  /**
   * Resolves once every change of the ticket reached WorkOS.
   *
   * @throws SyncTimeoutError when the timeout passes first.
   * @throws SyncFailedError when an entity of the ticket failed permanently, with the reason.
   */
  waitUntilApplied(ticket: SyncTicket, options?: WaitOptions): Promise<void>;
  /** Returns the WorkOS membership id (`om_…`) the worker learned, or `undefined`. */
  getMembershipId(userId: string, organizationId: string): Promise<string | undefined>;
  /**
   * Returns the WorkOS organization id (`org_…`) the worker learned, or
   * `undefined`. WorkOS addresses an organization's root resource by type
   * `organization` and this id as its external id.
   */
  getOrganizationId(organizationId: string): Promise<string | undefined>;
  /**
   * Runs a lifecycle operation by name, as the PostgreSQL relay does with
   * stored intents.
   */
  submit<K extends SyncOperation>(operation: K, input: SyncOperationInputs[K]): Promise<SyncTicket>;
  /**
   * Records a planned change; with `enqueue: false` no job is added, for
   * tools that apply the change themselves.
   */
  recordChange(change: Change, options?: { enqueue?: boolean }): Promise<SyncTicket>;
  /** Enqueues a job for an entity key, for tools that re-deliver lagging entities. */
  enqueue(entities: readonly string[], priority?: number): Promise<void>;
  /** The key prefix as given, which also names the invalidation channel. */
  readonly prefix: string;
  /** The store, for the worker and tools in this package. */
  readonly store: DesiredStateStore;
  /**
   * Resolves once Redis is connected, or rejects after `connectTimeoutMs`.
   * Every method waits for it; tools that use {@link Sync.store} directly call it first.
   */
  ready(): Promise<void>;
  /** Closes the connection and queue that sync opened. */
  close(): Promise<void>;
}

/**
 * Creates the producer side of lifecycle sync.
 *
 * @example
 * const sync = createSync({ connection: 'redis://127.0.0.1:6379' });
 * const ticket = await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
 * await sync.waitUntilApplied(ticket, { timeoutMs: 10_000 });
 */
export function createSync(options: CreateSyncOptions): Sync {
  const prefix = options.prefix ?? 'fgakit';
  const logger = options.logger ?? silentLogger;
  const attempts = options.attempts ?? 12;
  const connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
  const client: Redis | Cluster = openRedis(options.connection, 'producer', 'fgakit-sync');
  const store = new DesiredStateStore(client, prefix);
  const queue = new Queue<SyncJobData>(QUEUE_NAME, { connection: client, prefix: store.keys.queuePrefix });

  // Errors also reach the caller of each command; this only keeps an idle
  // connection's errors from becoming unhandled 'error' events.
  client.on('error', (error: Error) => logger.debug({ err: error }, 'Redis connection error'));
  queue.on('error', (error: Error) => logger.debug({ err: error }, 'BullMQ queue error'));

  async function ready(): Promise<void> {
    await waitForReady(client, connectTimeoutMs);
  }

  async function enqueue(entities: readonly string[], priority: number = PRIORITY.change): Promise<void> {
    await ready();
    await addSyncJobs(queue, entities, priority, attempts);
  }

  async function recordChange(change: Change, recordOptions: { enqueue?: boolean } = {}): Promise<SyncTicket> {
    await ready();

    let ticket: SyncTicket;
    try {
      ticket = await store.record(change.operations);
    } catch (error) {
      if (error instanceof MissingEntityError) {
        throw new SyncInputError(`[fgakit] ${change.operation}: ${describeMissing(error.entity)}`);
      }

      throw error;
    }

    const entities = ticket.changes.map((c) => c.entity);
    if (recordOptions.enqueue === false) {
      return ticket;
    }

    try {
      await enqueue(entities, change.priority);
    } catch (error) {
      // The change is recorded and marked lagging, so the worker's sweeper
      // enqueues it once Redis accepts writes again.
      logger.warn({ err: error, operation: change.operation, entities }, 'Recorded a change but could not enqueue its job; the sweeper will enqueue it');
    }

    logger.debug({ operation: change.operation, changes: ticket.changes }, 'Recorded a sync change');
    return ticket;
  }

  return {
    prefix,
    store,

    async upsertOrganization(input) {
      return await recordChange(planChange('upsertOrganization', input));
    },

    async signUpUser(input) {
      return await recordChange(planChange('signUpUser', input));
    },

    async setOrganizationRoles(input) {
      return await recordChange(planChange('setOrganizationRoles', input));
    },

    async upsertResource(input) {
      return await recordChange(planChange('upsertResource', input));
    },

    async deleteResource(input) {
      return await recordChange(planChange('deleteResource', input));
    },

    async grantResourceRole(input) {
      return await recordChange(planChange('grantResourceRole', input));
    },

    async revokeResourceRole(input) {
      return await recordChange(planChange('revokeResourceRole', input));
    },

    async removeMembership(input) {
      return await recordChange(planChange('removeMembership', input));
    },

    async deleteUser(input) {
      return await recordChange(planChange('deleteUser', input));
    },

    async waitUntilApplied(ticket, waitOptions = {}) {
      await ready();
      await waitForTicket(store, ticket, waitOptions);
    },

    async getMembershipId(userId, organizationId) {
      await ready();
      return await store.getId(entityKey({ kind: 'membership', userId, organizationId }));
    },

    async getOrganizationId(organizationId) {
      await ready();
      return await store.getId(entityKey({ kind: 'organization', organizationId }));
    },

    ready,

    async submit(operation, input) {
      return await recordChange(planChange(operation, input));
    },

    recordChange,

    enqueue,

    async close() {
      // Let BullMQ finish its connection set-up first; closing in the middle
      // of it leaves rejected commands that no caller awaits.
      await ready().catch(() => undefined);
      await queue.waitUntilReady().catch(() => undefined);
      await queue.close();
      await client.quit().catch(() => undefined);
    },
  };
}

/** Polls the store until every change of the ticket is synced, failed or timed out. */
async function waitForTicket(store: DesiredStateStore, ticket: SyncTicket, options: WaitOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const keys = ticket.changes.map((c) => c.entity);
  let delayMs = 10;

  for (;;) {
    options.signal?.throwIfAborted();

    const progress = await store.progress(keys);
    const pending: string[] = [];
    for (const [index, change] of ticket.changes.entries()) {
      const state = progress[index];
      if (state === undefined || state.synced >= change.version) {
        continue;
      }

      if (state.failedVersion >= change.version) {
        const reason = state.failedReason ?? 'unknown reason';
        throw new SyncFailedError(`[fgakit] Could not apply the change to ${change.entity}: ${reason}`, change.entity, reason);
      }

      pending.push(change.entity);
    }

    if (pending.length === 0) {
      return;
    }

    if (Date.now() >= deadline) {
      throw new SyncTimeoutError(
        `[fgakit] The change did not reach WorkOS within ${timeoutMs} ms; still pending: ${pending.join(', ')}. Check that a sync worker is running.`,
        pending,
      );
    }

    await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, Math.max(0, deadline - Date.now()))));
    delayMs = Math.min(delayMs * 2, 200);
  }
}

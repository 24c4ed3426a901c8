import type { ClientBase, Pool } from 'pg';
import { silentLogger, type Logger } from './logger.js';
import { planChange, type SyncOperation, type SyncOperationInputs } from './sync/changes.js';
import { SyncInputError } from './sync/errors.js';
import type { Sync } from './sync/sync.js';

/** Options of {@link createPostgresOutbox}. */
export interface PostgresOutboxOptions {
  /** Pool the relay claims intents with. */
  pool: Pool;
  /** Sync the relay hands intents to. */
  sync: Sync;
  /**
   * Outbox table, optionally schema-qualified.
   * @defaultValue `'fgakit_sync_outbox'`
   */
  table?: string;
  /** @defaultValue {@link silentLogger} */
  logger?: Logger;
}

/** Options of {@link PostgresOutbox.startRelay}. */
export interface RelayOptions {
  /**
   * Pause between polls when the outbox is empty, in milliseconds.
   * @defaultValue `200`
   */
  intervalMs?: number;
  /** @defaultValue `100` */
  batchSize?: number;
}

/** Result of one relay pass. */
export interface RelayResult {
  /** Intents handed to sync. */
  relayed: number;
  /** Intents sync rejected as invalid; they stay in the table with `failed_at` and `error`. */
  failed: number;
}

/** A running relay. */
export interface Relay {
  /** Stops polling and waits for the pass in progress. */
  stop(): Promise<void>;
}

/**
 * An outbox table in the app's PostgreSQL database. The app writes intents
 * inside its own transaction, so an intent exists exactly when the app's
 * change committed. A relay then hands committed intents to sync.
 */
export interface PostgresOutbox {
  /** Creates the table and its index if they do not exist. */
  migrate(): Promise<void>;
  /**
   * Writes an intent with the caller's client, inside the caller's transaction.
   *
   * @throws SyncInputError when the input is invalid; nothing is written.
   */
  write<K extends SyncOperation>(client: ClientBase, operation: K, input: SyncOperationInputs[K]): Promise<void>;
  /** Relays one batch of committed intents. */
  relayOnce(batchSize?: number): Promise<RelayResult>;
  /** Relays continuously until stopped. */
  startRelay(options?: RelayOptions): Relay;
  /** Counts intents not relayed yet. */
  pending(): Promise<number>;
}

interface IntentRow {
  id: string;
  operation: SyncOperation;
  input: SyncOperationInputs[SyncOperation];
}

function quoteTable(table: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(table)) {
    throw new TypeError(`[fgakit] Invalid outbox table name ${JSON.stringify(table)}: use letters, digits and underscores, optionally as schema.table.`);
  }

  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

/**
 * Creates the PostgreSQL outbox.
 *
 * @remarks
 * Relays claim intents with `FOR UPDATE SKIP LOCKED` and a transaction-level
 * advisory lock, so several relay processes can run while one pass at a time
 * hands intents over in id order. A pass selects every intent not yet relayed
 * rather than those after a cursor, so an intent whose transaction commits
 * after a later one was relayed is still delivered (after it, matching the
 * commit order). Delivery to sync is at least once: a pass
 * that fails half way hands its intents over again, which records the same
 * desired state again.
 *
 * @example
 * await client.query('BEGIN');
 * await client.query('INSERT INTO workspaces …');
 * await outbox.write(client, 'upsertResource', { organizationId, resourceTypeSlug: 'workspace', resourceId, name });
 * await client.query('COMMIT');
 */
export function createPostgresOutbox(options: PostgresOutboxOptions): PostgresOutbox {
  const table = quoteTable(options.table ?? 'fgakit_sync_outbox');
  const indexName = `"${(options.table ?? 'fgakit_sync_outbox').replace(/\./g, '_')}_pending"`;
  const logger = options.logger ?? silentLogger;
  const { pool, sync } = options;

  async function relayOnce(batchSize = 100): Promise<RelayResult> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');

      // One relay pass at a time per table keeps the intents of an entity in
      // order. The other passes return at once and try again at their next poll.
      const { rows: locks } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [table]);
      if (locks[0]?.locked !== true) {
        await client.query('COMMIT');
        return { relayed: 0, failed: 0 };
      }

      const { rows } = await client.query<IntentRow>(
        `SELECT id, operation, input FROM ${table}
          WHERE relayed_at IS NULL AND failed_at IS NULL
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );

      const relayed: string[] = [];
      let failed = 0;
      for (const row of rows) {
        try {
          await sync.submit(row.operation, row.input);
          relayed.push(row.id);
        } catch (error) {
          if (!(error instanceof SyncInputError)) {
            throw error;
          }

          // Retrying cannot fix it: keep the row, visible with its reason.
          await client.query(`UPDATE ${table} SET failed_at = now(), error = $2 WHERE id = $1`, [row.id, error.message]);
          logger.error({ intentId: row.id, operation: row.operation, reason: error.message }, 'Sync rejected an outbox intent');
          failed++;
        }
      }

      if (relayed.length > 0) {
        await client.query(`UPDATE ${table} SET relayed_at = now() WHERE id = ANY($1::bigint[])`, [relayed]);
      }

      await client.query('COMMIT');
      return { relayed: relayed.length, failed };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    async migrate() {
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
        id bigserial PRIMARY KEY,
        operation text NOT NULL,
        input jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz,
        failed_at timestamptz,
        error text
      )`);
      await pool.query(`CREATE INDEX IF NOT EXISTS ${indexName} ON ${table} (id) WHERE relayed_at IS NULL AND failed_at IS NULL`);
    },

    async write(client, operation, input) {
      // Validate now, so invalid input fails inside the app's transaction.
      planChange(operation, input);
      await client.query(`INSERT INTO ${table} (operation, input) VALUES ($1, $2)`, [operation, JSON.stringify(input)]);
    },

    relayOnce,

    startRelay(relayOptions = {}) {
      const intervalMs = relayOptions.intervalMs ?? 200;
      const batchSize = relayOptions.batchSize ?? 100;
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let running: Promise<void> = Promise.resolve();
      let failures = 0;

      const tick = (): void => {
        running = (async () => {
          let delayMs = intervalMs;
          try {
            const result = await relayOnce(batchSize);
            failures = 0;
            if (result.relayed + result.failed === batchSize) {
              delayMs = 0;
            }
          } catch (error) {
            failures++;
            delayMs = Math.min(intervalMs * 2 ** failures, 30_000);
            logger.warn({ err: error, retryInMs: delayMs }, 'Outbox relay pass failed; intents stay in the table and are retried');
          }

          if (!stopped) {
            timer = setTimeout(tick, delayMs);
          }
        })();
      };

      tick();

      return {
        async stop() {
          stopped = true;
          clearTimeout(timer);
          await running;
        },
      };
    },

    async pending() {
      const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM ${table} WHERE relayed_at IS NULL AND failed_at IS NULL`);
      return Number(rows[0]?.count ?? 0);
    },
  };
}

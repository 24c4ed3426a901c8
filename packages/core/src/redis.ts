import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * Connection to Redis: a `redis://` or `rediss://` URL, ioredis options, or
 * an ioredis `Redis` or `Cluster` instance.
 *
 * @remarks
 * fgakit never uses a passed instance directly. It calls `duplicate()` with
 * the options BullMQ documents for the role (producer or worker) and closes
 * the duplicate itself, so the caller's instance keeps its own settings.
 */
export type RedisConnection = string | RedisOptions | Redis | Cluster;

/** Role of a connection, which decides the options BullMQ documents for it. */
export type RedisRole = 'producer' | 'worker';

/**
 * Options per role. Workers wait through outages (`maxRetriesPerRequest:
 * null`, which BullMQ requires for its blocking commands). Producers fail
 * fast, so an app request does not hang while Redis is down.
 */
function roleOptions(role: RedisRole): RedisOptions {
  if (role === 'worker') {
    return { maxRetriesPerRequest: null, enableReadyCheck: true };
  }

  return { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 };
}

/**
 * Opens a Redis connection for a role.
 *
 * @throws TypeError when `connection` is a string that is not a redis URL.
 */
export function openRedis(connection: RedisConnection, role: RedisRole, connectionName: string): Redis | Cluster {
  const options: RedisOptions = { ...roleOptions(role), connectionName };

  if (typeof connection === 'string') {
    if (!/^rediss?:\/\//.test(connection)) {
      throw new TypeError(
        `[fgakit] Invalid Redis connection ${JSON.stringify(connection)}: pass a URL such as "redis://127.0.0.1:6379", ioredis options or an ioredis instance.`,
      );
    }

    return new Redis(connection, options);
  }

  if (connection instanceof Redis) {
    return connection.duplicate(options);
  }

  if (connection instanceof Cluster) {
    return connection.duplicate(undefined, { redisOptions: { ...connection.options.redisOptions, ...options } });
  }

  return new Redis({ ...connection, ...options });
}

/**
 * Waits until a connection is ready, or fails after `timeoutMs`. Producer
 * connections have no offline queue, so their first command must not be sent
 * while they are still connecting.
 */
export async function waitForReady(client: Redis | Cluster, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') {
    return;
  }

  if (client.status === 'end' || client.status === 'close') {
    throw new Error('[fgakit] The Redis connection is closed.');
  }

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`[fgakit] Redis is not reachable (no connection within ${timeoutMs} ms, status ${client.status}). Check that Redis is running.`));
    }, timeoutMs);

    const onReady = (): void => {
      cleanup();
      resolve();
    };

    const onEnd = (): void => {
      cleanup();
      reject(new Error('[fgakit] The Redis connection was closed.'));
    };

    function cleanup(): void {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
    }

    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}

/**
 * Wraps a key prefix in a Redis Cluster hash tag unless it already contains one,
 * so every key of a deployment (queue and desired state) lands in one slot and
 * the Lua scripts that touch several of them run on Redis Cluster.
 *
 * @example hashTaggedPrefix('fgakit') === '{fgakit}'
 */
export function hashTaggedPrefix(prefix: string): string {
  if (prefix.length === 0) {
    throw new TypeError('[fgakit] Invalid prefix "": pass a non-empty key prefix such as "fgakit".');
  }

  return /\{[^{}]+\}/.test(prefix) ? prefix : `{${prefix}}`;
}

/**
 * Logs a warning when Redis may evict keys. BullMQ and the desired-state store
 * need `maxmemory-policy noeviction`: an evicted key is a lost change.
 * Managed Redis services often disable `CONFIG`; then nothing is checked.
 */
export async function warnUnlessNoEviction(client: Redis | Cluster, logger: Logger): Promise<void> {
  try {
    const reply: unknown = await client.config('GET', 'maxmemory-policy');
    const policy: unknown = Array.isArray(reply) ? reply[1] : undefined;

    if (typeof policy === 'string' && policy !== 'noeviction') {
      logger.warn(
        { maxmemoryPolicy: policy },
        'Redis maxmemory-policy is not noeviction: Redis may evict queued jobs and recorded changes under memory pressure. Set maxmemory-policy to noeviction.',
      );
    }
  } catch (error) {
    logger.debug({ err: error }, 'Could not read Redis maxmemory-policy (CONFIG may be disabled); skipping the eviction check.');
  }
}

import type { Redis } from 'ioredis';

import { invalidationChannel, type DecisionInvalidation } from '../invalidation.js';
import type { Logger } from '../logger.js';

/** Callbacks of an invalidation subscription. */
export interface SubscriptionHandlers {
  /** Called for each valid invalidation message. */
  onInvalidation(invalidation: DecisionInvalidation): void;
  /**
   * Called when the subscription goes down (false) or comes back (true).
   * While it is down, invalidations can be missed.
   */
  onConnectedChange(connected: boolean): void;
}

/** A live subscription to the sync worker's invalidations. */
export interface InvalidationSubscription {
  /** Resolves once the channel is subscribed. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Subscribes to `invalidationChannel(prefix)` on a duplicate of `redis`
 * (a subscribed connection cannot run other commands).
 */
export function subscribeToInvalidations(redis: Redis, prefix: string, handlers: SubscriptionHandlers, logger: Logger): InvalidationSubscription {
  const channel = invalidationChannel(prefix);
  const subscriber = redis.duplicate();
  let connected = false;
  let subscribed = false;
  let closing = false;

  subscriber.on('message', (receivedOn: string, message: string) => {
    if (receivedOn !== channel) {
      return;
    }

    const invalidation = parseInvalidation(message);
    if (invalidation === undefined) {
      // An unreadable message may have been meant to invalidate something, so drop everything.
      logger.warn({ channel, message: message.slice(0, 200) }, 'invalid invalidation message; dropping every cached decision');
      handlers.onInvalidation({ kind: 'all' });
      return;
    }
    handlers.onInvalidation(invalidation);
  });

  subscriber.on('error', (error: unknown) => {
    logger.warn({ err: error, channel }, 'invalidation subscriber connection error');
  });

  subscriber.on('close', () => {
    if (connected && !closing) {
      connected = false;
      logger.warn({ channel }, 'invalidation subscriber disconnected; decision cache suspended');
      handlers.onConnectedChange(false);
    }
  });

  // After a reconnect, resume only once the channel is subscribed again: ioredis
  // resubscribes on its own, but 'ready' does not say when that has finished.
  subscriber.on('ready', () => {
    if (connected || closing || !subscribed) {
      return;
    }

    subscriber.subscribe(channel).then(
      () => {
        connected = true;
        logger.info({ channel }, 'invalidation subscriber reconnected; decision cache resumed');
        handlers.onConnectedChange(true);
      },
      (error: unknown) => {
        logger.error({ err: error, channel }, 'could not subscribe to invalidations again; decision cache stays suspended');
      },
    );
  });

  const ready = subscriber.subscribe(channel).then(() => {
    subscribed = true;
    connected = true;
    handlers.onConnectedChange(true);
  });
  ready.catch((error: unknown) => {
    logger.error({ err: error, channel }, 'could not subscribe to invalidations; decision cache stays suspended');
  });

  return {
    ready,
    async close() {
      closing = true;
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

/** Parses and validates one message; returns undefined when it is not a DecisionInvalidation. */
export function parseInvalidation(message: string): DecisionInvalidation | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }

  if (typeof value !== 'object' || value === null || !('kind' in value)) {
    return undefined;
  }

  const record = value as Record<string, unknown>;
  switch (record.kind) {
    case 'all':
      return { kind: 'all' };
    case 'membership':
      return typeof record.organizationMembershipId === 'string'
        ? { kind: 'membership', organizationMembershipId: record.organizationMembershipId }
        : undefined;
    case 'resource':
      return typeof record.organizationId === 'string' &&
        typeof record.resourceTypeSlug === 'string' &&
        typeof record.resourceExternalId === 'string'
        ? {
            kind: 'resource',
            organizationId: record.organizationId,
            resourceTypeSlug: record.resourceTypeSlug,
            resourceExternalId: record.resourceExternalId,
          }
        : undefined;
    default:
      return undefined;
  }
}

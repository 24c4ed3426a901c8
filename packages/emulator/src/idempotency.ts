import { createHash } from 'node:crypto';
import { ApiError } from './errors.js';
import type { Reply } from './router.js';

const RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * The SDK puts a fresh key on every POST, checks included, so the store is
 * bounded. Past this count the oldest keys are forgotten first.
 */
const MAX_KEYS = 50_000;

interface StoredReply {
  fingerprint: string;
  reply: Reply;
  storedAt: number;
}

/**
 * Remembers the response to each POST that carried an `Idempotency-Key`, for
 * 24 hours (at most the 50,000 most recent keys). A repeat with the same
 * method, path and body gets the first response again, and a repeat with
 * anything else is rejected.
 */
export class IdempotencyStore {
  private readonly replies = new Map<string, StoredReply>();

  private static fingerprint(method: string, path: string, rawBody: string): string {
    return createHash('sha256').update(`${method} ${path}\n${rawBody}`).digest('hex');
  }

  /**
   * Returns the stored response for the key, or `undefined` when the key is new.
   *
   * @throws ApiError 400 `idempotency_key_reused` when the key came with another request.
   */
  replay(key: string, method: string, path: string, rawBody: string, now = Date.now()): Reply | undefined {
    const stored = this.replies.get(key);
    if (stored === undefined) {
      return undefined;
    }
    if (now - stored.storedAt > RETENTION_MS) {
      this.replies.delete(key);
      return undefined;
    }
    if (stored.fingerprint !== IdempotencyStore.fingerprint(method, path, rawBody)) {
      throw new ApiError(400, {
        message: `Idempotency-Key '${key}' was already used with a different request: use a new key for a new request.`,
        code: 'idempotency_key_reused',
      });
    }
    return stored.reply;
  }

  /** Stores the response to a request that carried a key. */
  remember(key: string, method: string, path: string, rawBody: string, reply: Reply, now = Date.now()): void {
    this.replies.set(key, { fingerprint: IdempotencyStore.fingerprint(method, path, rawBody), reply, storedAt: now });
    if (this.replies.size > MAX_KEYS) {
      const oldest = this.replies.keys().next().value;
      if (oldest !== undefined) {
        this.replies.delete(oldest);
      }
    }
  }

  clear(): void {
    this.replies.clear();
  }
}

/** Kind of a failed WorkOS call, which decides what the worker does next. */
export type FailureKind =
  /** Network error, timeout or 5xx: retry with exponential backoff and jitter. */
  | 'transient'
  /** 429: slow the whole queue down for `Retry-After`. */
  | 'rate-limited'
  /** 401 or 403: the API key is wrong or lacks a permission; pause the queue. */
  | 'unauthorized'
  /** 400, 404, 409, 422: retrying cannot fix it; the job goes to the failed set. */
  | 'permanent';

/** Classified WorkOS failure. */
export interface ClassifiedFailure {
  kind: FailureKind;
  status: number | undefined;
  /** Delay asked for by a 429's `Retry-After`, in milliseconds. */
  retryAfterMs: number | undefined;
  message: string;
}

function readStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) {
    return undefined;
  }

  const status = error.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Sorts an error thrown by a `@workos-inc/node` call into a {@link FailureKind}.
 * Errors without an HTTP status (fetch `TypeError`, aborts, parse errors) count
 * as transient because the request may not have reached WorkOS.
 */
export function classifyWorkOSError(error: unknown): ClassifiedFailure {
  const status = readStatus(error);
  const message = error instanceof Error ? error.message : String(error);

  if (status === 429) {
    const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
    const retryAfterMs = typeof retryAfter === 'number' && Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined;
    return { kind: 'rate-limited', status, retryAfterMs, message };
  }

  if (status === 401 || status === 403) {
    return { kind: 'unauthorized', status, retryAfterMs: undefined, message };
  }

  if (status !== undefined && status >= 400 && status < 500 && status !== 408) {
    return { kind: 'permanent', status, retryAfterMs: undefined, message };
  }

  return { kind: 'transient', status, retryAfterMs: undefined, message };
}

/** Returns whether an error is a WorkOS 404. */
export function isNotFound(error: unknown): boolean {
  return readStatus(error) === 404;
}

/**
 * Returns whether an error reports that the object already exists: a 409, or a 4xx
 * whose code ends in `_already_exists`. WorkOS does not document which
 * status a duplicate role assignment gets, so the code decides too.
 */
export function isConflict(error: unknown): boolean {
  const status = readStatus(error);
  if (status === 409) {
    return true;
  }

  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return status !== undefined && status >= 400 && status < 500 && typeof code === 'string' && code.endsWith('_already_exists');
}

/**
 * Thrown inside the worker when a prerequisite (an organization, a user, a
 * parent resource) is not in WorkOS yet. The job waits and retries.
 */
export class PrerequisitePendingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrerequisitePendingError';
  }
}

/** Thrown inside the worker for a change that can never be applied as recorded. */
export class PermanentSyncError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentSyncError';
  }
}

/** Rejection of `waitUntilApplied` when the timeout passes first. */
export class SyncTimeoutError extends Error {
  constructor(
    message: string,
    /** Entity keys still lagging. */
    readonly pending: readonly string[],
  ) {
    super(message);
    this.name = 'SyncTimeoutError';
  }
}

/** Rejection of `waitUntilApplied` when a change failed permanently. */
export class SyncFailedError extends Error {
  constructor(
    message: string,
    /** Entity key that failed. */
    readonly entity: string,
    /** Reason recorded by the worker. */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'SyncFailedError';
  }
}

/** Rejection of a lifecycle call whose input is invalid; nothing was recorded. */
export class SyncInputError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'SyncInputError';
  }
}

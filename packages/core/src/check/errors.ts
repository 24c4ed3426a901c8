/** Raised inside an undecided decision when a check exceeded its time budget. */
export class CheckTimeoutError extends Error {
  override readonly name = 'CheckTimeoutError';

  /** @internal */
  constructor(readonly timeoutMs: number) {
    super(`WorkOS check timed out after ${timeoutMs} ms`);
  }
}

/** Raised inside an undecided decision when the circuit breaker refused to call WorkOS. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';

  /** @internal */
  constructor(readonly retryAfterMs: number) {
    super(`WorkOS checks are suspended after repeated failures; the next attempt is in ${Math.ceil(retryAfterMs)} ms`);
  }
}

/** Raised inside an undecided decision when a request's time budget ran out before the check. */
export class BudgetExhaustedError extends Error {
  override readonly name = 'BudgetExhaustedError';

  /** @internal */
  constructor() {
    super('the request used up its authorization time budget before this check');
  }
}

/** Normalizes a thrown value into an Error. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Settles with `promise`, or rejects with {@link CheckTimeoutError} after
 * `timeoutMs`. The timer does not keep the process alive.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeoutError(timeoutMs)), timeoutMs);
    timer.unref();
  });

  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Options of the circuit breaker that protects WorkOS from a failing client and vice versa. */
export interface CircuitBreakerOptions {
  /**
   * Consecutive upstream failures (errors and timeouts) that open the circuit.
   * @defaultValue 5
   */
  failureThreshold?: number;
  /**
   * How long the circuit stays open before one probe check is let through, in milliseconds.
   * @defaultValue 5000
   */
  cooldownMs?: number;
}

/**
 * Consecutive-failure circuit breaker. While open, callers get no upstream
 * call; after the cooldown one probe runs (half-open) and its result closes
 * or reopens the circuit.
 */
export class CircuitBreaker {
  readonly #failureThreshold: number;
  readonly #cooldownMs: number;
  #failures = 0;
  #openedAt: number | undefined;
  #probing = false;

  constructor({ failureThreshold = 5, cooldownMs = 5_000 }: CircuitBreakerOptions = {}) {
    if (!Number.isInteger(failureThreshold) || failureThreshold < 1) {
      throw new RangeError(`[fgakit] Invalid circuitBreaker.failureThreshold ${failureThreshold}: pass an integer of at least 1.`);
    }
    if (!(cooldownMs > 0)) {
      throw new RangeError(`[fgakit] Invalid circuitBreaker.cooldownMs ${cooldownMs}: pass a positive number of milliseconds.`);
    }

    this.#failureThreshold = failureThreshold;
    this.#cooldownMs = cooldownMs;
  }

  /**
   * Returns 0 when a call may go upstream now (and reserves the probe slot
   * when half-open), else the milliseconds until the next probe.
   */
  acquire(now: number): number {
    if (this.#openedAt === undefined) {
      return 0;
    }

    const remaining = this.#openedAt + this.#cooldownMs - now;
    if (remaining > 0) {
      return remaining;
    }

    if (this.#probing) {
      return this.#cooldownMs;
    }

    this.#probing = true;
    return 0;
  }

  /** Records a successful upstream call, closing the circuit. */
  recordSuccess(): void {
    this.#failures = 0;
    this.#openedAt = undefined;
    this.#probing = false;
  }

  /** Records a failed upstream call; returns true when this failure opened the circuit. */
  recordFailure(now: number): boolean {
    this.#failures += 1;
    const wasProbe = this.#probing;
    this.#probing = false;

    if (wasProbe || (this.#openedAt === undefined && this.#failures >= this.#failureThreshold)) {
      this.#openedAt = now;
      return true;
    }
    return false;
  }

  /** Whether the circuit is open or half-open. */
  get isOpen(): boolean {
    return this.#openedAt !== undefined;
  }
}

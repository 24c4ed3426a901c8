import { randomUUID } from 'node:crypto';

/**
 * Kind of fault. `rate_limit` returns 429 with `Retry-After`, and `error` returns
 * an error status (500 unless set). `latency` delays the request and lets it
 * through. `drop` closes the connection without a response, and `hang` never
 * responds until the client gives up or the emulator closes. `lose_response`
 * carries the request out, then closes the connection before the response:
 * the change happened, but the client cannot know.
 */
export type FaultKind = 'rate_limit' | 'error' | 'latency' | 'drop' | 'hang' | 'lose_response';

/** A fault rule as callers write it. */
export interface FaultRuleInput {
  kind: FaultKind;
  /** HTTP method to match, any when omitted. */
  method?: string;
  /**
   * Path pattern to match, any when omitted: `*` or `:name` matches one
   * segment, a final `**` matches the rest, for example
   * `/authorization/organization_memberships/:id/check`.
   */
  path?: string;
  /** Status of an `error` fault, 400 to 599; 500 when omitted. */
  status?: number;
  /**
   * `Retry-After` header in seconds. A `rate_limit` fault sends 0 when omitted, an
   * `error` fault sends no header when omitted (the SDK then backs off about a second).
   */
  retryAfterSeconds?: number;
  /** Delay of a `latency` fault, in milliseconds. */
  latencyMs?: number;
  /** Chance that a matching request triggers the rule, above 0 and at most 1; 1 when omitted. */
  probability?: number;
  /** Number of triggers after which the rule is removed; unlimited when omitted. */
  times?: number;
}

/** An installed fault rule. */
export interface FaultRule {
  id: string;
  kind: FaultKind;
  method: string | null;
  path: string | null;
  status: number;
  /** `Retry-After` in seconds, `null` to send none. */
  retryAfterSeconds: number | null;
  latencyMs: number;
  probability: number;
  /** Triggers left, `null` for unlimited. */
  remaining: number | null;
}

const KINDS: readonly FaultKind[] = ['rate_limit', 'error', 'latency', 'drop', 'hang', 'lose_response'];

function pick(source: Record<string, unknown>, camel: string, snake: string): unknown {
  return source[camel] ?? source[snake];
}

function optionalNumber(source: Record<string, unknown>, camel: string, snake: string, where: string): number | undefined {
  const value = pick(source, camel, snake);
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${where}: ${camel} must be a number, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * Validates a fault rule written in camelCase or snake_case (`retry_after_seconds`,
 * `latency_ms`) and fills in defaults.
 *
 * @throws TypeError naming the field and the problem.
 */
export function normalizeFaultRule(input: unknown, where = 'fault rule'): FaultRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`${where}: expected an object such as { kind: 'error', status: 503 }.`);
  }
  const source = input as Record<string, unknown>;

  const kind = source.kind ?? source.type;
  if (typeof kind !== 'string' || !KINDS.includes(kind as FaultKind)) {
    throw new TypeError(`${where}: kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}.`);
  }

  const method = source.method;
  if (method !== undefined && method !== null && typeof method !== 'string') {
    throw new TypeError(`${where}: method must be a string such as "POST".`);
  }
  const path = source.path;
  if (path !== undefined && path !== null && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new TypeError(`${where}: path must be a pattern starting with "/", got ${JSON.stringify(path)}.`);
  }

  const status = optionalNumber(source, 'status', 'status', where) ?? (kind === 'rate_limit' ? 429 : 500);
  if (kind === 'error' && (!Number.isInteger(status) || status < 400 || status > 599)) {
    throw new TypeError(`${where}: status must be an integer from 400 to 599, got ${status}.`);
  }
  const retryAfterSeconds = optionalNumber(source, 'retryAfterSeconds', 'retry_after_seconds', where) ?? (kind === 'rate_limit' ? 0 : null);
  if (retryAfterSeconds !== null && (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0)) {
    throw new TypeError(`${where}: retryAfterSeconds must be a whole number of seconds, 0 or more, got ${retryAfterSeconds}.`);
  }
  const latencyMs = optionalNumber(source, 'latencyMs', 'latency_ms', where) ?? 0;
  if (kind === 'latency' && latencyMs <= 0) {
    throw new TypeError(`${where}: a latency fault needs latencyMs above 0.`);
  }
  const probability = optionalNumber(source, 'probability', 'probability', where) ?? 1;
  if (probability <= 0 || probability > 1) {
    throw new TypeError(`${where}: probability must be above 0 and at most 1, got ${probability}.`);
  }
  const times = optionalNumber(source, 'times', 'times', where);
  if (times !== undefined && (!Number.isInteger(times) || times < 1)) {
    throw new TypeError(`${where}: times must be a positive integer, got ${times}.`);
  }

  return {
    id: typeof source.id === 'string' ? source.id : `fault_${randomUUID()}`,
    kind: kind as FaultKind,
    method: typeof method === 'string' ? method.toUpperCase() : null,
    path: typeof path === 'string' ? path : null,
    status: kind === 'rate_limit' ? 429 : status,
    retryAfterSeconds,
    latencyMs,
    probability,
    remaining: times ?? null,
  };
}

function pathMatches(pattern: string, segments: readonly string[]): boolean {
  const parts = pattern.split('/').filter((part) => part !== '');
  for (const [index, part] of parts.entries()) {
    if (part === '**' && index === parts.length - 1) {
      return true;
    }
    const segment = segments[index];
    if (segment === undefined) {
      return false;
    }
    if (part !== '*' && !part.startsWith(':') && part !== segment) {
      return false;
    }
  }
  return parts.length === segments.length;
}

/** The faults to apply to one request. */
export interface FaultDecision {
  /** Sum of the delays of every triggered `latency` rule. */
  latencyMs: number;
  /** The first triggered rule of another kind, or `null` to respond normally. */
  action: FaultRule | null;
}

/** The installed fault rules and their trigger counts. */
export class FaultInjector {
  private rules: FaultRule[] = [];

  /** Installs a rule and returns it with its id. */
  add(input: FaultRuleInput | FaultRule | Record<string, unknown>): FaultRule {
    const rule = normalizeFaultRule(input);
    this.rules.push(rule);
    return { ...rule };
  }

  /** Removes one rule; returns whether it existed. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  /** Decides which rules trigger for a request and consumes their counts. */
  decide(method: string, segments: readonly string[], random: () => number = Math.random): FaultDecision {
    let latencyMs = 0;
    let action: FaultRule | null = null;

    for (const rule of [...this.rules]) {
      if (rule.method !== null && rule.method !== method) {
        continue;
      }
      if (rule.path !== null && !pathMatches(rule.path, segments)) {
        continue;
      }
      if (rule.kind !== 'latency' && action !== null) {
        continue;
      }
      if (rule.probability < 1 && random() >= rule.probability) {
        continue;
      }

      if (rule.kind === 'latency') {
        latencyMs += rule.latencyMs;
      } else {
        action = { ...rule };
      }
      if (rule.remaining !== null) {
        rule.remaining -= 1;
        if (rule.remaining <= 0) {
          this.remove(rule.id);
        }
      }
    }
    return { latencyMs, action };
  }
}

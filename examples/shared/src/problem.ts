import { SyncInputError } from '@fgakit/core';

/**
 * An error with an HTTP status, rendered by each example as an
 * `application/problem+json` body (RFC 9457).
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  /** Seconds for the `Retry-After` header of a 503, if any. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, title: string, detail: string, retryAfterSeconds?: number) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.title = title;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Returns the problem document sent as the response body. */
  toJSON(): { type: string; title: string; status: number; detail: string } {
    return { type: 'about:blank', title: this.title, status: this.status, detail: this.message };
  }
}

/**
 * Converts any error into the problem sent to the client. Client errors
 * raised by body parsers keep their status: they follow the http-errors
 * convention of a 4xx `status` with `expose: true`. Other errors become a
 * 500 that reveals nothing.
 */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) {
    return error;
  }

  if (error instanceof SyncInputError) {
    return new HttpProblem(400, 'Bad Request', error.message);
  }

  if (isExposedClientError(error)) {
    return new HttpProblem(error.status, 'Bad Request', `Invalid request: ${error.message}. Send valid JSON with Content-Type: application/json.`);
  }

  return new HttpProblem(500, 'Internal Server Error', 'The request failed on the server; see the server log.');
}

/** Reads a required non-empty string field from a JSON body. */
export function requireString(body: unknown, field: string): string {
  const value = readField(body, field);
  if (typeof value !== 'string' || value.trim() === '') {
    throw new HttpProblem(400, 'Bad Request', `Invalid body: "${field}" must be a non-empty string, got ${describe(value)}.`);
  }

  return value;
}

/** Reads an optional string field from a JSON body. */
export function optionalString(body: unknown, field: string): string | undefined {
  const value = readField(body, field);
  if (value === undefined || value === null) {
    return undefined;
  }

  if (typeof value !== 'string' || value.trim() === '') {
    throw new HttpProblem(400, 'Bad Request', `Invalid body: "${field}" must be a non-empty string when given, got ${describe(value)}.`);
  }

  return value;
}

function isExposedClientError(error: unknown): error is Error & { status: number } {
  if (!(error instanceof Error)) {
    return false;
  }

  const { status, expose } = error as Error & { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true;
}

function readField(body: unknown, field: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpProblem(400, 'Bad Request', 'Invalid body: send a JSON object with Content-Type: application/json.');
  }

  return (body as Record<string, unknown>)[field];
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

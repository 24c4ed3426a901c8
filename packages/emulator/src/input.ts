import { ApiError, unprocessable, type FieldError } from './errors.js';

/** Constraints of a string field. */
export interface StringRule {
  required?: boolean;
  nullable?: boolean;
  maxLength?: number;
  pattern?: RegExp;
  /** Text completing "must be …" when the pattern does not match. */
  patternHint?: string;
}

/**
 * Reads fields of a JSON request body and collects every validation problem,
 * so one 422 lists them all. Call {@link BodyReader.done} before using values.
 */
export class BodyReader {
  private readonly body: Record<string, unknown>;
  private readonly errors: FieldError[] = [];

  constructor(body: unknown) {
    if (body === undefined || body === null) {
      this.body = {};
      return;
    }
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new ApiError(400, { message: 'The request body must be a JSON object.', code: 'invalid_request_body' });
    }
    this.body = body as Record<string, unknown>;
  }

  /** Returns whether the body contains the field, even as `null`. */
  has(field: string): boolean {
    return Object.hasOwn(this.body, field) && this.body[field] !== undefined;
  }

  /** Records a problem with a field. */
  fail(field: string, code: string, message: string): void {
    this.errors.push({ field, code, message });
  }

  string(field: string, rule: StringRule & { required: true }): string;
  string(field: string, rule?: StringRule): string | null | undefined;
  string(field: string, rule: StringRule = {}): string | null | undefined {
    const value = this.body[field];
    if (value === undefined || (value === null && !rule.nullable)) {
      if (rule.required) {
        this.fail(field, 'required', `${field} is required.`);
        return '';
      }
      return value === null ? undefined : value;
    }
    if (value === null) {
      return null;
    }
    if (typeof value !== 'string') {
      this.fail(field, 'invalid_type', `${field} must be a string.`);
      return rule.required ? '' : undefined;
    }
    if (rule.required && value.trim() === '') {
      this.fail(field, 'required', `${field} must not be empty.`);
    }
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      this.fail(field, 'too_long', `${field} must be at most ${rule.maxLength} characters, got ${value.length}.`);
    }
    if (rule.pattern !== undefined && !rule.pattern.test(value)) {
      this.fail(field, 'invalid_format', `${field} '${value}' must be ${rule.patternHint ?? `of the form ${String(rule.pattern)}`}.`);
    }
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) {
      return undefined;
    }
    if (typeof value !== 'boolean') {
      this.fail(field, 'invalid_type', `${field} must be a boolean.`);
      return undefined;
    }
    return value;
  }

  stringArray(field: string, rule: { required?: boolean; pattern?: RegExp } = {}): string[] | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) {
      if (rule.required) {
        this.fail(field, 'required', `${field} is required.`);
      }
      return undefined;
    }
    if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
      this.fail(field, 'invalid_type', `${field} must be an array of strings.`);
      return undefined;
    }
    return value as string[];
  }

  /**
   * Reads WorkOS metadata: at most 10 string values, keys of at most 40
   * characters, values of at most 600. A `null` value removes the key on update.
   */
  metadata(field: string): Record<string, string | null> | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) {
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(field, 'invalid_type', `${field} must be an object of string values.`);
      return undefined;
    }

    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > 10) {
      this.fail(field, 'invalid_metadata', `${field} may have at most 10 keys, got ${entries.length}.`);
    }
    for (const [key, entry] of entries) {
      if (key.length > 40) {
        this.fail(field, 'invalid_metadata', `${field} key '${key}' must be at most 40 characters.`);
      }
      if (entry !== null && typeof entry !== 'string') {
        this.fail(field, 'invalid_metadata', `${field}.${key} must be a string.`);
      } else if (typeof entry === 'string' && entry.length > 600) {
        this.fail(field, 'invalid_metadata', `${field}.${key} must be at most 600 characters.`);
      }
    }
    return value as Record<string, string | null>;
  }

  /** Returns the raw value of a field. */
  raw(field: string): unknown {
    return this.body[field];
  }

  /**
   * Throws when a problem was recorded: a 400 `invalid_metadata` for metadata
   * problems, the status WorkOS's OpenAPI document gives them, else a 422 listing every problem.
   */
  done(): void {
    const metadataErrors = this.errors.filter((error) => error.code === 'invalid_metadata');
    if (metadataErrors.length > 0) {
      // WorkOS returns `{ code, message }` without `errors`, so the SDK raises a GenericServerException.
      throw new ApiError(400, { message: metadataErrors.map((error) => error.message).join(' '), code: 'invalid_metadata' });
    }
    if (this.errors.length > 0) {
      throw unprocessable('Validation failed.', this.errors);
    }
  }
}

/** Applies a metadata update: a `null` value removes the key, any other value sets it. */
export function mergeMetadata(current: Record<string, string>, update: Record<string, string | null> | undefined): Record<string, string> {
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(update ?? {})) {
    if (value === null) {
      merged.delete(key);
    } else {
      merged.set(key, value);
    }
  }
  return Object.fromEntries(merged);
}

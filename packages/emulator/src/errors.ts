/** One entry of the `errors` array that WorkOS puts on validation failures. */
export interface FieldError {
  /** Machine-readable reason, for example `required` or `invalid_format`. */
  code: string;
  /** Request field the reason applies to. */
  field?: string;
  /** Human-readable explanation. */
  message: string;
}

/** JSON body of an error response, in the shape WorkOS sends. */
export interface ErrorBody {
  message: string;
  code?: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

/**
 * An error that becomes an HTTP response. The status and body follow WorkOS so
 * the SDK raises the same exception class: 404 `NotFoundException`, 409
 * `ConflictException`, 422 `UnprocessableEntityException`, a 400 carrying both
 * `code` and `errors` `BadRequestException`, any other 400 `GenericServerException`.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Record<string, string>;

  constructor(status: number, body: ErrorBody, headers: Record<string, string> = {}) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** Creates the 404 for an object that does not exist. */
export function notFound(entity: string, id: string): ApiError {
  return new ApiError(404, {
    message: `${entity} not found: '${id}'.`,
    code: 'entity_not_found',
    entity_id: id,
  });
}

/** Creates a 422 with one or more field errors. */
export function unprocessable(message: string, errors: FieldError[] = [], code = 'invalid_request_parameters'): ApiError {
  return new ApiError(422, errors.length > 0 ? { message, code, errors } : { message, code });
}

/** Creates a 422 for a single invalid field. */
export function invalidField(field: string, code: string, message: string): ApiError {
  return unprocessable('Validation failed.', [{ field, code, message }]);
}

/** Creates a 400 with a `code`, which the SDK raises as `GenericServerException`. */
export function badRequest(code: string, message: string, extra: Record<string, unknown> = {}): ApiError {
  return new ApiError(400, { ...extra, message, code });
}

/** Creates a 409 with a `code`, which the SDK raises as `ConflictException`. */
export function conflict(code: string, message: string): ApiError {
  return new ApiError(409, { message, code });
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

interface OpenApiOperation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** A response that does not match WorkOS's OpenAPI document. */
export interface SpecViolation {
  method: string;
  path: string;
  status: number;
  problem: string;
}

/**
 * Statuses the emulator returns that the document does not list for the
 * operation, each the usual response to an unknown id.
 */
export const KNOWN_GAPS: ReadonlySet<string> = new Set([
  'DELETE /organizations/{id} 404',
  'PUT /user_management/users/{id} 404',
]);

/** Operations the SDK calls that the document does not describe, as `METHOD /path` patterns. */
export const MISSING_FROM_DOCUMENT: readonly RegExp[] = [
  /^GET \/authorization\/resources\/[^/]+\/role_assignments$/,
  /^GET \/authorization\/organizations\/[^/]+\/resources\/[^/]+\/[^/]+\/role_assignments$/,
  /^GET \/authorization\/resources\/[^/]+\/organization_memberships\/[^/]+\/permissions$/,
  /^(GET|POST|PUT|DELETE) \/authorization\/groups\/[^/]+\/role_assignments(\/[^/]+)?$/,
];

const require = createRequire(import.meta.url);
const SPEC_FILE = require.resolve('@workos/openapi-spec/spec');
const SPEC_ID = 'https://fgakit.invalid/workos-openapi.json';

// ajv-formats is CommonJS, so under ESM its default export may arrive wrapped in the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

function pointerToken(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}

/**
 * Validates responses against the OpenAPI document of the `@workos/openapi-spec`
 * package: the status must be documented for the operation and a JSON body
 * must match its schema.
 */
export class SpecValidator {
  readonly violations: SpecViolation[] = [];
  /** Operations the document lacks, as `METHOD /path/template`. */
  readonly uncovered = new Set<string>();
  private readonly document: OpenApiDocument;
  private readonly ajv: Ajv2020;
  private readonly templates: { template: string; segments: string[] }[];

  constructor() {
    this.document = parse(readFileSync(SPEC_FILE, 'utf8')) as OpenApiDocument;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema({ ...this.document, $id: SPEC_ID });
    this.templates = Object.keys(this.document.paths).map((template) => ({ template, segments: template.split('/').filter((part) => part !== '') }));
  }

  private findTemplate(path: string): string | undefined {
    const segments = path.split('/').filter((part) => part !== '');
    let best: { template: string; score: string } | undefined;
    for (const candidate of this.templates) {
      if (candidate.segments.length !== segments.length) {
        continue;
      }
      let score = '';
      const matches = candidate.segments.every((segment, index) => {
        if (segment.startsWith('{')) {
          score += '0';
          return true;
        }
        score += '1';
        return decodeURIComponent(segments[index] ?? '') === segment;
      });
      if (matches && (best === undefined || score > best.score)) {
        best = { template: candidate.template, score };
      }
    }
    return best?.template;
  }

  /** Checks one response and records any violation. */
  check(method: string, path: string, status: number, body: unknown): void {
    const template = this.findTemplate(path);
    const verb = method.toLowerCase();
    const operation = template === undefined ? undefined : this.document.paths[template]?.[verb];
    if (template === undefined || operation === undefined) {
      this.uncovered.add(`${method} ${path}`);
      return;
    }

    // The document lists 401 on no operation, although every operation returns it for a wrong API key.
    // Rate limits and server errors come from injected faults, which may hit any operation.
    if (status === 401 || status === 429 || status >= 500 || KNOWN_GAPS.has(`${method} ${template} ${status}`)) {
      return;
    }

    // A reused idempotency key may hit any POST; the document describes idempotency but no error for it.
    if (status === 400 && (body as { code?: unknown } | undefined)?.code === 'idempotency_key_reused') {
      return;
    }

    const responses = operation.responses ?? {};
    const range = `${String(status).charAt(0)}XX`;
    let key = 'default';
    if (String(status) in responses) {
      key = String(status);
    } else if (range in responses) {
      key = range;
    }
    const response = responses[key];
    if (response === undefined) {
      this.violations.push({ method, path, status, problem: `status ${status} is not documented for ${method} ${template}` });
      return;
    }

    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined || body === undefined) {
      return;
    }
    const pointer = ['paths', template, verb, 'responses', key, 'content', 'application/json', 'schema'].map(pointerToken).join('/');
    const validate = this.ajv.getSchema(`${SPEC_ID}#/${pointer}`);
    if (validate === undefined) {
      this.violations.push({ method, path, status, problem: `schema not found at ${pointer}` });
      return;
    }
    if (!validate(body)) {
      this.violations.push({ method, path, status, problem: this.ajv.errorsText(validate.errors, { dataVar: 'body' }) });
    }
  }

  /** Wraps `fetch` so every response passes through {@link SpecValidator.check}. */
  wrapFetch(inner: typeof fetch = fetch): typeof fetch {
    return async (input, init) => {
      const response = await inner(input, init);
      let href: string;
      if (typeof input === 'string') {
        href = input;
      } else if (input instanceof URL) {
        href = input.href;
      } else {
        href = input.url;
      }
      const url = new URL(href);
      const text = await response.clone().text();
      let body: unknown;
      if (text !== '' && (response.headers.get('content-type') ?? '').includes('application/json')) {
        body = JSON.parse(text) as unknown;
      }
      this.check(init?.method ?? 'GET', url.pathname, response.status, body);
      return response;
    };
  }
}

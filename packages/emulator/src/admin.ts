import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.js';
import type { ExplainInput } from './explain.js';
import type { Reply } from './router.js';
import { parseJsonBody, sendJson, type EmulatorInternals } from './server.js';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function explainInput(query: URLSearchParams): ExplainInput {
  const membershipId = query.get('organization_membership_id') ?? '';
  if (membershipId === '') {
    throw new ApiError(422, {
      message: 'organization_membership_id is required.',
      code: 'invalid_request_parameters',
      errors: [{ field: 'organization_membership_id', code: 'required', message: 'organization_membership_id is required.' }],
    });
  }

  const input: ExplainInput = { organization_membership_id: membershipId, permission_slug: query.get('permission_slug') ?? '' };
  for (const field of ['resource_id', 'resource_external_id', 'resource_type_slug'] as const) {
    const value = query.get(field);
    if (value !== null && value !== '') {
      input[field] = value;
    }
  }
  return input;
}

async function route(internals: EmulatorInternals, request: IncomingMessage, url: URL): Promise<Reply> {
  const { emulator } = internals;
  const method = request.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '');
  const rawBody = await readBody(request);

  if (path === '/_fgakit/health' && method === 'GET') {
    return { status: 200, body: { status: 'ok' } };
  }
  if (path === '/_fgakit/requests') {
    if (method === 'GET') {
      return { status: 200, body: { object: 'list', data: emulator.requestLog() } };
    }
    if (method === 'DELETE') {
      emulator.clearRequestLog();
      return { status: 204 };
    }
  }
  if (path === '/_fgakit/reset' && method === 'POST') {
    await emulator.reset();
    return { status: 204 };
  }
  if (path === '/_fgakit/state' && method === 'GET') {
    return { status: 200, body: emulator.snapshot() };
  }
  if (path === '/_fgakit/explain' && method === 'GET') {
    return { status: 200, body: emulator.explain(explainInput(url.searchParams)) };
  }
  if (path === '/_fgakit/faults') {
    if (method === 'GET') {
      return { status: 200, body: { object: 'list', data: emulator.faults() } };
    }
    if (method === 'POST') {
      const body = parseJsonBody(rawBody);
      const rules = Array.isArray(body) ? (body as unknown[]) : [body];
      try {
        const added = rules.map((rule) => emulator.addFault(rule as Parameters<typeof emulator.addFault>[0]));
        return { status: 201, body: Array.isArray(body) ? { object: 'list', data: added } : added[0] };
      } catch (error) {
        if (error instanceof TypeError) {
          throw new ApiError(422, { message: error.message, code: 'invalid_fault_rule' });
        }
        throw error;
      }
    }
    if (method === 'DELETE') {
      emulator.clearFaults();
      return { status: 204 };
    }
  }
  const faultMatch = /^\/_fgakit\/faults\/([^/]+)$/.exec(path);
  if (faultMatch !== null && method === 'DELETE') {
    const id = decodeURIComponent(faultMatch[1] ?? '');
    if (!emulator.removeFault(id)) {
      throw new ApiError(404, { message: `Fault rule not found: '${id}'.`, code: 'entity_not_found' });
    }
    return { status: 204 };
  }

  throw new ApiError(404, { message: `Not found: no admin route for ${method} ${url.pathname}.`, code: 'not_found' });
}

/**
 * Serves the admin API under `/_fgakit/`: request log, reset, fault rules and
 * check explanations. It needs no API key, is never logged and is never hit by
 * faults.
 */
export async function handleAdminRequest(
  internals: EmulatorInternals,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  requestId: string,
): Promise<void> {
  let reply: Reply;
  try {
    reply = await route(internals, request, url);
  } catch (error) {
    if (!(error instanceof ApiError)) {
      throw error;
    }
    reply = { status: error.status, body: error.body };
  }
  sendJson(response, reply, requestId);
}

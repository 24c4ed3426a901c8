import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleAdminRequest } from './admin.js';
import { createApiRouter } from './api.js';
import { ApiError } from './errors.js';
import { explainRequest, type CheckExplanation, type ExplainInput } from './explain.js';
import { FaultInjector, type FaultRule, type FaultRuleInput } from './faults.js';
import { IdempotencyStore } from './idempotency.js';
import { silentLogger, type EmulatorLogger } from './logger.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { splitPath, type Reply } from './router.js';
import { loadSeed, type Seed } from './seed.js';
import { State, type StateSnapshot } from './state.js';

/** Options of {@link startEmulator}. */
export interface StartEmulatorOptions {
  /** TCP port; 0 picks a free one. @defaultValue 4100 */
  port?: number;
  /** Address to listen on. @defaultValue `127.0.0.1` */
  host?: string;
  /** API key the emulator accepts as `Authorization: Bearer <key>`. @defaultValue `sk_test_default` */
  apiKey?: string;
  /** A parsed seed, or the path of a YAML or JSON seed file. */
  seed?: Seed | string;
  /**
   * File that keeps the state across restarts: loaded at start when it exists
   * (instead of the seed's objects), written after every change and at close.
   */
  dataFile?: string;
  /** Fault rules installed at start, after the seed's. */
  faults?: FaultRuleInput[];
  /** Logger for requests and errors; pino loggers fit. Nothing is logged when omitted. */
  logger?: EmulatorLogger;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, such as `http://127.0.0.1:4100`. */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  /** Returns the requests received so far, oldest first; admin requests are not logged. */
  requestLog(): RequestLogEntry[];
  clearRequestLog(): void;
  /** Restores the state the emulator started with, reinstalls the start-up faults and clears the request log. */
  reset(): Promise<void>;
  /** Installs a fault rule and returns it with its id. */
  addFault(rule: FaultRuleInput): FaultRule;
  /** Removes one fault rule; returns whether it existed. */
  removeFault(id: string): boolean;
  clearFaults(): void;
  /** Returns the installed fault rules with their remaining trigger counts. */
  faults(): FaultRule[];
  /** Explains a check: which grant authorized it, or why none did. Throws the {@link ApiError} the check route would return. */
  explain(input: ExplainInput): CheckExplanation;
  /** Returns a plain-data copy of the whole state. */
  snapshot(): StateSnapshot;
  /** Stops listening, ends open connections (hanging ones included) and writes the data file. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const ADMIN_PREFIX = '/_fgakit/';

/** Internal handle the admin routes work on. */
export interface EmulatorInternals {
  emulator: Emulator;
  requestLog: RequestLog;
  faults: FaultInjector;
  state(): State;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, { message: `The request body exceeds ${MAX_BODY_BYTES} bytes.`, code: 'request_too_large' }));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Parses a JSON body; an empty body reads as `undefined`, as the SDK sends for a `null` entity. */
export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ApiError(400, { message: 'The request body is not valid JSON.', code: 'invalid_request_body' });
  }
}

/** Writes a JSON response. Every response carries `Content-Type: application/json`, as the SDK parses only those. */
export function sendJson(response: ServerResponse, reply: Reply, requestId: string): void {
  const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'X-Request-ID': requestId,
    ...(payload === '' ? {} : { 'Content-Length': Buffer.byteLength(payload) }),
    ...reply.headers,
  });
  response.end(payload);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts a WorkOS-compatible API server with an FGA engine.
 *
 * @throws SeedError when the seed is invalid, naming each entry and problem.
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const apiKey = options.apiKey ?? 'sk_test_default';
  const logger = options.logger ?? silentLogger;
  const router = createApiRouter();
  const seeded = await loadSeed(options.seed);
  const initialSnapshot = seeded.state.snapshot();
  const startupFaults = [...seeded.faults, ...(options.faults ?? [])];

  let state = seeded.state;
  if (options.dataFile !== undefined && existsSync(options.dataFile)) {
    const text = await readFile(options.dataFile, 'utf8');
    try {
      const snapshot = JSON.parse(text) as StateSnapshot;
      if (snapshot.version !== 1) {
        throw new Error(`unsupported version ${JSON.stringify(snapshot.version)}, expected 1`);
      }
      state = State.fromSnapshot(snapshot);
    } catch (error) {
      throw new Error(`Cannot load data file ${options.dataFile}: ${(error as Error).message}. Delete it to start from the seed.`, { cause: error });
    }
  }

  const faults = new FaultInjector();
  const installStartupFaults = (): void => {
    faults.clear();
    for (const rule of startupFaults) {
      faults.add(rule);
    }
  };
  installStartupFaults();

  const requestLog = new RequestLog();
  const idempotency = new IdempotencyStore();
  const hangingSockets = new Set<Socket>();

  // Writes are chained so two saves never interleave on the same file.
  let pendingSave: NodeJS.Timeout | undefined;
  let saving: Promise<void> = Promise.resolve();
  const saveNow = (): Promise<void> => {
    const file = options.dataFile;
    if (file === undefined) {
      return Promise.resolve();
    }
    const text = JSON.stringify(state.snapshot());
    saving = saving.then(async () => {
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, file);
    }).catch((error: unknown) => {
      logger.error({ err: error, file }, 'failed to write the data file');
    });
    return saving;
  };
  const scheduleSave = (): void => {
    if (options.dataFile === undefined || pendingSave !== undefined) {
      return;
    }
    pendingSave = setTimeout(() => {
      pendingSave = undefined;
      void saveNow();
    }, 25);
  };

  const handleApiRequest = async (request: IncomingMessage, response: ServerResponse, url: URL, requestId: string): Promise<void> => {
    const method = request.method ?? 'GET';
    const startedAt = Date.now();
    const segments = splitPath(url.pathname);
    const match = segments === undefined ? undefined : router.match(method, segments);
    const entry: RequestLogEntry = {
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      route: match?.pattern ?? null,
      status: null,
      durationMs: 0,
      fault: null,
      startedAt: new Date(startedAt).toISOString(),
    };
    response.on('close', () => {
      entry.status = response.headersSent ? response.statusCode : null;
      entry.durationMs = Date.now() - startedAt;
      requestLog.add(entry);
      logger.debug({ method, path: url.pathname, status: entry.status, durationMs: entry.durationMs, fault: entry.fault, requestId }, 'request');
    });

    const decision = faults.decide(method, segments ?? []);
    if (decision.latencyMs > 0) {
      await sleep(decision.latencyMs);
    }
    const fault = decision.action;
    if (fault !== null) {
      entry.fault = fault.kind;
      logger.info({ method, path: url.pathname, fault: fault.kind, faultId: fault.id }, 'injected fault');
      if (fault.kind === 'drop') {
        request.socket.destroy();
        return;
      }
      if (fault.kind === 'lose_response') {
        const applied = await answer(request, method, url, segments, match);
        if (method !== 'GET' && applied.status < 400) {
          scheduleSave();
        }
        request.socket.destroy();
        return;
      }
      if (fault.kind === 'hang') {
        hangingSockets.add(request.socket);
        request.socket.once('close', () => hangingSockets.delete(request.socket));
        return;
      }
      const isRateLimit = fault.kind === 'rate_limit';
      sendJson(
        response,
        {
          status: fault.status,
          body: isRateLimit
            ? { message: 'Too many requests.', code: 'rate_limit_exceeded' }
            : { message: `Injected fault: status ${fault.status}.`, code: 'server_error' },
          headers: fault.retryAfterSeconds === null ? {} : { 'Retry-After': String(fault.retryAfterSeconds) },
        },
        requestId,
      );
      return;
    }

    const reply = await answer(request, method, url, segments, match);
    sendJson(response, reply, requestId);
    if (method !== 'GET' && reply.status < 400) {
      scheduleSave();
    }
  };

  const answer = async (
    request: IncomingMessage,
    method: string,
    url: URL,
    segments: string[] | undefined,
    match: ReturnType<typeof router.match>,
  ): Promise<Reply> => {
    try {
      if (request.headers.authorization !== `Bearer ${apiKey}`) {
        throw new ApiError(401, { message: 'Unauthorized: send the API key as "Authorization: Bearer <key>".', code: 'unauthorized' });
      }
      const rawBody = await readBody(request);
      if (segments === undefined || match === undefined) {
        throw new ApiError(404, { message: `Not found: no route for ${method} ${url.pathname}.`, code: 'not_found' });
      }

      const idempotencyKey = request.headers['idempotency-key'];
      const key = method === 'POST' && typeof idempotencyKey === 'string' && idempotencyKey !== '' ? idempotencyKey : undefined;
      if (key !== undefined) {
        const replayed = idempotency.replay(key, method, url.pathname, rawBody);
        if (replayed !== undefined) {
          return replayed;
        }
      }

      const reply = match.handler({
        method,
        path: url.pathname,
        params: match.params,
        query: url.searchParams,
        body: parseJsonBody(rawBody),
        headers: request.headers,
        state,
      });
      if (key !== undefined) {
        idempotency.remember(key, method, url.pathname, rawBody, reply);
      }
      return reply;
    } catch (error) {
      if (error instanceof ApiError) {
        return { status: error.status, body: error.body, headers: error.headers };
      }
      logger.error({ err: error, method, path: url.pathname }, 'request handler failed');
      return { status: 500, body: { message: `Internal emulator error: ${(error as Error).message}`, code: 'server_error' } };
    }
  };

  // Set once the emulator object exists; requests arrive only after `listen` resolves.
  const admin: { internals?: EmulatorInternals } = {};
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://emulator.invalid');
    const incomingId = request.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && incomingId !== '' ? incomingId : randomUUID();
    const handler =
      url.pathname.startsWith(ADMIN_PREFIX) && admin.internals !== undefined
        ? handleAdminRequest(admin.internals, request, response, url, requestId)
        : handleApiRequest(request, response, url, requestId);
    handler.catch((error: unknown) => {
      logger.error({ err: error, path: url.pathname }, 'request failed');
      if (!response.headersSent) {
        sendJson(response, { status: 500, body: { message: 'Internal emulator error.', code: 'server_error' } }, requestId);
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4100, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 4100);
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  const emulator: Emulator = {
    url,
    port,
    apiKey,
    requestLog: () => requestLog.list(),
    clearRequestLog: () => requestLog.clear(),
    reset: async () => {
      state = State.fromSnapshot(initialSnapshot);
      installStartupFaults();
      requestLog.clear();
      idempotency.clear();
      await saveNow();
    },
    addFault: (rule) => faults.add(rule),
    removeFault: (id) => faults.remove(id),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    explain: (input) => explainRequest(state, input),
    snapshot: () => state.snapshot(),
    close: () => {
      closing ??= (async () => {
        for (const socket of hangingSockets) {
          socket.destroy();
        }
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        if (pendingSave !== undefined) {
          clearTimeout(pendingSave);
          pendingSave = undefined;
        }
        await saveNow();
        logger.info({ url }, 'emulator stopped');
      })();
      return closing;
    },
  };
  admin.internals = { emulator, requestLog, faults, state: () => state };

  logger.info({ url, organizations: state.organizations.size, users: state.users.size, faults: faults.list().length }, 'emulator started');
  return emulator;
}

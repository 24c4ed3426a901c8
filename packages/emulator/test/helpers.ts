import { fileURLToPath } from 'node:url';
import { WorkOS, type WorkOSOptions } from '@workos-inc/node';
import type { Emulator } from '../src/index.js';
import { SpecValidator } from './openapi.js';

/** One validator for every test file: loading the OpenAPI document takes a moment. */
export const specValidator = new SpecValidator();

/** Path of the example FGA model shipped with the repository. */
export const EXAMPLE_SEED = fileURLToPath(new URL('../../../examples/fga-seed.yaml', import.meta.url));

/**
 * Creates an SDK client pointed at a running emulator, with retries off unless
 * asked for. Every response it receives is checked against WorkOS's OpenAPI
 * document by {@link specValidator}.
 */
export function clientFor(emulator: Emulator, options: Omit<WorkOSOptions, 'apiHostname' | 'port' | 'https'> = {}, apiKey = emulator.apiKey): WorkOS {
  return new WorkOS(apiKey, {
    maxRetries: 0,
    fetchFn: specValidator.wrapFetch(),
    ...options,
    apiHostname: '127.0.0.1',
    port: emulator.port,
    https: false,
  });
}

/** Sends a raw request to the emulator with the API key; the response is checked like the SDK's. */
export async function rawRequest(emulator: Emulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return specValidator.wrapFetch()(`${emulator.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${emulator.apiKey}`, 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

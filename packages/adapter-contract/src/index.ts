/**
 * The behaviour every fgakit framework adapter must share, as one vitest
 * suite. Each adapter package runs {@link describeAdapterContract} with a
 * function that starts a real server on 127.0.0.1, port 0, serving
 * {@link CONTRACT_ROUTES} with its own guards.
 *
 * @module
 */
import type { CheckClient, GuardResult, Subject } from '@fgakit/core';
import { createTestCheckClient, type TestCheckClient } from '@fgakit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Permissions the contract routes use. */
export const CONTRACT_PERMISSIONS = ['workspace:view', 'workspace:edit'] as const;

/** A permission of the contract routes. */
export type ContractPermission = (typeof CONTRACT_PERMISSIONS)[number];

/**
 * Routes each adapter mounts. Every guarded route targets the resource
 * `{ resourceTypeSlug: 'workspace', resourceExternalId: <:id> }`, and every
 * handler that is reached replies 200 with {@link reachedBody}.
 *
 * - `GET /workspaces/:id`: `workspace:view`.
 * - `GET /any/:id`: `{ anyOf: ['workspace:edit', 'workspace:view'] }`.
 * - `GET /all/:id`: `{ allOf: ['workspace:edit', 'workspace:view'] }`.
 * - `GET /hidden/:id`: `workspace:view` with `hideDenied: true` on the route.
 * - `GET /custom/:id`: `workspace:view` from guards created with `onDenied: setup.onDenied`.
 * - `GET /async/:id`: `workspace:view` with an async resource resolver.
 * - `GET /broken/:id`: `workspace:view` with a resource resolver that throws `setup.resolverError`.
 * - `GET /stacked/:id`: a hook of the route's own that sets the header `x-existing: ran`,
 *   then the `workspace:view` guard twice (Fastify: the plugin's `config.fgakit` plus
 *   a guard in the route's `preHandler`).
 *
 * The app's error handler replies 500 with `{ error: error.message }`.
 */
export const CONTRACT_ROUTES = ['/workspaces/:id', '/any/:id', '/all/:id', '/hidden/:id', '/custom/:id', '/async/:id', '/broken/:id', '/stacked/:id'] as const;

/** Inputs the suite passes to an adapter for building its app. */
export interface ContractSetup {
  checks: CheckClient<ContractPermission>;
  /** Subject resolver over the `x-membership` request header; pass the header's value. */
  resolveSubject: (header: string | string[] | undefined) => Promise<Subject | undefined>;
  /** Denial handler for `/custom/:id`: the adapter replies with `status` and `body` as JSON. */
  customDenial: { status: 418; body: { denied: 'custom' } };
  /** Error the `/broken/:id` resource resolver throws. */
  resolverError: Error;
  /** Called by the adapter's `onDenied` hook, to record the result it got. */
  onDenied: (result: GuardResult) => void;
}

/** A server an adapter started. */
export interface RunningServer {
  url: string;
  close: () => Promise<void>;
}

/** An adapter under test. */
export interface AdapterUnderTest {
  name: string;
  start: (setup: ContractSetup) => Promise<RunningServer>;
}

/** Builds the body a reached handler replies with, from the decisions the guards recorded. */
export function reachedBody(id: string, decisions: readonly { source: string }[] | undefined): { id: string; sources: string[] } {
  return { id, sources: (decisions ?? []).map((decision) => decision.source) };
}

const grants: Record<string, readonly string[]> = {
  om_viewer: ['workspace:view'],
  om_editor: ['workspace:edit'],
  om_both: ['workspace:view', 'workspace:edit'],
  om_none: [],
  om_gate: ['workspace:view'],
};

/** Registers the contract suite for one adapter. */
export function describeAdapterContract(adapter: AdapterUnderTest): void {
  describe(`${adapter.name} adapter contract`, () => {
    let server: RunningServer;
    let checks: TestCheckClient<ContractPermission>;
    let subjectCalls = 0;
    let releaseGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      releaseGate = resolve;
    });
    const denials: GuardResult[] = [];

    beforeAll(async () => {
      checks = createTestCheckClient({
        permissions: CONTRACT_PERMISSIONS,
        timeoutMs: 500,
        circuitBreaker: false,
        decide: async ({ organizationMembershipId, permission }) => {
          if (organizationMembershipId === 'om_down') {
            return new Error('WorkOS unavailable');
          }
          if (organizationMembershipId === 'om_slow') {
            await new Promise((resolve) => setTimeout(resolve, 2_000));
          }
          if (organizationMembershipId === 'om_gate') {
            await gate;
          }
          return grants[organizationMembershipId]?.includes(permission) ?? false;
        },
      });
      server = await adapter.start({
        checks,
        resolveSubject: async (header) => {
          subjectCalls += 1;
          if (header === 'explode') {
            throw new Error('subject resolver failed');
          }
          await Promise.resolve();
          return typeof header === 'string' ? { organizationMembershipId: header } : undefined;
        },
        customDenial: { status: 418, body: { denied: 'custom' } },
        resolverError: new Error('resolver failed'),
        onDenied: (result) => denials.push(result),
      });
    });

    afterAll(async () => {
      await server.close();
    });

    const get = (path: string, membership?: string): Promise<Response> =>
      fetch(`${server.url}${path}`, membership === undefined ? {} : { headers: { 'x-membership': membership } });

    async function expectProblem(response: Response, status: number): Promise<Record<string, unknown>> {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.status).toBe(status);
      return body;
    }

    it('reaches the handler when allowed', async () => {
      const response = await get('/workspaces/ws_1', 'om_viewer');

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: 'ws_1', sources: ['upstream'] });
    });

    it('answers 401 without a subject', async () => {
      await expectProblem(await get('/workspaces/ws_1'), 401);
    });

    it('answers 403 when denied', async () => {
      const body = await expectProblem(await get('/workspaces/ws_1', 'om_none'), 403);

      expect(body.title).toBe('Forbidden');
    });

    it('answers 503 with Retry-After when WorkOS fails', async () => {
      const response = await get('/workspaces/ws_1', 'om_down');

      const body = await expectProblem(response, 503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(body.reason).toBe('upstream_error');
    });

    it('answers 503 when the check times out', async () => {
      const body = await expectProblem(await get('/workspaces/ws_1', 'om_slow'), 503);

      expect(body.reason).toBe('timeout');
    });

    it.each([
      ['/any/ws_1', 'om_viewer', 200],
      ['/any/ws_1', 'om_editor', 200],
      ['/any/ws_1', 'om_none', 403],
      ['/all/ws_1', 'om_viewer', 403],
      ['/all/ws_1', 'om_editor', 403],
      ['/all/ws_1', 'om_both', 200],
    ])('answers %s for %s with %i', async (path, membership, status) => {
      const response = await get(path, membership);

      expect(response.status).toBe(status);
    });

    it('answers 404 on denial when the route hides it', async () => {
      await expectProblem(await get('/hidden/ws_1', 'om_none'), 404);
    });

    it('calls the custom denial handler', async () => {
      const response = await get('/custom/ws_1', 'om_none');

      expect(response.status).toBe(418);
      expect(await response.json()).toEqual({ denied: 'custom' });
      expect(denials.at(-1)?.outcome).toBe('denied');
    });

    it('leaves allowed requests alone on the custom route', async () => {
      expect((await get('/custom/ws_1', 'om_viewer')).status).toBe(200);
    });

    it('accepts async resource resolvers', async () => {
      expect((await get('/async/ws_2', 'om_viewer')).status).toBe(200);
    });

    it('sends resource resolver errors to the error handler', async () => {
      const response = await get('/broken/ws_1', 'om_viewer');

      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: 'resolver failed' });
    });

    it('sends subject resolver errors to the error handler', async () => {
      const response = await get('/workspaces/ws_1', 'explode');

      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: 'subject resolver failed' });
    });

    it('keeps the route own hooks and memoizes the second guard', async () => {
      const response = await get('/stacked/ws_3', 'om_viewer');

      expect(response.status).toBe(200);
      expect(response.headers.get('x-existing')).toBe('ran');
      expect(await response.json()).toEqual({ id: 'ws_3', sources: ['upstream', 'memo'] });
    });

    it('runs the route own hooks before a denial', async () => {
      const response = await get('/stacked/ws_3', 'om_none');

      expect(response.status).toBe(403);
      expect(response.headers.get('x-existing')).toBe('ran');
    });

    it('makes one upstream check for 100 concurrent identical requests', async () => {
      const before = subjectCalls;
      const pending = Array.from({ length: 100 }, () => get('/workspaces/ws_gate', 'om_gate'));
      while (subjectCalls - before < 100) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      // Every request has reached the guard; let the single upstream check finish.
      await new Promise((resolve) => setTimeout(resolve, 20));
      releaseGate();

      const statuses = await Promise.all(pending.map(async (response) => (await response).status));

      expect(statuses.every((status) => status === 200)).toBe(true);
      expect(checks.upstreamChecks.filter((call) => call.organizationMembershipId === 'om_gate')).toHaveLength(1);
    });
  });
}

import type { AddressInfo, Server } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIRCUIT_COOLDOWN_MS, startExampleStack, type ExampleStack } from './harness.js';
import { lifecycleSteps, runStep, type LifecycleStep } from './lifecycle.js';
import type { WorkspacesService } from './service.js';
import type { CheckClient } from '@fgakit/core';
import type { Logger } from 'pino';

const CHECK_ROUTE = 'POST /authorization/organization_memberships/:id/check';
const DISCOVERY_ROUTE = 'GET /authorization/organization_memberships/:id/resources';

/** Starts one framework's example app on a port-0 server. */
export type StartApp = (dependencies: { service: WorkspacesService; checks: CheckClient; logger: Logger }) => Promise<Server>;

/**
 * Declares the tests every example app must pass, so the Express, Koa and
 * Fastify apps are held to the same behaviour.
 */
export function describeExampleApp(name: string, startApp: StartApp): void {
  describe(`${name} example`, () => {
    let stack: ExampleStack;
    let server: Server;
    let baseUrl: string;

    beforeAll(async () => {
      stack = await startExampleStack();
      server = await startApp({ service: stack.service, checks: stack.checks, logger: stack.logger });
      if (!server.listening) {
        await once(server, 'listening');
      }

      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    async function expectStep(step: LifecycleStep, organizationId: string): Promise<void> {
      const outcome = await runStep(baseUrl, step, organizationId);
      expect(outcome.problem, `${step.title}: ${outcome.text}`).toBeUndefined();
    }

    // Creates an organization, a member who signs up, and workspaces that member creates.
    async function setUp(organizationId: string, userId: string, workspaceIds: string[]): Promise<void> {
      await expectStep({ title: 'org', method: 'POST', path: '/orgs?wait=true', body: { id: organizationId, name: organizationId }, expect: 201 }, organizationId);
      const signup = { userId, email: `${userId}@${organizationId}.test`, orgId: organizationId };
      await expectStep({ title: 'signup', method: 'POST', path: '/signup?wait=true', body: signup, expect: 201 }, organizationId);
      for (const id of workspaceIds) {
        await expectStep({ title: 'workspace', method: 'POST', path: '/workspaces?wait=true', as: userId, body: { id, name: id }, expect: 201 }, organizationId);
      }
    }

    afterAll(async () => {
      server.close();
      await stack.close();
    });

    it('walks the user lifecycle with the expected statuses', async () => {
      for (const step of lifecycleSteps()) {
        const outcome = await runStep(baseUrl, step);
        expect(outcome.problem, `${step.title}: ${outcome.text}`).toBeUndefined();
      }
    });

    it('rejects a malformed body with a problem document', async () => {
      const response = await fetch(`${baseUrl}/orgs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'x' }),
      });

      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as { status: number; detail: string };
      expect(problem.status).toBe(400);
      expect(problem.detail).toContain('"name"');
    });

    it('rejects invalid JSON with 400', async () => {
      const response = await fetch(`${baseUrl}/orgs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":' });

      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });

    it('makes one upstream check for 100 concurrent identical requests', async () => {
      await setUp('crowd', 'cleo', ['crowd-ws']);
      stack.emulator.clearRequestLog();

      const outcomes = await Promise.all(
        Array.from({ length: 100 }, () => runStep(baseUrl, { title: 'view', method: 'GET', path: '/workspaces/crowd-ws', as: 'cleo', expect: 200 }, 'crowd')),
      );

      expect(outcomes.filter((outcome) => outcome.status === 200)).toHaveLength(100);
      expect(stack.emulator.requestLog().filter((entry) => entry.route === CHECK_ROUTE)).toHaveLength(1);
    });

    it('lists visible workspaces with two upstream calls per parent', async () => {
      // Six workspaces: one check per item would take more calls than the bound below.
      await setUp('lists', 'liz', ['l1', 'l2', 'l3', 'l5', 'l6']);
      await expectStep({ title: 'nested', method: 'POST', path: '/workspaces?wait=true', as: 'liz', body: { id: 'l4', name: 'l4', parentId: 'l1' }, expect: 201 }, 'lists');
      await expectStep({ title: 'signup', method: 'POST', path: '/signup?wait=true', body: { userId: 'lou', email: 'lou@lists.test', orgId: 'lists' }, expect: 201 }, 'lists');
      for (const id of ['l1', 'l2']) {
        await expectStep({ title: `grant ${id}`, method: 'PUT', path: `/workspaces/${id}/members/lou?wait=true`, as: 'liz', body: { role: 'workspace-viewer' }, expect: 200 }, 'lists');
      }
      stack.emulator.clearRequestLog();

      const outcome = await runStep(baseUrl, { title: 'list', method: 'GET', path: '/workspaces', as: 'lou', expect: 200 }, 'lists');
      const ids = ((outcome.body as { data: { id: string }[] }).data).map((workspace) => workspace.id);
      const upstream = stack.emulator.requestLog().filter((entry) => entry.route === CHECK_ROUTE || entry.route === DISCOVERY_ROUTE);

      expect(outcome.problem, outcome.text).toBeUndefined();
      expect(ids.sort()).toEqual(['l1', 'l2', 'l4']);
      expect(upstream.length).toBeGreaterThan(0);
      expect(upstream.length).toBeLessThanOrEqual(4);
    });

    it('denies at once after a role change reached WorkOS', async () => {
      await setUp('stale', 'sam', ['stale-ws']);
      const signup = { title: 'signup', method: 'POST', path: '/signup?wait=true', body: { userId: 'tom', email: 'tom@stale.test', orgId: 'stale' }, expect: 201 };
      await expectStep(signup, 'stale');
      await expectStep({ title: 'grant', method: 'PUT', path: '/workspaces/stale-ws/members/tom?wait=true', as: 'sam', body: { role: 'workspace-editor' }, expect: 200 }, 'stale');
      await expectStep({ title: 'edit while editor', method: 'PATCH', path: '/workspaces/stale-ws', as: 'tom', body: { name: 'A' }, expect: 200 }, 'stale');

      await expectStep({ title: 'demote', method: 'PUT', path: '/workspaces/stale-ws/members/tom?wait=true', as: 'sam', body: { role: 'workspace-viewer' }, expect: 200 }, 'stale');
      await expectStep({ title: 'edit after demotion', method: 'PATCH', path: '/workspaces/stale-ws', as: 'tom', body: { name: 'B' }, expect: 403 }, 'stale');
      await expectStep({ title: 'view after demotion', method: 'GET', path: '/workspaces/stale-ws', as: 'tom', expect: 200 }, 'stale');
    });

    // The fault tests run last: the failures they cause open the check
    // client's circuit breaker for the tests that would follow.
    it('answers 503 and never 200 when WorkOS fails during a check', async () => {
      await setUp('faulty', 'dora', ['faulty-ws', 'faulty-other']);
      await expectStep({ title: 'allowed before the fault', method: 'GET', path: '/workspaces/faulty-ws', as: 'dora', expect: 200 }, 'faulty');

      // Decisions not in the cache yet must reach WorkOS, which now fails.
      stack.emulator.addFault({ kind: 'error', status: 500, path: '/authorization/organization_memberships/*/check' });
      try {
        await expectStep({ title: 'view another workspace', method: 'GET', path: '/workspaces/faulty-other', as: 'dora', expect: 503 }, 'faulty');
        await expectStep({ title: 'edit', method: 'PATCH', path: '/workspaces/faulty-ws', as: 'dora', body: { name: 'X' }, expect: 503 }, 'faulty');
        await expectStep({ title: 'list', method: 'GET', path: '/workspaces', as: 'dora', expect: 503 }, 'faulty');
      } finally {
        stack.emulator.clearFaults();
      }
    });

    it('answers 503 when a check hangs', async () => {
      await setUp('hanging', 'hugo', ['hanging-ws']);

      stack.emulator.addFault({ kind: 'hang', path: '/authorization/organization_memberships/*/check' });
      try {
        await expectStep({ title: 'view', method: 'GET', path: '/workspaces/hanging-ws', as: 'hugo', expect: 503 }, 'hanging');
      } finally {
        stack.emulator.clearFaults();
      }
    });

    // Last of all: it closes the stack's sync producer.
    it('answers 503 and changes nothing when a change cannot be recorded', async () => {
      // Let the circuit the fault tests opened close again.
      await new Promise((resolve) => setTimeout(resolve, CIRCUIT_COOLDOWN_MS + 100));
      await setUp('offline', 'olga', ['offline-ws']);
      await expectStep({ title: 'signup', method: 'POST', path: '/signup?wait=true', body: { userId: 'otto', email: 'otto@offline.test', orgId: 'offline' }, expect: 201 }, 'offline');
      await expectStep({ title: 'grant', method: 'PUT', path: '/workspaces/offline-ws/members/otto?wait=true', as: 'olga', body: { role: 'workspace-viewer' }, expect: 200 }, 'offline');

      await stack.sync.close();
      const revoke = await runStep(baseUrl, { title: 'revoke', method: 'DELETE', path: '/workspaces/offline-ws/members/otto', as: 'olga', expect: 503 }, 'offline');

      expect(revoke.problem, revoke.text).toBeUndefined();
      expect(stack.store.workspaceRole('offline-ws', 'otto')).toBe('workspace-viewer');
    });
  });
}

import type { AddressInfo, Server } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleStack, type ExampleStack } from './harness.js';
import { lifecycleSteps, runStep } from './lifecycle.js';
import type { WorkspacesService } from './service.js';
import type { CheckClient } from '@fgakit/core';
import type { Logger } from 'pino';

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

    it('answers 503 and never 200 when WorkOS fails during a check', async () => {
      const org = 'faulty';
      const setup = [
        { title: 'org', method: 'POST', path: '/orgs?wait=true', body: { id: org, name: 'Faulty' }, expect: 201 },
        { title: 'signup', method: 'POST', path: '/signup?wait=true', body: { userId: 'dora', email: 'dora@faulty.test', orgId: org }, expect: 201 },
        { title: 'workspace', method: 'POST', path: '/workspaces?wait=true', as: 'dora', body: { id: 'faulty-ws', name: 'W' }, expect: 201 },
        { title: 'allowed before the fault', method: 'GET', path: '/workspaces/faulty-ws', as: 'dora', expect: 200 },
      ];
      for (const step of setup) {
        const outcome = await runStep(baseUrl, step, org);
        expect(outcome.problem, `${step.title}: ${outcome.text}`).toBeUndefined();
      }

      stack.emulator.addFault({ kind: 'error', status: 500, path: '/authorization/organization_memberships/*/check' });
      try {
        const view = await runStep(baseUrl, { title: 'view', method: 'GET', path: '/workspaces/faulty-ws', as: 'dora', expect: 503 }, org);
        expect(view.problem, view.text).toBeUndefined();

        const list = await runStep(baseUrl, { title: 'list', method: 'GET', path: '/workspaces', as: 'dora', expect: 503 }, org);
        expect(list.problem, list.text).toBeUndefined();
      } finally {
        stack.emulator.clearFaults();
      }
    });
  });
}

import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lifecycleSteps, runStep, startExampleStack, type ExampleStack } from '@fgakit-examples/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

let stack: ExampleStack;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  stack = await startExampleStack();
  server = createApp({ service: stack.service, checks: stack.checks, logger: stack.logger }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.close();
  await stack.close();
});

describe('express example', () => {
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
    expect(await response.json()).toMatchObject({ status: 400, detail: expect.stringContaining('"name"') });
  });

  it('answers 503 when WorkOS fails during a check', async () => {
    await runStep(baseUrl, { title: 'org', method: 'POST', path: '/orgs?wait=true', body: { id: 'faulty', name: 'Faulty' }, expect: 201 });
    await runStep(baseUrl, { title: 'signup', method: 'POST', path: '/signup?wait=true', body: { userId: 'dora', email: 'dora@faulty.test', orgId: 'faulty' }, expect: 201 }, 'faulty');
    await runStep(baseUrl, { title: 'workspace', method: 'POST', path: '/workspaces?wait=true', as: 'dora', body: { id: 'faulty-ws', name: 'W' }, expect: 201 }, 'faulty');

    stack.emulator.addFault({ kind: 'error', status: 500, path: '/authorization/organization_memberships/*/check' });
    try {
      const outcome = await runStep(baseUrl, { title: 'view', method: 'GET', path: '/workspaces/faulty-ws', as: 'dora', expect: 503 }, 'faulty');
      expect(outcome.problem, outcome.text).toBeUndefined();
    } finally {
      stack.emulator.clearFaults();
    }
  });
});

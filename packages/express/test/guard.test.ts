import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import { createTestCheckClient } from '@fgakit/core/testing';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';

import { createGuards } from '../src/index.js';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(app: express.Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function appWith(decide: Parameters<typeof createTestCheckClient>[0]): express.Express {
  const checks = createTestCheckClient({ timeoutMs: 200, ...decide });
  const { requirePermission } = createGuards({
    checks,
    resolveSubject: (req) => {
      const membership = req.header('x-membership');
      return membership === undefined ? undefined : { organizationMembershipId: membership };
    },
  });
  const app = express();
  app.get(
    '/workspaces/:id',
    requirePermission('workspace:view', (req) => ({ resourceTypeSlug: 'workspace', resourceExternalId: String(req.params.id) })),
    (req, res) => {
      res.json({ id: req.params.id, decisions: req.fgakit?.decisions.length });
    },
  );
  return app;
}

describe('requirePermission', () => {
  it('passes an allowed request to the handler', async () => {
    const url = await listen(appWith({ decide: () => true }));

    const response = await fetch(`${url}/workspaces/ws_1`, { headers: { 'x-membership': 'om_1' } });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'ws_1', decisions: 1 });
  });

  it('answers 401 without a subject', async () => {
    const url = await listen(appWith({ decide: () => true }));

    const response = await fetch(`${url}/workspaces/ws_1`);

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 403 when denied', async () => {
    const url = await listen(appWith({ decide: () => false }));

    const response = await fetch(`${url}/workspaces/ws_1`, { headers: { 'x-membership': 'om_1' } });

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ status: 403, title: 'Forbidden' });
  });

  it('answers 503 with Retry-After when WorkOS fails', async () => {
    const url = await listen(appWith({ decide: () => new Error('upstream down') }));

    const response = await fetch(`${url}/workspaces/ws_1`, { headers: { 'x-membership': 'om_1' } });

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ reason: 'upstream_error' });
  });

  it('answers 503 when the check times out', async () => {
    const url = await listen(appWith({ decide: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 1_000)) }));

    const response = await fetch(`${url}/workspaces/ws_1`, { headers: { 'x-membership': 'om_1' } });

    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ reason: 'timeout' });
  });

  it('passes resolver errors to next', async () => {
    const checks = createTestCheckClient({ decide: () => true });
    const { requirePermission } = createGuards({
      checks,
      resolveSubject: () => Promise.reject(new Error('session store down')),
    });
    const app = express();
    app.get('/x', requirePermission('workspace:view', () => ({ resourceId: 'r' })), (_req, res) => {
      res.send('reached');
    });
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ caught: error.message });
    });
    const url = await listen(app);

    const response = await fetch(`${url}/x`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ caught: 'session store down' });
  });
});

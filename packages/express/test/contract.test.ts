import type { AddressInfo } from 'node:net';

import { describeAdapterContract, reachedBody, type ContractSetup, type RunningServer } from '@fgakit-internal/adapter-contract';
import express, { type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';

import { createGuards } from '../src/index.js';

async function start(createApp: typeof express, setup: ContractSetup): Promise<RunningServer> {
  const resolveSubject = (req: Request) => setup.resolveSubject(req.headers['x-membership']);
  const { requirePermission } = createGuards({ checks: setup.checks, resolveSubject });
  const custom = createGuards({
    checks: setup.checks,
    resolveSubject,
    onDenied: (_req, res, _next, result) => {
      setup.onDenied(result);
      res.status(setup.customDenial.status).json(setup.customDenial.body);
    },
  });
  const workspace = (req: Request) => ({ resourceTypeSlug: 'workspace', resourceExternalId: String(req.params.id) });
  const reached = (req: Request, res: Response) => {
    res.json(reachedBody(String(req.params.id), req.fgakit?.decisions));
  };

  const app = createApp();
  app.get('/workspaces/:id', requirePermission('workspace:view', workspace), reached);
  app.get('/any/:id', requirePermission({ anyOf: ['workspace:edit', 'workspace:view'] }, workspace), reached);
  app.get('/all/:id', requirePermission({ allOf: ['workspace:edit', 'workspace:view'] }, workspace), reached);
  app.get('/hidden/:id', requirePermission('workspace:view', workspace, { hideDenied: true }), reached);
  app.get('/custom/:id', custom.requirePermission('workspace:view', workspace), reached);
  app.get('/async/:id', requirePermission('workspace:view', async (req) => Promise.resolve(workspace(req))), reached);
  app.get(
    '/broken/:id',
    requirePermission('workspace:view', () => {
      throw setup.resolverError;
    }),
    reached,
  );
  app.get(
    '/stacked/:id',
    (_req, res, next) => {
      res.set('x-existing', 'ran');
      next();
    },
    requirePermission('workspace:view', workspace),
    requirePermission('workspace:view', workspace),
    reached,
  );
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: error.message });
  });

  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describeAdapterContract({ name: 'express 5', start: (setup) => start(express, setup) });
describeAdapterContract({ name: 'express 4', start: (setup) => start(express4, setup) });

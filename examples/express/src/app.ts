import type { CheckClient } from '@fgakit/core';
import { createGuards } from '@fgakit/express';
import {
  identityFromHeaders,
  toProblem,
  type Identity,
  type WorkspacesService,
  type WriteResult,
} from '@fgakit-examples/shared';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';

/** Dependencies of the Express example app. */
export interface AppDependencies {
  service: WorkspacesService;
  checks: CheckClient;
  logger: Logger;
}

/** Creates the workspaces app on Express. */
export function createApp({ service, checks, logger }: AppDependencies): express.Express {
  const app = express();
  app.use(express.json());

  const { requirePermission } = createGuards({
    checks,
    resolveSubject: (req) => identityFromHeaders(req.headers),
  });

  const workspace = (req: Request) => ({ resourceTypeSlug: 'workspace', resourceExternalId: String(req.params.id) });
  const organization = (req: Request) => service.organizationResource(String(req.params.orgId));

  // Sends a write's result once it is recorded, or once it reached WorkOS with ?wait=true.
  async function respond<T>(req: Request, res: Response, status: number, write: Promise<WriteResult<T>>): Promise<void> {
    const { value, tickets } = await write;
    if (req.query.wait === 'true') {
      await service.waitForSync(tickets);
    }

    res.status(status).json(value);
  }

  function caller(req: Request): Identity {
    const identity = identityFromHeaders(req.headers);
    if (identity === undefined) {
      throw new Error('the guard admitted a request without identity');
    }

    return identity;
  }

  app.post('/orgs', (req, res, next) => {
    respond(req, res, 201, service.createOrganization(req.body)).catch(next);
  });

  app.post('/signup', (req, res, next) => {
    respond(req, res, 201, service.signUp(req.body)).catch(next);
  });

  app.get('/workspaces', requireIdentity, (req, res, next) => {
    service
      .listWorkspaces(caller(req))
      .then((workspaces) => res.json({ data: workspaces }))
      .catch(next);
  });

  app.post('/workspaces', requireIdentity, (req, res, next) => {
    respond(req, res, 201, service.createWorkspace(caller(req), req.body)).catch(next);
  });

  app.get('/workspaces/:id', requirePermission('workspace:view', workspace), (req, res) => {
    res.json(service.getWorkspace(String(req.params.id)));
  });

  app.patch('/workspaces/:id', requirePermission('workspace:edit', workspace), (req, res, next) => {
    respond(req, res, 200, service.updateWorkspace(String(req.params.id), req.body)).catch(next);
  });

  app.put('/workspaces/:id/members/:userId', requirePermission('workspace:manage', workspace), (req, res, next) => {
    respond(req, res, 200, service.setWorkspaceMember(String(req.params.id), String(req.params.userId), req.body)).catch(next);
  });

  app.delete('/workspaces/:id/members/:userId', requirePermission('workspace:manage', workspace), (req, res, next) => {
    respond(req, res, 200, service.removeWorkspaceMember(String(req.params.id), String(req.params.userId))).catch(next);
  });

  app.put('/orgs/:orgId/members/:userId', requirePermission('org:manage', organization), (req, res, next) => {
    respond(req, res, 200, service.setOrganizationRole(String(req.params.orgId), String(req.params.userId), req.body)).catch(next);
  });

  app.delete('/orgs/:orgId/members/:userId', requirePermission('org:manage', organization), (req, res, next) => {
    respond(req, res, 200, service.removeOrganizationMember(String(req.params.orgId), String(req.params.userId))).catch(next);
  });

  app.delete('/users/:userId', requireIdentity, (req, res, next) => {
    respond(req, res, 200, service.deleteUser(caller(req), String(req.params.userId))).catch(next);
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    }

    if (problem.retryAfterSeconds !== undefined) {
      res.set('retry-after', String(problem.retryAfterSeconds));
    }

    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  });

  return app;
}

function requireIdentity(req: Request, res: Response, next: NextFunction): void {
  if (identityFromHeaders(req.headers) === undefined) {
    res
      .status(401)
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Send the x-user-id and x-org-id headers.' }));
    return;
  }

  next();
}

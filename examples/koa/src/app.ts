import type { CheckClient } from '@fgakit/core';
import { createGuards, type FgakitState } from '@fgakit/koa';
import {
  HttpProblem,
  identityFromHeaders,
  toProblem,
  type Identity,
  type WorkspacesService,
  type WriteResult,
} from '@fgakit-examples/shared';
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import Koa, { type Context } from 'koa';
import type { Logger } from 'pino';

/** Dependencies of the Koa example app. */
export interface AppDependencies {
  service: WorkspacesService;
  checks: CheckClient;
  logger: Logger;
}

/** Creates the workspaces app on Koa. */
export function createApp({ service, checks, logger }: AppDependencies): Koa<FgakitState> {
  const app = new Koa<FgakitState>();
  const router = new Router<FgakitState>();

  const { requirePermission } = createGuards({
    checks,
    resolveSubject: (ctx) => identityFromHeaders(ctx.headers),
  });

  const workspace = (ctx: Context) => ({ resourceTypeSlug: 'workspace', resourceExternalId: param(ctx, 'id') });
  const organization = (ctx: Context) => service.organizationResource(param(ctx, 'orgId'));

  // Sets a write's result once it is recorded, or once it reached WorkOS with ?wait=true.
  async function respond<T>(ctx: Context, status: number, write: Promise<WriteResult<T>>): Promise<void> {
    const { value, tickets } = await write;
    if (ctx.query.wait === 'true') {
      await service.waitForSync(tickets);
    }

    ctx.status = status;
    ctx.body = value;
  }

  function caller(ctx: Context): Identity {
    const identity = identityFromHeaders(ctx.headers);
    if (identity === undefined) {
      throw new HttpProblem(401, 'Unauthorized', 'Send the x-user-id and x-org-id headers.');
    }

    return identity;
  }

  router.post('/orgs', (ctx) => respond(ctx, 201, service.createOrganization(ctx.request.body)));
  router.post('/signup', (ctx) => respond(ctx, 201, service.signUp(ctx.request.body)));

  router.get('/workspaces', async (ctx) => {
    ctx.body = { data: await service.listWorkspaces(caller(ctx)) };
  });
  router.post('/workspaces', (ctx) => respond(ctx, 201, service.createWorkspace(caller(ctx), ctx.request.body)));

  router.get('/workspaces/:id', requirePermission('workspace:view', workspace), (ctx) => {
    ctx.body = service.getWorkspace(param(ctx, 'id'));
  });
  router.patch('/workspaces/:id', requirePermission('workspace:edit', workspace), (ctx) =>
    respond(ctx, 200, service.updateWorkspace(param(ctx, 'id'), ctx.request.body)),
  );

  router.put('/workspaces/:id/members/:userId', requirePermission('workspace:manage', workspace), (ctx) =>
    respond(ctx, 200, service.setWorkspaceMember(param(ctx, 'id'), param(ctx, 'userId'), ctx.request.body)),
  );
  router.delete('/workspaces/:id/members/:userId', requirePermission('workspace:manage', workspace), (ctx) =>
    respond(ctx, 200, service.removeWorkspaceMember(param(ctx, 'id'), param(ctx, 'userId'))),
  );

  router.put('/orgs/:orgId/members/:userId', requirePermission('org:manage', organization), (ctx) =>
    respond(ctx, 200, service.setOrganizationRole(param(ctx, 'orgId'), param(ctx, 'userId'), ctx.request.body)),
  );
  router.delete('/orgs/:orgId/members/:userId', requirePermission('org:manage', organization), (ctx) =>
    respond(ctx, 200, service.removeOrganizationMember(param(ctx, 'orgId'), param(ctx, 'userId'))),
  );

  router.delete('/users/:userId', (ctx) => respond(ctx, 200, service.deleteUser(caller(ctx), param(ctx, 'userId'))));

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const problem = toProblem(error);
      if (problem.status >= 500) {
        logger.error({ err: error, method: ctx.method, path: ctx.path }, 'request failed');
      }

      if (problem.retryAfterSeconds !== undefined) {
        ctx.set('retry-after', String(problem.retryAfterSeconds));
      }

      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = JSON.stringify(problem);
    }
  });
  app.use(
    bodyParser({
      enableTypes: ['json'],
      onError: (error) => {
        throw new HttpProblem(400, 'Bad Request', `Invalid JSON body: ${error.message}. Send valid JSON with Content-Type: application/json.`);
      },
    }),
  );
  app.use(router.routes());
  app.use(router.allowedMethods());

  return app;
}

function param(ctx: Context, name: string): string {
  const params = (ctx as Context & { params?: Record<string, string> }).params;
  return params?.[name] ?? '';
}

import type { CheckClient } from '@fgakit/core';
import { fgakit, type ResourceResolver } from '@fgakit/fastify';
import {
  HttpProblem,
  identityFromHeaders,
  toProblem,
  type Identity,
  type WorkspacesService,
  type WriteResult,
} from '@fgakit-examples/shared';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/** Dependencies of the Fastify example app. */
export interface AppDependencies {
  service: WorkspacesService;
  checks: CheckClient;
  logger: Logger;
}

type Params = Record<string, string>;

/** Creates the workspaces app on Fastify. */
export async function createApp({ service, checks, logger }: AppDependencies): Promise<FastifyInstance> {
  // Typed as Fastify's base logger so the instance keeps Fastify's default type.
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance });

  await app.register(fgakit, {
    checks,
    resolveSubject: (request) => identityFromHeaders(request.headers),
  });

  const workspace: ResourceResolver = (request) => ({ resourceTypeSlug: 'workspace', resourceExternalId: (request.params as Params).id ?? '' });
  const organization: ResourceResolver = (request) => service.organizationResource((request.params as Params).orgId ?? '');
  const guard = (requirement: string, resource: ResourceResolver) => ({ config: { fgakit: { requirement, resource } } });

  // Sends a write's result once it is recorded, or once it reached WorkOS with ?wait=true.
  async function respond<T>(request: FastifyRequest, reply: FastifyReply, status: number, write: Promise<WriteResult<T>>): Promise<T> {
    const { value, tickets } = await write;
    if ((request.query as Params).wait === 'true') {
      await service.waitForSync(tickets);
    }

    reply.code(status);
    return value;
  }

  function caller(request: FastifyRequest): Identity {
    const identity = identityFromHeaders(request.headers);
    if (identity === undefined) {
      throw new HttpProblem(401, 'Unauthorized', 'Send the x-user-id and x-org-id headers.');
    }

    return identity;
  }

  const params = (request: FastifyRequest) => request.params as Params;

  app.post('/orgs', (request, reply) => respond(request, reply, 201, service.createOrganization(request.body)));
  app.post('/signup', (request, reply) => respond(request, reply, 201, service.signUp(request.body)));

  app.get('/workspaces', async (request) => ({ data: await service.listWorkspaces(caller(request)) }));
  app.post('/workspaces', (request, reply) => respond(request, reply, 201, service.createWorkspace(caller(request), request.body)));

  app.get('/workspaces/:id', guard('workspace:view', workspace), (request) => service.getWorkspace(params(request).id ?? ''));
  app.patch('/workspaces/:id', guard('workspace:edit', workspace), (request, reply) =>
    respond(request, reply, 200, service.updateWorkspace(params(request).id ?? '', request.body)),
  );

  app.put('/workspaces/:id/members/:userId', guard('workspace:manage', workspace), (request, reply) =>
    respond(request, reply, 200, service.setWorkspaceMember(params(request).id ?? '', params(request).userId ?? '', request.body)),
  );
  app.delete('/workspaces/:id/members/:userId', guard('workspace:manage', workspace), (request, reply) =>
    respond(request, reply, 200, service.removeWorkspaceMember(params(request).id ?? '', params(request).userId ?? '')),
  );

  app.put('/orgs/:orgId/members/:userId', guard('org:manage', organization), (request, reply) =>
    respond(request, reply, 200, service.setOrganizationRole(params(request).orgId ?? '', params(request).userId ?? '', request.body)),
  );
  app.delete('/orgs/:orgId/members/:userId', guard('org:manage', organization), (request, reply) =>
    respond(request, reply, 200, service.removeOrganizationMember(params(request).orgId ?? '', params(request).userId ?? '')),
  );

  app.delete('/users/:userId', (request, reply) => respond(request, reply, 200, service.deleteUser(caller(request), params(request).userId ?? '')));

  app.setErrorHandler((error, request, reply) => {
    // Fastify's own client errors, such as an unparsable JSON body, carry a 4xx statusCode.
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    const problem =
      typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && !(error instanceof HttpProblem)
        ? new HttpProblem(statusCode, 'Bad Request', `Invalid request: ${(error as Error).message}.`)
        : toProblem(error);
    if (problem.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    }

    if (problem.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(problem.retryAfterSeconds));
    }

    return reply.code(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  });

  return app;
}

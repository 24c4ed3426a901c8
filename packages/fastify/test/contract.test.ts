import { describeAdapterContract, reachedBody, type ContractSetup, type RunningServer } from '@fgakit-internal/adapter-contract';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

import { createGuards, fgakit } from '../src/index.js';

async function start(setup: ContractSetup): Promise<RunningServer> {
  const resolveSubject = (request: FastifyRequest) => setup.resolveSubject(request.headers['x-membership']);
  const { requirePermission } = createGuards({ checks: setup.checks, resolveSubject });
  const custom = createGuards({
    checks: setup.checks,
    resolveSubject,
    onDenied: async (_request, reply, result) => {
      setup.onDenied(result);
      await reply.code(setup.customDenial.status).send(setup.customDenial.body);
    },
  });
  const workspace = (request: FastifyRequest) => ({ resourceTypeSlug: 'workspace', resourceExternalId: (request.params as { id: string }).id });
  const reached = async (request: FastifyRequest, reply: FastifyReply) =>
    reply.send(reachedBody((request.params as { id: string }).id, request.fgakit?.decisions));

  const app = Fastify();
  app.setErrorHandler(async (error: Error, _request, reply) => reply.code(500).send({ error: error.message }));
  await app.register(fgakit, { checks: setup.checks, resolveSubject });

  app.get('/workspaces/:id', { config: { fgakit: { requirement: 'workspace:view', resource: workspace } } }, reached);
  app.get('/any/:id', { preHandler: requirePermission({ anyOf: ['workspace:edit', 'workspace:view'] }, workspace) }, reached);
  app.get('/all/:id', { preHandler: requirePermission({ allOf: ['workspace:edit', 'workspace:view'] }, workspace) }, reached);
  app.get('/hidden/:id', { config: { fgakit: { requirement: 'workspace:view', resource: workspace, hideDenied: true } } }, reached);
  app.get('/custom/:id', { preHandler: custom.requirePermission('workspace:view', workspace) }, reached);
  app.get('/async/:id', { preHandler: requirePermission('workspace:view', async (request) => Promise.resolve(workspace(request))) }, reached);
  app.get(
    '/broken/:id',
    {
      preHandler: requirePermission('workspace:view', () => {
        throw setup.resolverError;
      }),
    },
    reached,
  );
  app.get(
    '/stacked/:id',
    {
      config: { fgakit: { requirement: 'workspace:view', resource: workspace } },
      preHandler: [
        async (_request, reply) => {
          reply.header('x-existing', 'ran');
        },
        requirePermission('workspace:view', workspace),
      ],
    },
    reached,
  );

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

describeAdapterContract({ name: 'fastify', start });

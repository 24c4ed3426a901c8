/**
 * A minimal workspaces app on one framework, with the same handler behind an
 * unguarded route (`/open/workspaces/:id`) and a guarded one
 * (`/workspaces/:id`, `workspace:view`). The caller's membership id comes
 * from the `x-membership-id` header. The check client caches decisions and
 * listens for invalidations on Redis, as a production app would.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCheckClient, createWorkOS, type CheckClient, type Subject } from '@fgakit/core';
import { Redis } from 'ioredis';
import { childConfig, serveParent } from '../lib/child.js';
import type { Framework } from '../lib/options.js';

interface Config {
  framework: Framework;
  emulatorUrl: string;
  apiKey: string;
  redisUrl: string;
  prefix: string;
}

type Permission = 'workspace:view';

const config = childConfig() as Config;
const redis = new Redis(config.redisUrl, { lazyConnect: true });
await redis.connect();

const checks = createCheckClient({
  workos: createWorkOS({ apiKey: config.apiKey, baseUrl: config.emulatorUrl }),
  permissions: ['workspace:view'] as const,
  cache: {},
  invalidation: { redis, prefix: config.prefix },
});
await checks.ready();

function subjectOf(header: string | string[] | undefined): Subject | undefined {
  return typeof header === 'string' ? { organizationMembershipId: header } : undefined;
}

function body(id: string): { id: string; name: string } {
  return { id, name: `Workspace ${id}` };
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function startExpress(client: CheckClient<Permission>): Promise<{ port: number; close: () => Promise<void> }> {
  const { default: express } = await import('express');
  const { createGuards } = await import('@fgakit/express');
  const { requirePermission } = createGuards({ checks: client, resolveSubject: (req) => subjectOf(req.headers['x-membership-id']) });

  const app = express();
  app.get('/open/workspaces/:id', (req, res) => {
    res.json(body(req.params.id));
  });
  app.get(
    '/workspaces/:id',
    requirePermission('workspace:view', (req) => ({ resourceTypeSlug: 'workspace', resourceExternalId: String(req.params.id) })),
    (req, res) => {
      res.json(body(String(req.params.id)));
    },
  );

  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function startKoa(client: CheckClient<Permission>): Promise<{ port: number; close: () => Promise<void> }> {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const { createGuards } = await import('@fgakit/koa');
  const { requirePermission } = createGuards({ checks: client, resolveSubject: (ctx) => subjectOf(ctx.get('x-membership-id') || undefined) });

  const app = new Koa();
  const router = new Router();
  router.get('/open/workspaces/:id', (ctx) => {
    ctx.body = body(ctx.params.id!);
  });
  router.get(
    '/workspaces/:id',
    requirePermission('workspace:view', (ctx) => ({ resourceTypeSlug: 'workspace', resourceExternalId: (ctx.params as Record<string, string>).id! })),
    (ctx) => {
      ctx.body = body(ctx.params.id!);
    },
  );
  app.use(router.routes());

  const handle = app.callback();
  const server = createServer((request, response) => void handle(request, response));
  const port = await listen(server);
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function startFastify(client: CheckClient<Permission>): Promise<{ port: number; close: () => Promise<void> }> {
  const { default: Fastify } = await import('fastify');
  const { fgakit } = await import('@fgakit/fastify');

  const app = Fastify({ logger: false });
  await app.register(fgakit, { checks: client, resolveSubject: (request) => subjectOf(request.headers['x-membership-id']) });
  app.get('/open/workspaces/:id', async (request) => body((request.params as { id: string }).id));
  app.get(
    '/workspaces/:id',
    {
      config: {
        fgakit: {
          requirement: 'workspace:view',
          resource: (request) => ({ resourceTypeSlug: 'workspace', resourceExternalId: (request.params as { id: string }).id }),
        },
      },
    },
    async (request) => body((request.params as { id: string }).id),
  );

  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
}

const starters = { express: startExpress, koa: startKoa, fastify: startFastify };
const server = await starters[config.framework](checks);

serveParent(
  async () => null,
  async () => {
    await server.close();
    await checks.close();
    redis.disconnect();
  },
);
process.send?.({ port: server.port });

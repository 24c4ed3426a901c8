import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import { createCheckClient, createWorkOS } from '@fgakit/core';
import { startEmulator, type Emulator } from '@fgakit/emulator';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createGuards } from '../src/index.js';

const seedPath = new URL('../../../examples/fga-seed.yaml', import.meta.url).pathname;

describe('requirePermission with the real SDK against the emulator', () => {
  let emulator: Emulator;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: seedPath });
    const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url, options: { maxRetries: 0 } });

    const organization = await workos.organizations.createOrganization({ name: 'Acme', externalId: 'acme' });
    const auditor = await workos.userManagement.createUser({ email: 'auditor@acme.test', externalId: 'u-auditor' });
    const guest = await workos.userManagement.createUser({ email: 'guest@acme.test', externalId: 'u-guest' });
    await workos.userManagement.createOrganizationMembership({ userId: auditor.id, organizationId: organization.id, roleSlug: 'auditor' });
    await workos.userManagement.createOrganizationMembership({ userId: guest.id, organizationId: organization.id });
    await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'ws-1', name: 'One' });

    const checks = createCheckClient({ workos, timeoutMs: 500 });
    const { requirePermission } = createGuards({
      checks,
      resolveSubject: (ctx) => {
        const userId = ctx.get('x-user-id');
        return userId === '' ? undefined : { userId, organizationId: 'acme' };
      },
    });
    const router = new Router();
    router.get(
      '/workspaces/:id',
      requirePermission('workspace:view', (ctx) => ({ resourceTypeSlug: 'workspace', resourceExternalId: String((ctx.params as Record<string, string>).id) })),
      (ctx) => {
        ctx.body = { viewed: true };
      },
    );
    const app = new Koa();
    app.use(router.routes());
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await emulator.close();
  });

  const view = (userId: string) => fetch(`${url}/workspaces/ws-1`, { headers: { 'x-user-id': userId } });

  it('allows an organization-level auditor', async () => {
    expect((await view('u-auditor')).status).toBe(200);
  });

  it('denies a member without a grant', async () => {
    expect((await view('u-guest')).status).toBe(403);
  });

  it('answers 503 when WorkOS is slow', async () => {
    const fault = emulator.addFault({ kind: 'latency', latencyMs: 2_000, path: '/authorization/organization_memberships/*/check', times: 1 });

    const response = await view('u-guest');
    emulator.removeFault(fault.id);

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
  });
});

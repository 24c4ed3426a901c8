import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import { createCheckClient, createWorkOS } from '@fgakit/core';
import { startEmulator, type Emulator } from '@fgakit/emulator';
import express from 'express';
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
    const owner = await workos.userManagement.createUser({ email: 'owner@acme.test', externalId: 'u-owner' });
    const guest = await workos.userManagement.createUser({ email: 'guest@acme.test', externalId: 'u-guest' });
    const ownerMembership = await workos.userManagement.createOrganizationMembership({ userId: owner.id, organizationId: organization.id });
    await workos.userManagement.createOrganizationMembership({ userId: guest.id, organizationId: organization.id });
    await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'ws-1', name: 'One' });
    await workos.authorization.assignRole({
      organizationMembershipId: ownerMembership.id,
      roleSlug: 'workspace-admin',
      resourceTypeSlug: 'workspace',
      resourceExternalId: 'ws-1',
    });

    const checks = createCheckClient({ workos, timeoutMs: 500 });
    const { requirePermission } = createGuards({
      checks,
      resolveSubject: (req) => {
        const userId = req.header('x-user-id');
        const organizationId = req.header('x-org-id');
        return userId === undefined || organizationId === undefined ? undefined : { userId, organizationId };
      },
    });
    const app = express();
    app.patch(
      '/workspaces/:id',
      requirePermission('workspace:edit', (req) => ({ resourceTypeSlug: 'workspace', resourceExternalId: String(req.params.id) })),
      (_req, res) => {
        res.json({ updated: true });
      },
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await emulator.close();
  });

  const patch = (userId: string) => fetch(`${url}/workspaces/ws-1`, { method: 'PATCH', headers: { 'x-user-id': userId, 'x-org-id': 'acme' } });

  it('allows the workspace admin', async () => {
    expect((await patch('u-owner')).status).toBe(200);
  });

  it('denies another member', async () => {
    expect((await patch('u-guest')).status).toBe(403);
  });

  it('answers 503 when WorkOS fails', async () => {
    const fault = emulator.addFault({ kind: 'error', status: 500, path: '/authorization/organization_memberships/*/check', times: 1 });

    const response = await patch('u-guest');
    emulator.removeFault(fault.id);

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
  });
});

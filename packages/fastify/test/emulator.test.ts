import { createCheckClient, createWorkOS } from '@fgakit/core';
import { startEmulator, type Emulator } from '@fgakit/emulator';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fgakit } from '../src/index.js';

const seedPath = new URL('../../../examples/fga-seed.yaml', import.meta.url).pathname;

describe('fgakit plugin with the real SDK against the emulator', () => {
  let emulator: Emulator;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: seedPath });
    const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url, options: { maxRetries: 0 } });

    const organization = await workos.organizations.createOrganization({ name: 'Acme', externalId: 'acme' });
    const editor = await workos.userManagement.createUser({ email: 'editor@acme.test', externalId: 'u-editor' });
    const guest = await workos.userManagement.createUser({ email: 'guest@acme.test', externalId: 'u-guest' });
    const editorMembership = await workos.userManagement.createOrganizationMembership({ userId: editor.id, organizationId: organization.id });
    await workos.userManagement.createOrganizationMembership({ userId: guest.id, organizationId: organization.id });
    await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'ws-1', name: 'One' });
    await workos.authorization.createResource({
      organizationId: organization.id,
      resourceTypeSlug: 'project',
      externalId: 'p-1',
      name: 'P',
      parentResourceTypeSlug: 'workspace',
      parentResourceExternalId: 'ws-1',
    });
    await workos.authorization.assignRole({
      organizationMembershipId: editorMembership.id,
      roleSlug: 'workspace-editor',
      resourceTypeSlug: 'workspace',
      resourceExternalId: 'ws-1',
    });

    const checks = createCheckClient({ workos, timeoutMs: 500 });
    app = Fastify();
    await app.register(fgakit, {
      checks,
      resolveSubject: (request) => {
        const userId = request.headers['x-user-id'];
        return typeof userId === 'string' ? { userId, organizationId: 'acme' } : undefined;
      },
    });
    app.patch(
      '/projects/:id',
      {
        config: {
          fgakit: { requirement: 'project:edit', resource: (request) => ({ resourceTypeSlug: 'project', resourceExternalId: (request.params as { id: string }).id }) },
        },
      },
      async () => ({ updated: true }),
    );
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
    await emulator.close();
  });

  const edit = (userId?: string) =>
    fetch(`${url}/projects/p-1`, { method: 'PATCH', headers: userId === undefined ? {} : { 'x-user-id': userId } });

  it('allows an editor of the parent workspace', async () => {
    expect((await edit('u-editor')).status).toBe(200);
  });

  it('denies a member without a grant', async () => {
    expect((await edit('u-guest')).status).toBe(403);
  });

  it('answers 401 without identity', async () => {
    expect((await edit()).status).toBe(401);
  });
});

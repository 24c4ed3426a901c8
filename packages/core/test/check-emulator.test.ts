import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { readSeedFile, startEmulator, type Emulator, type Seed } from '@fgakit/emulator';
import type { WorkOS } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createCheckClient, type ResourceRef } from '../src/index.js';
import { createWorkOS } from '../src/workos.js';

const seedPath = fileURLToPath(new URL('../../../examples/fga-seed.yaml', import.meta.url));
const CHECK_ROUTE = 'POST /authorization/organization_memberships/:id/check';
const DISCOVERY_ROUTE = 'GET /authorization/organization_memberships/:id/resources';

const workspace = (id: string): ResourceRef => ({ resourceTypeSlug: 'workspace', resourceExternalId: id });
const topLevel = ['ws-1', 'ws-2', 'ws-3', 'ws-parent'];

async function seedFor(discovery: 'inherited' | 'direct'): Promise<Seed> {
  const model = await readSeedFile(seedPath);
  return {
    ...model,
    settings: { ...model.settings, discovery },
    users: ['alice', 'bob', 'carol', 'dave'].map((name) => ({ email: `${name}@acme.test`, first_name: name, external_id: `u-${name}` })),
    organizations: [
      {
        name: 'Acme',
        external_id: 'acme',
        resources: [
          ...topLevel.map((id) => ({ resource_type_slug: 'workspace', external_id: id })),
          { resource_type_slug: 'workspace', external_id: 'ws-child', parent: { resource_type_slug: 'workspace', external_id: 'ws-parent' } },
        ],
        memberships: [
          { email: 'alice@acme.test', role: 'admin' },
          {
            email: 'bob@acme.test',
            role: 'member',
            role_assignments: [
              { role: 'workspace-viewer', resource_type_slug: 'workspace', resource_external_id: 'ws-2' },
              { role: 'workspace-editor', resource_type_slug: 'workspace', resource_external_id: 'ws-parent' },
            ],
          },
          { email: 'carol@acme.test', role: 'auditor' },
          { email: 'dave@acme.test', role: 'member' },
        ],
      },
    ],
  };
}

async function membershipId(workos: WorkOS, name: string): Promise<string> {
  const user = await workos.userManagement.getUserByExternalId(`u-${name}`);
  const memberships = await workos.userManagement.listOrganizationMemberships({ userId: user.id });
  const id = memberships.data[0]?.id;
  if (id === undefined) {
    throw new Error(`seeded user ${name} has no membership`);
  }
  return id;
}

describe.each(['inherited', 'direct'] as const)('check client against the emulator (discovery %s)', (discovery) => {
  let emulator: Emulator;
  let workos: WorkOS;
  const memberships: Record<string, string> = {};

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: await seedFor(discovery) });
    workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url, options: { maxRetries: 0 } });
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      memberships[name] = await membershipId(workos, name);
    }
  });

  afterAll(async () => {
    await emulator.close();
  });

  it.each([
    ['alice', 'workspace:manage', 'ws-1', 'allowed'],
    ['bob', 'workspace:view', 'ws-2', 'allowed'],
    ['bob', 'workspace:edit', 'ws-2', 'denied'],
    ['bob', 'workspace:edit', 'ws-child', 'allowed'],
    ['bob', 'workspace:view', 'ws-1', 'denied'],
    ['carol', 'workspace:view', 'ws-child', 'allowed'],
    ['carol', 'workspace:edit', 'ws-1', 'denied'],
    ['dave', 'workspace:view', 'ws-1', 'denied'],
  ])('%s %s on %s is %s', async (name, permission, resource, status) => {
    const checks = createCheckClient({ workos });

    const decision = await checks.check({ organizationMembershipId: memberships[name]!, permission, resource: workspace(resource) });

    expect(decision.status).toBe(status);
  });

  it('denies an unknown resource as not_found', async () => {
    const checks = createCheckClient({ workos });

    const decision = await checks.check({ organizationMembershipId: memberships.bob!, permission: 'workspace:view', resource: workspace('ws-missing') });

    expect(decision).toMatchObject({ status: 'denied', reason: 'not_found' });
  });

  it('resolves app ids through WorkOS', async () => {
    const checks = createCheckClient({ workos });

    const member = await checks.check({ userId: 'u-bob', organizationId: 'acme', permission: 'workspace:view', resource: workspace('ws-2') });
    const stranger = await checks.check({ userId: 'u-nobody', organizationId: 'acme', permission: 'workspace:view', resource: workspace('ws-2') });

    expect(member.status).toBe('allowed');
    expect(stranger).toMatchObject({ status: 'denied', reason: 'no_membership' });
  });

  it.each(['alice', 'bob', 'carol', 'dave'])('filters children of one parent for %s like one check per item', async (name) => {
    const checks = createCheckClient({ workos });
    const subject = { organizationMembershipId: memberships[name]! };
    const options = { subject, permission: 'workspace:view', resourceOf: workspace };

    const perItem = await checks.filterAuthorized(topLevel, options);
    emulator.clearRequestLog();
    const discovered = await checks.filterAuthorized(topLevel, { ...options, parent: { resourceTypeSlug: 'organization', resourceExternalId: 'acme' } });
    const upstreamCalls = emulator.requestLog().filter((entry) => entry.route === CHECK_ROUTE || entry.route === DISCOVERY_ROUTE);

    expect(discovered.allowed).toEqual(perItem.allowed);
    expect(discovered.denied).toEqual(perItem.denied);
    expect(discovered.undecided).toEqual([]);
    expect(upstreamCalls.length).toBeLessThanOrEqual(2);
  });

  it('makes one upstream check for 100 concurrent identical checks', async () => {
    const checks = createCheckClient({ workos });
    emulator.clearRequestLog();

    const decisions = await Promise.all(
      Array.from({ length: 100 }, () => checks.check({ organizationMembershipId: memberships.bob!, permission: 'workspace:view', resource: workspace('ws-2') })),
    );

    expect(decisions.every((decision) => decision.status === 'allowed')).toBe(true);
    expect(emulator.requestLog().filter((entry) => entry.route === CHECK_ROUTE)).toHaveLength(1);
  });
});

describe('check client under injected faults', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: await seedFor('inherited') });
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('is undecided at once on a 503, without the SDK retrying', async () => {
    const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url });
    const omBob = await membershipId(workos, 'bob');
    const fault = emulator.addFault({ kind: 'error', status: 503, path: '/authorization/organization_memberships/*/check' });
    const checks = createCheckClient({ workos, timeoutMs: 300 });
    emulator.clearRequestLog();

    const started = performance.now();
    const decision = await checks.check({ organizationMembershipId: omBob, permission: 'workspace:view', resource: workspace('ws-2') });
    const elapsedMs = performance.now() - started;
    emulator.removeFault(fault.id);

    expect(decision).toMatchObject({ status: 'undecided', reason: 'upstream_error' });
    expect(emulator.requestLog().filter((entry) => entry.fault !== null)).toHaveLength(1);
    expect(elapsedMs).toBeLessThan(1_000);
  });

  it('is undecided when a check hangs', async () => {
    const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url, options: { maxRetries: 0 } });
    const omBob = await membershipId(workos, 'bob');
    const fault = emulator.addFault({ kind: 'hang', path: '/authorization/organization_memberships/*/check' });
    const checks = createCheckClient({ workos, timeoutMs: 200 });

    const decision = await checks.check({ organizationMembershipId: omBob, permission: 'workspace:view', resource: workspace('ws-2') });
    emulator.removeFault(fault.id);

    expect(decision).toMatchObject({ status: 'undecided', reason: 'timeout' });
  });

  it('opens the circuit after repeated failures and stops calling WorkOS', async () => {
    const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url, options: { maxRetries: 0 } });
    const omBob = await membershipId(workos, 'bob');
    const fault = emulator.addFault({ kind: 'error', status: 500, path: '/authorization/organization_memberships/*/check' });
    const checks = createCheckClient({ workos, circuitBreaker: { failureThreshold: 3, cooldownMs: 60_000 } });
    emulator.clearRequestLog();

    const decisions = [];
    for (const id of ['ws-1', 'ws-2', 'ws-3', 'ws-parent', 'ws-child']) {
      decisions.push(await checks.check({ organizationMembershipId: omBob, permission: 'workspace:view', resource: workspace(id) }));
    }
    emulator.removeFault(fault.id);

    expect(decisions.map((decision) => decision.status === 'undecided' && decision.reason)).toEqual([
      'upstream_error',
      'upstream_error',
      'upstream_error',
      'circuit_open',
      'circuit_open',
    ]);
    expect(emulator.requestLog().filter((entry) => entry.route === CHECK_ROUTE)).toHaveLength(3);
  });
});

describe('check client against a malformed upstream', () => {
  it.each([[{ authorized: 'false' }], [{ authorized: 1 }], [{}], [[]], [{ authorized: null }]])('fails closed on %j', async (body) => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const workos = createWorkOS({ apiKey: 'sk_test_malformed', baseUrl: `http://127.0.0.1:${port}` });
      const checks = createCheckClient({ workos, cache: {} });

      const decision = await checks.check({ organizationMembershipId: 'om_1', permission: 'workspace:view', resource: workspace('ws-1') });

      expect(decision).toMatchObject({ status: 'undecided', reason: 'upstream_error' });
    } finally {
      server.close();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { importJsonl } from '../src/sync/import.js';
import { reconcile, type SourceEntity } from '../src/sync/reconcile.js';
import { setupSync, type SyncFixture } from './sync-fixtures.js';

let fixture: SyncFixture;

afterEach(async () => {
  await fixture.close();
});

const WAIT = { timeoutMs: 10_000 };

const SOURCE: SourceEntity[] = [
  { kind: 'organization', id: 'acme', name: 'Acme' },
  { kind: 'resource', organizationId: 'acme', resourceTypeSlug: 'workspace', resourceId: 'ws1', name: 'Workspace 1' },
  { kind: 'user', userId: 'u1', email: 'u1@example.com' },
  {
    kind: 'membership',
    userId: 'u1',
    organizationId: 'acme',
    roles: ['member'],
    grants: [{ resourceTypeSlug: 'workspace', resourceId: 'ws1', role: 'workspace-viewer' }],
  },
];

describe('reconcile', () => {
  it('reports drift without repairing in a dry run', async () => {
    fixture = await setupSync();
    const { sync, workos } = fixture;
    await sync.waitUntilApplied(await sync.upsertOrganization({ id: 'acme', name: 'Acme' }), WAIT);
    const organization = await workos.organizations.getOrganizationByExternalId('acme');
    await workos.organizations.updateOrganization({ organization: organization.id, name: 'Renamed outside sync' });

    const report = await reconcile({ sync, workos, source: SOURCE, dryRun: true });

    expect(report.checked).toBe(4);
    expect(report.repaired).toBe(0);
    expect(report.drifted).toContainEqual({ entity: 'o:acme', differences: ['name is "Renamed outside sync", expected "Acme"'] });
    expect(report.drifted.map((d) => d.entity)).toEqual(['o:acme', 'r:acme:workspace:ws1', 'u:u1', 'm:u1:acme']);
    expect((await workos.organizations.getOrganizationByExternalId('acme')).name).toBe('Renamed outside sync');
  });

  it('repairs drift through the worker', async () => {
    fixture = await setupSync();
    const { sync, workos } = fixture;

    const first = await reconcile({ sync, workos, source: SOURCE });
    await expect.poll(() => sync.store.laggingCount(), { timeout: 10_000 }).toBe(0);
    const second = await reconcile({ sync, workos, source: SOURCE, dryRun: true });

    expect(first.repaired).toBe(4);
    expect(second.drifted).toEqual([]);
  });

  it('finds and repairs a resource under the wrong parent', async () => {
    fixture = await setupSync();
    const { sync, workos } = fixture;
    const nested: SourceEntity[] = [
      ...SOURCE,
      { kind: 'resource', organizationId: 'acme', resourceTypeSlug: 'workspace', resourceId: 'ws2', name: 'Workspace 2' },
      { kind: 'resource', organizationId: 'acme', resourceTypeSlug: 'workspace', resourceId: 'ws3', name: 'Workspace 3', parent: { resourceTypeSlug: 'workspace', resourceId: 'ws1' } },
    ];
    await reconcile({ sync, workos, source: nested });
    await expect.poll(() => sync.store.laggingCount(), { timeout: 10_000 }).toBe(0);

    const organization = await workos.organizations.getOrganizationByExternalId('acme');
    const ws2 = await workos.authorization.getResourceByExternalId({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'ws2' });
    const ws3 = await workos.authorization.getResourceByExternalId({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'ws3' });
    await workos.patch(`/authorization/resources/${ws3.id}`, { parent_resource_id: ws2.id });

    const drifted = await reconcile({ sync, workos, source: nested });
    await expect.poll(() => sync.store.laggingCount(), { timeout: 10_000 }).toBe(0);
    const after = await reconcile({ sync, workos, source: nested, dryRun: true });

    expect(drifted.drifted.map((drift) => drift.entity)).toEqual(['r:acme:workspace:ws3']);
    expect(drifted.drifted[0]?.differences[0]).toContain('parent');
    expect(after.drifted).toEqual([]);
  });
});

describe('importJsonl', () => {
  const LINES = [
    JSON.stringify({ type: 'organization', id: 'acme', name: 'Acme' }),
    JSON.stringify({
      type: 'user',
      id: 'u1',
      email: 'u1@example.com',
      first_name: 'Ada',
      email_verified: true,
      password_hash: '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy',
      password_hash_type: 'bcrypt',
    }),
    JSON.stringify({ type: 'membership', user_id: 'u1', organization_id: 'acme', roles: ['admin'] }),
    'not json',
    JSON.stringify({ type: 'membership', user_id: 'u1', organization_id: 'missing-org' }),
  ];

  it('imports and reports failed lines', async () => {
    fixture = await setupSync();
    const { sync, workos } = fixture;

    const report = await importJsonl({ sync, workos, lines: LINES, linesPerSecond: 1_000, attempts: 2 });

    expect(report.imported).toBe(3);
    expect(report.failed.map((f) => f.line)).toEqual([4, 5]);
    expect(report.failed[0]?.reason).toMatch(/invalid JSON/);
    const user = await workos.userManagement.getUserByExternalId('u1');
    expect(user.firstName).toBe('Ada');
    expect(await sync.getMembershipId('u1', 'acme')).toMatch(/^om_/);
    const requests = fixture.emulator.requestLog().filter((r) => r.method === 'POST' && r.path === '/user_management/users');
    expect(requests).toHaveLength(1);
  });

  it('resumes after the checkpoint', async () => {
    fixture = await setupSync();
    const { sync, workos } = fixture;
    await importJsonl({ sync, workos, lines: LINES.slice(0, 2), linesPerSecond: 1_000, name: 'run' });

    const report = await importJsonl({ sync, workos, lines: LINES.slice(0, 3), linesPerSecond: 1_000, name: 'run' });

    expect(report).toEqual({ skipped: 2, imported: 1, failed: [] });
  });
});

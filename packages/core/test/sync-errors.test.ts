import { startEmulator } from '@fgakit/emulator';
import { describe, expect, it } from 'vitest';
import { classifyWorkOSError, isConflict } from '../src/sync/errors.js';
import { createWorkOS } from '../src/workos.js';
import { SEED_FILE } from './sync-fixtures.js';

async function caught(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }

  throw new Error('the call did not fail');
}

describe('WorkOS error classification', () => {
  it('sorts SDK errors by kind', async () => {
    const emulator = await startEmulator({ port: 0, seed: SEED_FILE });
    const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url, options: { maxRetries: 0 } });
    try {
      const organization = await workos.organizations.createOrganization({ name: 'Acme', externalId: 'acme' });
      const user = await workos.userManagement.createUser({ email: 'ada@example.com', externalId: 'ada' });
      const membership = await workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: user.id });
      const assign = () =>
        workos.authorization.assignRole({
          organizationMembershipId: membership.id,
          roleSlug: 'workspace-admin',
          resourceTypeSlug: 'workspace',
          resourceExternalId: 'ws1',
        });
      await workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'ws1', name: 'W' });
      await assign();

      const duplicateAssignment = await caught(assign);
      const duplicateResource = await caught(() =>
        workos.authorization.createResource({ organizationId: organization.id, resourceTypeSlug: 'workspace', externalId: 'ws1', name: 'W' }),
      );
      const unknownRole = await caught(() => workos.userManagement.createOrganizationMembership({ organizationId: organization.id, userId: user.id, roleSlug: 'nope' }));
      const notFound = await caught(() => workos.organizations.getOrganization('org_01H00000000000000000000000'));

      expect(isConflict(duplicateAssignment)).toBe(true);
      expect(isConflict(duplicateResource)).toBe(true);
      expect(isConflict(notFound)).toBe(false);
      expect(classifyWorkOSError(unknownRole).kind).toBe('permanent');
      expect(classifyWorkOSError(notFound).kind).toBe('permanent');
      expect(classifyWorkOSError(new TypeError('fetch failed')).kind).toBe('transient');
    } finally {
      await emulator.close();
    }
  });
});

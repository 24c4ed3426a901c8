// Type tests: `pnpm typecheck` (tsc) fails when an expectation below stops holding,
// including when a `@ts-expect-error` line starts to compile.
import { describe, expectTypeOf, it } from 'vitest';

import { createCheckClient, type CheckClient, type CheckDecision, type PermissionRequirement } from '../src/index.js';
import { createTestCheckClient } from '../src/testing.js';

const permissions = ['workspace:view', 'workspace:edit'] as const;
type AppPermission = (typeof permissions)[number];

describe('typed permissions', () => {
  it('infers the permission union from the declaration', () => {
    const checks = createTestCheckClient({ permissions });

    expectTypeOf(checks).toExtend<CheckClient<AppPermission>>();
    expectTypeOf(checks.permissions).toEqualTypeOf<readonly AppPermission[] | undefined>();
  });

  it('rejects a misspelled slug at compile time', async () => {
    const checks = createTestCheckClient({ permissions, decide: () => true });
    const resource = { resourceId: 'r' };

    await checks.check({ organizationMembershipId: 'om', permission: 'workspace:edit', resource });
    // @ts-expect-error: 'workspace:edt' is not a declared permission
    await checks.check({ organizationMembershipId: 'om', permission: 'workspace:edt', resource }).catch(() => undefined);
    await checks
      // @ts-expect-error: filterAuthorized takes declared permissions only
      .filterAuthorized([], { subject: { organizationMembershipId: 'om' }, permission: 'nope', resourceOf: () => resource })
      .catch(() => undefined);
  });

  it('widens to an untyped client', () => {
    expectTypeOf(createTestCheckClient({ permissions })).toExtend<CheckClient>();
  });

  it('accepts any slug without a declaration', () => {
    expectTypeOf(createCheckClient).parameter(0).toHaveProperty('workos');
    expectTypeOf(createTestCheckClient().permissions).toEqualTypeOf<readonly string[] | undefined>();
  });

  it('types requirements with the same union', () => {
    expectTypeOf<{ anyOf: ['workspace:view'] }>().toExtend<PermissionRequirement<AppPermission>>();
    expectTypeOf<{ allOf: ['workspace:nope'] }>().not.toExtend<PermissionRequirement<AppPermission>>();
  });

  it('narrows decisions by status', () => {
    const decision = {} as CheckDecision;
    if (decision.status === 'undecided') {
      expectTypeOf(decision.error).toEqualTypeOf<Error>();
      expectTypeOf(decision.retryAfterMs).toEqualTypeOf<number>();
    }
    if (decision.status === 'allowed') {
      // Only undecided decisions carry an error.
      expectTypeOf(decision).not.toHaveProperty('error');
    }
  });
});

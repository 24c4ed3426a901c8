import { SyncInputError, SyncTimeoutError, type CheckClient, type Sync, type SyncTicket } from '@fgakit/core';
import { HttpProblem, optionalString, requireString } from './problem.js';
import type { MemoryStore, Organization, User, Workspace } from './store.js';

/** Organization roles of the example's FGA model (examples/fga-seed.yaml). */
export const organizationRoles = ['member', 'admin', 'auditor'] as const;

/** Workspace roles of the example's FGA model. */
export const workspaceRoles = ['workspace-admin', 'workspace-editor', 'workspace-viewer'] as const;

/** The app's own identity of the caller: in the examples, the `x-user-id` and `x-org-id` headers. */
export interface Identity {
  userId: string;
  organizationId: string;
}

/** What a write returns: the result for the response and the changes to wait for with `?wait=true`. */
export interface WriteResult<T> {
  value: T;
  tickets: SyncTicket[];
}

/**
 * Creates the workspaces service: the example's business logic, shared by
 * the Express, Koa and Fastify apps so that each only translates HTTP.
 * Every write records its change for WorkOS through lifecycle sync before it
 * changes the store, so a failed recording (Redis down) leaves both as they
 * were and the client can retry. An app with a database records the change
 * inside its own transaction instead (`@fgakit/core/postgres`).
 */
export function createWorkspacesService({ store, sync, checks }: { store: MemoryStore; sync: Sync; checks: CheckClient }) {
  // A change that could not be recorded (Redis unreachable) left nothing
  // changed, so the client gets a 503 and may retry.
  function recording<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
      try {
        return await call(...args);
      } catch (error) {
        if (error instanceof SyncInputError) {
          throw error;
        }

        throw new HttpProblem(503, 'Service Unavailable', `The change could not be recorded for WorkOS, so nothing was changed; retry shortly (${error instanceof Error ? error.message : String(error)}).`, 1);
      }
    };
  }

  const record = {
    upsertOrganization: recording(sync.upsertOrganization.bind(sync)),
    signUpUser: recording(sync.signUpUser.bind(sync)),
    upsertResource: recording(sync.upsertResource.bind(sync)),
    grantResourceRole: recording(sync.grantResourceRole.bind(sync)),
    revokeResourceRole: recording(sync.revokeResourceRole.bind(sync)),
    setOrganizationRoles: recording(sync.setOrganizationRoles.bind(sync)),
    removeMembership: recording(sync.removeMembership.bind(sync)),
    deleteUser: recording(sync.deleteUser.bind(sync)),
  };

  function workspaceOrThrow(id: string): Workspace {
    const workspace = store.workspaces.get(id);
    if (workspace === undefined) {
      throw new HttpProblem(404, 'Not Found', `Workspace "${id}" does not exist.`);
    }

    return workspace;
  }

  function memberOrThrow(organizationId: string, userId: string): void {
    if (store.membership(organizationId, userId) === undefined) {
      throw new HttpProblem(404, 'Not Found', `User "${userId}" is not a member of organization "${organizationId}".`);
    }
  }

  function roleOf<T extends string>(body: unknown, allowed: readonly T[], fallback?: T): T {
    const role = fallback === undefined ? requireString(body, 'role') : (optionalString(body, 'role') ?? fallback);
    if (!(allowed as readonly string[]).includes(role)) {
      throw new HttpProblem(400, 'Bad Request', `Invalid body: "role" must be one of ${allowed.join(', ')}, got ${JSON.stringify(role)}.`);
    }

    return role as T;
  }

  function workspaceResource(workspace: Workspace) {
    return { resourceTypeSlug: 'workspace', resourceId: workspace.id } as const;
  }

  /**
   * Returns the FGA resource of an organization for guards on organization
   * routes. WorkOS addresses an organization's root resource by type
   * `organization` with the WorkOS organization id as its external id, so
   * the app's id is mapped through what the sync worker learned.
   */
  async function organizationResource(organizationId: string): Promise<{ resourceTypeSlug: 'organization'; resourceExternalId: string }> {
    if (!store.organizations.has(organizationId)) {
      throw new HttpProblem(404, 'Not Found', `Organization "${organizationId}" does not exist.`);
    }

    const workosId = await sync.getOrganizationId(organizationId);
    if (workosId === undefined) {
      throw new HttpProblem(503, 'Service Unavailable', `Organization "${organizationId}" has not reached WorkOS yet; retry shortly.`, 1);
    }

    return { resourceTypeSlug: 'organization', resourceExternalId: workosId };
  }

  return {
    async createOrganization(body: unknown): Promise<WriteResult<Organization>> {
      const organization = { id: requireString(body, 'id'), name: requireString(body, 'name') };

      const ticket = await record.upsertOrganization(organization);
      store.organizations.set(organization.id, organization);
      return { value: organization, tickets: [ticket] };
    },

    async signUp(body: unknown): Promise<WriteResult<{ user: User; organizationId: string; role: string }>> {
      const organizationId = requireString(body, 'orgId');
      const role = roleOf(body, organizationRoles, 'member');
      const firstName = optionalString(body, 'firstName');
      const lastName = optionalString(body, 'lastName');
      const user: User = {
        id: requireString(body, 'userId'),
        email: requireString(body, 'email'),
        ...(firstName === undefined ? {} : { firstName }),
        ...(lastName === undefined ? {} : { lastName }),
      };

      if (!store.organizations.has(organizationId)) {
        throw new HttpProblem(404, 'Not Found', `Organization "${organizationId}" does not exist; create it with POST /orgs first.`);
      }

      const existing = store.users.get(user.id);
      if (existing !== undefined && existing.email !== user.email) {
        throw new HttpProblem(409, 'Conflict', `User "${user.id}" already exists with another email address.`);
      }

      const ticket = await record.signUpUser({ ...user, userId: user.id, organizationId, roles: [role] });
      store.users.set(user.id, user);
      store.putMembership({ userId: user.id, organizationId, role });
      return { value: { user, organizationId, role }, tickets: [ticket] };
    },

    async createWorkspace(caller: Identity, body: unknown): Promise<WriteResult<Workspace>> {
      const parentId = optionalString(body, 'parentId');
      const workspace: Workspace = {
        id: requireString(body, 'id'),
        organizationId: caller.organizationId,
        name: requireString(body, 'name'),
        ...(parentId === undefined ? {} : { parentId }),
      };

      memberOrThrow(caller.organizationId, caller.userId);
      if (store.workspaces.has(workspace.id)) {
        throw new HttpProblem(409, 'Conflict', `Workspace "${workspace.id}" already exists; choose another id.`);
      }

      if (parentId !== undefined && workspaceOrThrow(parentId).organizationId !== caller.organizationId) {
        throw new HttpProblem(404, 'Not Found', `Workspace "${parentId}" does not exist.`);
      }

      // NOTE: two recorded changes, not one atomic change: if the grant fails
      // to record, WorkOS still gets the resource, with no one granted on it.
      const resource = await record.upsertResource({
        organizationId: workspace.organizationId,
        ...workspaceResource(workspace),
        name: workspace.name,
        ...(parentId === undefined ? {} : { parent: { resourceTypeSlug: 'workspace', resourceId: parentId } }),
      });
      const grant = await record.grantResourceRole({
        userId: caller.userId,
        organizationId: workspace.organizationId,
        resource: workspaceResource(workspace),
        role: 'workspace-admin',
      });
      store.workspaces.set(workspace.id, workspace);
      store.setWorkspaceRole(workspace.id, caller.userId, 'workspace-admin');
      return { value: workspace, tickets: [resource, grant] };
    },

    organizationResource,

    getWorkspace(id: string): Workspace {
      return workspaceOrThrow(id);
    },

    /**
     * Lists the workspaces of the caller's organization that the caller may
     * view. Workspaces are grouped by parent (the organization, or a parent
     * workspace), and each group costs at most two WorkOS calls through
     * resource discovery instead of one check per workspace. Fails closed:
     * when any decision could not be made, the request gets a 503 rather than
     * a partial list that looks complete.
     */
    async listWorkspaces(caller: Identity): Promise<Workspace[]> {
      const groups = new Map<string | undefined, Workspace[]>();
      for (const workspace of store.workspacesOf(caller.organizationId)) {
        groups.set(workspace.parentId, [...(groups.get(workspace.parentId) ?? []), workspace]);
      }

      const results = await Promise.all(
        [...groups].map(async ([parentId, workspaces]) =>
          checks.filterAuthorized(workspaces, {
            subject: caller,
            permission: 'workspace:view',
            resourceOf: (workspace) => ({ resourceTypeSlug: 'workspace', resourceExternalId: workspace.id }),
            parent: parentId === undefined ? await organizationResource(caller.organizationId) : { resourceTypeSlug: 'workspace', resourceExternalId: parentId },
          }),
        ),
      );

      const undecided = results.flatMap((result) => result.decisions).filter((decision) => decision.status === 'undecided');
      if (undecided.length > 0) {
        const retryAfterMs = Math.max(...undecided.map((decision) => (decision.status === 'undecided' ? decision.retryAfterMs : 0)));
        throw new HttpProblem(503, 'Service Unavailable', 'Authorization could not be checked; retry shortly.', Math.ceil(retryAfterMs / 1000));
      }

      const allowed = new Set(results.flatMap((result) => result.allowed));
      return store.workspacesOf(caller.organizationId).filter((workspace) => allowed.has(workspace));
    },

    async updateWorkspace(id: string, body: unknown): Promise<WriteResult<Workspace>> {
      const workspace = { ...workspaceOrThrow(id), name: requireString(body, 'name') };

      const ticket = await record.upsertResource({
        organizationId: workspace.organizationId,
        ...workspaceResource(workspace),
        name: workspace.name,
        ...(workspace.parentId === undefined ? {} : { parent: { resourceTypeSlug: 'workspace', resourceId: workspace.parentId } }),
      });
      store.workspaces.set(id, workspace);
      return { value: workspace, tickets: [ticket] };
    },

    async setWorkspaceMember(id: string, userId: string, body: unknown): Promise<WriteResult<{ workspaceId: string; userId: string; role: string }>> {
      const workspace = workspaceOrThrow(id);
      const role = roleOf(body, workspaceRoles);
      memberOrThrow(workspace.organizationId, userId);

      const tickets: SyncTicket[] = [];
      const previous = store.workspaceRole(id, userId);

      // A PUT sets the member's one role on the workspace, so the old one goes.
      if (previous !== undefined && previous !== role) {
        tickets.push(await record.revokeResourceRole({ userId, organizationId: workspace.organizationId, resource: workspaceResource(workspace), role: previous }));
      }

      tickets.push(await record.grantResourceRole({ userId, organizationId: workspace.organizationId, resource: workspaceResource(workspace), role }));
      store.setWorkspaceRole(id, userId, role);
      return { value: { workspaceId: id, userId, role }, tickets };
    },

    async removeWorkspaceMember(id: string, userId: string): Promise<WriteResult<{ workspaceId: string; userId: string }>> {
      const workspace = workspaceOrThrow(id);
      const previous = store.workspaceRole(id, userId);
      if (previous === undefined) {
        throw new HttpProblem(404, 'Not Found', `User "${userId}" has no role on workspace "${id}".`);
      }

      const ticket = await record.revokeResourceRole({ userId, organizationId: workspace.organizationId, resource: workspaceResource(workspace), role: previous });
      store.setWorkspaceRole(id, userId, undefined);
      return { value: { workspaceId: id, userId }, tickets: [ticket] };
    },

    async setOrganizationRole(organizationId: string, userId: string, body: unknown): Promise<WriteResult<{ organizationId: string; userId: string; role: string }>> {
      const role = roleOf(body, organizationRoles);
      memberOrThrow(organizationId, userId);

      const ticket = await record.setOrganizationRoles({ userId, organizationId, roles: [role] });
      store.putMembership({ organizationId, userId, role });
      return { value: { organizationId, userId, role }, tickets: [ticket] };
    },

    async removeOrganizationMember(organizationId: string, userId: string): Promise<WriteResult<{ organizationId: string; userId: string }>> {
      memberOrThrow(organizationId, userId);

      const ticket = await record.removeMembership({ userId, organizationId });
      store.deleteMembership(organizationId, userId);
      return { value: { organizationId, userId }, tickets: [ticket] };
    },

    async deleteUser(caller: Identity, userId: string): Promise<WriteResult<{ userId: string }>> {
      // A user belongs to several organizations, so no organization admin may delete the account: only its owner.
      if (caller.userId !== userId) {
        throw new HttpProblem(403, 'Forbidden', 'Only the user themselves may delete their account.');
      }

      if (!store.users.has(userId)) {
        throw new HttpProblem(404, 'Not Found', `User "${userId}" does not exist.`);
      }

      const ticket = await record.deleteUser({ userId });
      store.users.delete(userId);
      for (const membership of store.membershipsOf(userId)) {
        store.deleteMembership(membership.organizationId, userId);
      }
      return { value: { userId }, tickets: [ticket] };
    },

    /**
     * Waits until every change of a write has reached WorkOS, for `?wait=true`.
     * A timeout raises a 504 and a change WorkOS rejected a 502. The write
     * itself is recorded in both cases, and sync keeps its outcome.
     */
    async waitForSync(tickets: SyncTicket[], timeoutMs = 15_000): Promise<void> {
      try {
        await Promise.all(tickets.map((ticket) => sync.waitUntilApplied(ticket, { timeoutMs })));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const timedOut = error instanceof SyncTimeoutError;
        throw new HttpProblem(
          timedOut ? 504 : 502,
          timedOut ? 'Gateway Timeout' : 'Bad Gateway',
          timedOut
            ? `The change is recorded but did not reach WorkOS within ${timeoutMs} ms; the sync worker keeps applying it.`
            : `The change is recorded but WorkOS rejected it: ${reason}`,
        );
      }
    },
  };
}

/** The workspaces service of the examples. */
export type WorkspacesService = ReturnType<typeof createWorkspacesService>;

/** An organization of the example app. */
export interface Organization {
  id: string;
  name: string;
}

/** A user of the example app. */
export interface User {
  id: string;
  email: string;
  firstName?: string;
  lastName?: string;
}

/** A user's membership in an organization, with its organization role. */
export interface Membership {
  userId: string;
  organizationId: string;
  role: string;
}

/** A workspace, optionally nested in another workspace of the same organization. */
export interface Workspace {
  id: string;
  organizationId: string;
  name: string;
  parentId?: string;
}

/**
 * The example app's own database: in memory, because the point of the
 * examples is the authorization layer, not persistence.
 */
export class MemoryStore {
  readonly organizations = new Map<string, Organization>();
  readonly users = new Map<string, User>();
  readonly workspaces = new Map<string, Workspace>();

  /** Memberships keyed by `organizationId/userId`. */
  readonly memberships = new Map<string, Membership>();

  /** Workspace roles keyed by `workspaceId/userId`. */
  readonly workspaceRoles = new Map<string, string>();

  membership(organizationId: string, userId: string): Membership | undefined {
    return this.memberships.get(`${organizationId}/${userId}`);
  }

  putMembership(membership: Membership): void {
    this.memberships.set(`${membership.organizationId}/${membership.userId}`, membership);
  }

  deleteMembership(organizationId: string, userId: string): void {
    this.memberships.delete(`${organizationId}/${userId}`);

    for (const workspace of this.workspaces.values()) {
      if (workspace.organizationId === organizationId) {
        this.workspaceRoles.delete(`${workspace.id}/${userId}`);
      }
    }
  }

  membershipsOf(userId: string): Membership[] {
    return [...this.memberships.values()].filter((membership) => membership.userId === userId);
  }

  workspaceRole(workspaceId: string, userId: string): string | undefined {
    return this.workspaceRoles.get(`${workspaceId}/${userId}`);
  }

  setWorkspaceRole(workspaceId: string, userId: string, role: string | undefined): void {
    if (role === undefined) {
      this.workspaceRoles.delete(`${workspaceId}/${userId}`);
    } else {
      this.workspaceRoles.set(`${workspaceId}/${userId}`, role);
    }
  }

  workspacesOf(organizationId: string): Workspace[] {
    return [...this.workspaces.values()].filter((workspace) => workspace.organizationId === organizationId);
  }
}

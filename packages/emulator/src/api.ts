import { Router } from './router.js';
import { registerAssignmentRoutes } from './routes/assignments.js';
import { registerCheckRoutes } from './routes/checks.js';
import { registerGroupRoutes } from './routes/groups.js';
import { registerMembershipRoutes } from './routes/memberships.js';
import { registerOrganizationRoutes } from './routes/organizations.js';
import { registerPermissionRoutes } from './routes/permissions.js';
import { registerResourceRoutes } from './routes/resources.js';
import { registerRoleRoutes } from './routes/roles.js';
import { registerUserRoutes } from './routes/users.js';

/** Builds the router of the WorkOS-compatible API. */
export function createApiRouter(): Router {
  const router = new Router();
  registerOrganizationRoutes(router);
  registerUserRoutes(router);
  registerMembershipRoutes(router);
  registerResourceRoutes(router);
  registerAssignmentRoutes(router);
  registerCheckRoutes(router);
  registerRoleRoutes(router);
  registerPermissionRoutes(router);
  registerGroupRoutes(router);
  return router;
}

/**
 * Behaviour switches for the points where WorkOS documents no rule. Each has a
 * default; a seed's `settings` block overrides it.
 */
export interface EmulatorSettings {
  /** Allows more than one organization-level role per membership (`role_slugs`). */
  multiple_roles: boolean;
  /**
   * `parent_resource_id` of a resource created without a parent: `null` as in
   * WorkOS's quick start, or `'root'` for the id of the organization's root resource.
   */
  top_level_parent_id: 'null' | 'root';
  /** Whether checks of an inactive membership are evaluated (`true`) or always denied (`false`). */
  inactive_memberships_authorized: boolean;
  /** Response to a check naming a permission the environment does not define: `'deny'` for `authorized: false`, `'error'` for a 404. */
  unknown_permission: 'deny' | 'error';
  /**
   * Grants that resource discovery (`listResourcesForMembership`) counts. `'inherited'`
   * counts grants on any ancestor and organization roles, as a check does. `'direct'`
   * counts only grants on the parent or on the child itself.
   */
  discovery: 'inherited' | 'direct';
  /** Maximum number of levels below the organization root. */
  max_depth: number;
}

/** Settings used when the seed sets none. */
export const DEFAULT_SETTINGS: Readonly<EmulatorSettings> = Object.freeze({
  multiple_roles: false,
  top_level_parent_id: 'null',
  inactive_memberships_authorized: false,
  unknown_permission: 'deny',
  discovery: 'inherited',
  max_depth: 5,
});

import type { Identity } from './service.js';

/**
 * Reads the caller from the `x-user-id` and `x-org-id` headers.
 *
 * NOTE: a stand-in for real session authentication, so the examples stay
 * small: any client can claim any identity. A real app takes both ids from
 * its verified session.
 */
export function identityFromHeaders(headers: Record<string, string | string[] | undefined>): Identity | undefined {
  const userId = headers['x-user-id'];
  const organizationId = headers['x-org-id'];
  if (typeof userId !== 'string' || userId === '' || typeof organizationId !== 'string' || organizationId === '') {
    return undefined;
  }

  return { userId, organizationId };
}

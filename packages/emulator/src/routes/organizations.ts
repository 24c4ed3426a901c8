import type { Organization, OrganizationDomain } from '../entities.js';
import { ApiError, badRequest, conflict } from '../errors.js';
import { newId } from '../ids.js';
import { BodyReader, mergeMetadata } from '../input.js';
import { requireOrganization } from '../lookup.js';
import { paginate, readPageRequest } from '../pagination.js';
import type { RequestContext, Router } from '../router.js';
import { organizationJson } from '../serialize.js';
import { timestamp, type State } from '../state.js';

const EXTERNAL_ID_MAX = 128;

function readDomains(reader: BodyReader, state: State, organizationId: string, now: string): OrganizationDomain[] | undefined {
  const raw = reader.raw('domain_data') ?? reader.raw('domains');
  if (raw === undefined || raw === null) {
    return undefined;
  }
  if (!Array.isArray(raw)) {
    reader.fail('domain_data', 'invalid_type', 'domain_data must be an array of { domain, state }.');
    return undefined;
  }

  const domains: OrganizationDomain[] = [];
  for (const [index, entry] of raw.entries()) {
    const domain: unknown = typeof entry === 'string' ? entry : (entry as { domain?: unknown } | null)?.domain;
    const domainState: unknown = typeof entry === 'string' ? 'pending' : ((entry as { state?: unknown } | null)?.state ?? 'pending');
    if (typeof domain !== 'string' || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(domain)) {
      reader.fail(`domain_data[${index}].domain`, 'invalid_domain', `domain_data[${index}].domain must be a domain name such as example.com.`);
      continue;
    }
    if (domainState !== 'pending' && domainState !== 'verified') {
      reader.fail(`domain_data[${index}].state`, 'invalid_state', `domain_data[${index}].state must be 'pending' or 'verified'.`);
      continue;
    }

    const owner = [...state.organizations.values()].find(
      (organization) => organization.id !== organizationId && organization.domains.some((existing) => existing.domain === domain.toLowerCase()),
    );
    if (owner !== undefined) {
      throw conflict('domain_already_used', `An Organization with the domain ${domain} already exists.`);
    }
    domains.push({ id: newId('org_domain'), domain: domain.toLowerCase(), state: domainState, created_at: now, updated_at: now });
  }
  return domains;
}

function assertExternalIdFree(state: State, externalId: string | null | undefined, organizationId: string): void {
  if (externalId === null || externalId === undefined) {
    return;
  }
  const existing = state.findOrganizationByExternalId(externalId);
  if (existing !== undefined && existing.id !== organizationId) {
    throw badRequest('external_id_already_used', `An organization with external_id '${externalId}' already exists.`);
  }
}

function createOrganization({ state, body }: RequestContext) {
  const reader = new BodyReader(body);
  const name = reader.string('name', { required: true, maxLength: 255 });
  const externalId = reader.string('external_id', { nullable: true, maxLength: EXTERNAL_ID_MAX });
  const metadata = reader.metadata('metadata');
  const id = newId('org');
  const now = timestamp();
  const domains = readDomains(reader, state, id, now);
  reader.done();
  assertExternalIdFree(state, externalId, id);

  const organization: Organization = {
    id,
    name,
    external_id: externalId ?? null,
    metadata: mergeMetadata({}, metadata ?? {}),
    domains: domains ?? [],
    stripe_customer_id: null,
    created_at: now,
    updated_at: now,
  };
  state.addOrganization(organization);
  return { status: 201, body: organizationJson(organization) };
}

function updateOrganization({ state, body, params }: RequestContext) {
  const organization = requireOrganization(state, params.id ?? '');
  const reader = new BodyReader(body);
  const name = reader.string('name', { maxLength: 255 });
  const externalId = reader.string('external_id', { nullable: true, maxLength: EXTERNAL_ID_MAX });
  const stripeCustomerId = reader.string('stripe_customer_id', { nullable: true });
  const metadata = reader.metadata('metadata');
  const now = timestamp();
  const domains = readDomains(reader, state, organization.id, now);
  reader.done();
  assertExternalIdFree(state, externalId, organization.id);

  if (name !== undefined && name !== null) {
    organization.name = name;
    const root = state.rootResourceOf(organization.id);
    if (root !== undefined) {
      root.name = name;
    }
  }
  if (externalId !== undefined) {
    state.setOrganizationExternalId(organization, externalId);
  }
  if (stripeCustomerId !== undefined) {
    organization.stripe_customer_id = stripeCustomerId;
  }
  if (metadata !== undefined) {
    organization.metadata = mergeMetadata(organization.metadata, metadata);
  }
  if (domains !== undefined) {
    organization.domains = domains;
  }
  organization.updated_at = now;
  return { status: 200, body: organizationJson(organization) };
}

function listOrganizations({ state, query }: RequestContext) {
  const page = readPageRequest(query);
  const domains = (query.get('domains') ?? '').split(',').filter((domain) => domain !== '').map((domain) => domain.toLowerCase());
  const search = query.get('search')?.toLowerCase() ?? '';
  const organizations = [...state.organizations.values()].filter(
    (organization) =>
      (domains.length === 0 || organization.domains.some((domain) => domains.includes(domain.domain))) &&
      (search === '' || organization.name.toLowerCase().includes(search)),
  );
  return { status: 200, body: paginate(state, organizations, page, organizationJson) };
}

/** Registers the organization routes. */
export function registerOrganizationRoutes(router: Router): void {
  router.add('GET', '/organizations', listOrganizations);
  router.add('POST', '/organizations', createOrganization);
  router.add('GET', '/organizations/external_id/:externalId', ({ state, params }) => {
    const externalId = params.externalId ?? '';
    const organization = state.findOrganizationByExternalId(externalId);
    if (organization === undefined) {
      throw new ApiError(404, { message: `Organization not found with external_id '${externalId}'.`, code: 'entity_not_found' });
    }
    return { status: 200, body: organizationJson(organization) };
  });
  router.add('GET', '/organizations/:id', ({ state, params }) => ({ status: 200, body: organizationJson(requireOrganization(state, params.id ?? '')) }));
  router.add('PUT', '/organizations/:id', updateOrganization);
  router.add('DELETE', '/organizations/:id', ({ state, params }) => {
    requireOrganization(state, params.id ?? '');
    state.removeOrganization(params.id ?? '');
    return { status: 200 };
  });
}

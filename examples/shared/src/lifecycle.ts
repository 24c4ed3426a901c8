/** One HTTP request of the example lifecycle and the status it must get. */
export interface LifecycleStep {
  title: string;
  method: string;
  path: string;
  /** App user id the request is made as, in the organization of the run; none sends no identity. */
  as?: string;
  body?: unknown;
  expect: number;
  /** Checks the response body beyond its status; returns a message when it is wrong. */
  verify?: (body: unknown) => string | undefined;
}

/** Outcome of one {@link runStep} call. */
export interface StepOutcome {
  status: number;
  body: unknown;
  text: string;
  /** Reason the step failed, or undefined when it passed. */
  problem: string | undefined;
}

/**
 * Returns the demo's user lifecycle, in order. The organization id is a
 * parameter so that tests can run it several times against one Redis.
 */
export function lifecycleSteps(organizationId = 'acme'): LifecycleStep[] {
  const listed = (ids: string[]) => (body: unknown) => {
    const data = (body as { data?: { id: string }[] }).data ?? [];
    const got = data.map((item) => item.id).sort();
    return JSON.stringify(got) === JSON.stringify([...ids].sort()) ? undefined : `expected workspaces ${JSON.stringify(ids)}, got ${JSON.stringify(got)}`;
  };

  return [
    { title: 'create organization Acme', method: 'POST', path: '/orgs?wait=true', body: { id: organizationId, name: 'Acme' }, expect: 201 },
    { title: 'sign Alice up as organization admin', method: 'POST', path: '/signup?wait=true', body: { userId: 'alice', email: `alice@${organizationId}.test`, firstName: 'Alice', orgId: organizationId, role: 'admin' }, expect: 201 },
    { title: 'sign Bob up as member', method: 'POST', path: '/signup?wait=true', body: { userId: 'bob', email: `bob@${organizationId}.test`, firstName: 'Bob', orgId: organizationId }, expect: 201 },
    { title: 'Alice creates workspace Roadmap', method: 'POST', path: '/workspaces?wait=true', as: 'alice', body: { id: 'roadmap', name: 'Roadmap' }, expect: 201 },
    { title: 'Alice creates workspace Budget', method: 'POST', path: '/workspaces?wait=true', as: 'alice', body: { id: 'budget', name: 'Budget' }, expect: 201 },
    { title: 'request without identity is rejected', method: 'GET', path: '/workspaces/roadmap', expect: 401 },
    { title: 'Bob may not edit Roadmap', method: 'PATCH', path: '/workspaces/roadmap', as: 'bob', body: { name: 'Roadmap 2027' }, expect: 403 },
    { title: 'Alice grants Bob workspace-admin on Roadmap', method: 'PUT', path: '/workspaces/roadmap/members/bob?wait=true', as: 'alice', body: { role: 'workspace-admin' }, expect: 200 },
    { title: 'Bob edits Roadmap', method: 'PATCH', path: '/workspaces/roadmap', as: 'bob', body: { name: 'Roadmap 2027' }, expect: 200 },
    { title: 'Bob lists the workspaces he may view', method: 'GET', path: '/workspaces', as: 'bob', expect: 200, verify: listed(['roadmap']) },
    { title: 'Bob may not view Budget', method: 'GET', path: '/workspaces/budget', as: 'bob', expect: 403 },
    { title: 'Alice makes Bob an organization auditor', method: 'PUT', path: `/orgs/${organizationId}/members/bob?wait=true`, as: 'alice', body: { role: 'auditor' }, expect: 200 },
    { title: 'Bob views Budget through his organization role', method: 'GET', path: '/workspaces/budget', as: 'bob', expect: 200 },
    { title: 'Bob still may not edit Budget', method: 'PATCH', path: '/workspaces/budget', as: 'bob', body: { name: 'Budget 2027' }, expect: 403 },
    { title: 'Bob lists both workspaces', method: 'GET', path: '/workspaces', as: 'bob', expect: 200, verify: listed(['budget', 'roadmap']) },
    { title: 'Alice revokes Bob from Roadmap', method: 'DELETE', path: '/workspaces/roadmap/members/bob?wait=true', as: 'alice', expect: 200 },
    { title: 'Bob may no longer edit Roadmap', method: 'PATCH', path: '/workspaces/roadmap', as: 'bob', body: { name: 'Roadmap 2028' }, expect: 403 },
    { title: 'Alice removes Bob from Acme', method: 'DELETE', path: `/orgs/${organizationId}/members/bob?wait=true`, as: 'alice', expect: 200 },
    { title: 'Bob may no longer view Budget', method: 'GET', path: '/workspaces/budget', as: 'bob', expect: 403 },
    { title: 'sign Carol up as member', method: 'POST', path: '/signup?wait=true', body: { userId: 'carol', email: `carol@${organizationId}.test`, orgId: organizationId }, expect: 201 },
    { title: 'Carol deletes her account', method: 'DELETE', path: '/users/carol?wait=true', as: 'carol', expect: 200 },
    { title: 'Carol may no longer view Roadmap', method: 'GET', path: '/workspaces/roadmap', as: 'carol', expect: 403 },
  ];
}

/** Sends one lifecycle step to an example app at `baseUrl` and compares the outcome. */
export async function runStep(baseUrl: string, step: LifecycleStep, organizationId = 'acme'): Promise<StepOutcome> {
  const headers: Record<string, string> = step.body === undefined ? {} : { 'content-type': 'application/json' };
  if (step.as !== undefined) {
    headers['x-user-id'] = step.as;
    headers['x-org-id'] = organizationId;
  }

  const response = await fetch(baseUrl + step.path, {
    method: step.method,
    headers,
    ...(step.body === undefined ? {} : { body: JSON.stringify(step.body) }),
  });
  const text = await response.text();
  const body: unknown = text === '' ? undefined : JSON.parse(text);
  const problem = response.status === step.expect ? step.verify?.(body) : `expected ${step.expect}, got ${response.status}`;
  return { status: response.status, body, text, problem };
}

import { createCheckClient, type CheckClient } from '@fgakit/core';
import type { WorkOS } from '@workos-inc/node';
import { startEmulatorProcess, totals, type EmulatorProcess } from '../lib/emulator.js';
import { ORGANIZATION, VIEWER, viewerCanSee, workspaceId, workspacesSeed } from '../lib/model.js';
import type { BenchOptions } from '../lib/options.js';
import { mapLimited, median, now, percentile } from '../lib/stats.js';

/** Ways of filtering a list that the suite compares. */
const METHODS = ['fgakitParent', 'fgakitPerItem', 'sdkPerItem'] as const;
type Method = (typeof METHODS)[number];

/** One method's lists in one run. */
export interface FilterMethodResult {
  /** Time to filter one list, median and p99 over the lists. */
  p50Ms: number;
  p99Ms: number;
  /** Upstream API calls per list, all routes. */
  upstreamCallsPerList: number;
}

export interface FilterRun {
  methods: Record<Method, FilterMethodResult>;
  /** sdkPerItem time divided by fgakitParent time (above 1: the batch path is faster). */
  speedupOverSdk: number;
}

interface Workspace {
  id: string;
}

interface Filterers {
  client: CheckClient;
  workos: WorkOS;
  membershipId: string;
  concurrency: number;
}

async function filterWith(filterers: Filterers, method: Method, items: Workspace[]): Promise<Workspace[]> {
  const { client, workos, membershipId, concurrency } = filterers;
  const resourceOf = (item: Workspace): { resourceTypeSlug: string; resourceExternalId: string } => ({
    resourceTypeSlug: 'workspace',
    resourceExternalId: item.id,
  });
  const subject = { organizationMembershipId: membershipId };

  if (method === 'sdkPerItem') {
    const authorized = await mapLimited(items, concurrency, (item) =>
      workos.authorization.check({ organizationMembershipId: membershipId, permissionSlug: 'workspace:view', ...resourceOf(item) }).then((result) => result.authorized),
    );
    return items.filter((_, index) => authorized[index]);
  }

  const result = await client.filterAuthorized(items, {
    subject,
    permission: 'workspace:view',
    resourceOf,
    concurrency,
    ...(method === 'fgakitParent' ? { parent: { resourceTypeSlug: 'organization', resourceExternalId: ORGANIZATION } } : {}),
  });
  if (result.undecided.length > 0) {
    throw new Error(`${method}: ${result.undecided.length} items undecided; the emulator failed during the benchmark.`);
  }
  return result.allowed;
}

async function measure(emulator: EmulatorProcess, filterers: Filterers, method: Method, items: Workspace[], lists: number): Promise<FilterMethodResult> {
  const expected = items.filter((_, index) => viewerCanSee(index)).map((item) => item.id);
  await emulator.clearRequestLog();

  const samples: number[] = [];
  for (let list = 0; list < lists; list++) {
    const started = now();
    const allowed = await filterWith(filterers, method, items);
    samples.push(now() - started);

    // A wrong result would make the timing meaningless, so every method must keep exactly the workspaces the viewer may see.
    if (allowed.length !== expected.length || allowed.some((item, index) => item.id !== expected[index])) {
      throw new Error(`${method} kept ${allowed.length} workspaces, expected ${expected.length}.`);
    }
  }

  return { p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99), upstreamCallsPerList: totals(await emulator.countRequests()).all / lists };
}

/**
 * List filtering: a list of workspaces filtered for one caller by fgakit's
 * discovery path (`parent`), by fgakit with one check per item, and by one
 * SDK check per item, with the same concurrency and no cache.
 */
export async function runFilterSuite(options: BenchOptions): Promise<{ items: number; allowedItems: number; runs: FilterRun[]; median: FilterRun }> {
  const { items: count, lists, concurrency } = options.filter;
  const emulator = await startEmulatorProcess(workspacesSeed(count));
  const membershipId = (await emulator.memberships()).find((membership) => membership.userExternalId === VIEWER)?.id;
  if (membershipId === undefined) {
    throw new Error('the viewer membership is missing from the emulator');
  }

  const items = Array.from({ length: count }, (_, index) => ({ id: workspaceId(index) }));
  const runs: FilterRun[] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      const filterers: Filterers = { client: createCheckClient({ workos: emulator.createWorkOS() }), workos: emulator.createWorkOS(), membershipId, concurrency };
      try {
        for (const method of METHODS) {
          await filterWith(filterers, method, items);
        }

        const order = run % 2 === 0 ? METHODS : [...METHODS].reverse();
        const methods: Partial<Record<Method, FilterMethodResult>> = {};
        for (const method of order) {
          methods[method] = await measure(emulator, filterers, method, items, lists);
        }

        const complete = methods as Record<Method, FilterMethodResult>;
        runs.push({ methods: complete, speedupOverSdk: complete.sdkPerItem.p50Ms / complete.fgakitParent.p50Ms });
        console.log(
          `  run ${run + 1}: ${METHODS.map((method) => `${method} ${complete[method].p50Ms.toFixed(1)} ms / ${complete[method].upstreamCallsPerList} calls`).join(', ')}`,
        );
      } finally {
        await filterers.client.close();
      }
    }
  } finally {
    await emulator.stop();
  }

  const pick = (select: (run: FilterRun) => number): number => median(runs.map(select));
  const methods = Object.fromEntries(
    METHODS.map((method) => [
      method,
      {
        p50Ms: pick((run) => run.methods[method].p50Ms),
        p99Ms: pick((run) => run.methods[method].p99Ms),
        upstreamCallsPerList: pick((run) => run.methods[method].upstreamCallsPerList),
      },
    ]),
  ) as Record<Method, FilterMethodResult>;

  return {
    items: count,
    allowedItems: items.filter((_, index) => viewerCanSee(index)).length,
    runs,
    median: { methods, speedupOverSdk: pick((run) => run.speedupOverSdk) },
  };
}

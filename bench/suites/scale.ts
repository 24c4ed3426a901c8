import { startEmulatorProcess, type EmulatorProcess } from '../lib/emulator.js';
import { assertClean, slicesOf, startLoadGenerator, type LoadResult, type LoadTarget } from '../lib/load.js';
import { firstDocumentBelow, hierarchySeed, nodeRef, random, type HierarchySize } from '../lib/model.js';
import type { BenchOptions } from '../lib/options.js';
import { median } from '../lib/stats.js';

/** Distinct checks each autocannon connection cycles through. */
const CHECKS_PER_ENVIRONMENT = 1_000;

interface Environment {
  label: 'small' | 'large';
  size: HierarchySize;
  emulator: EmulatorProcess;
  target: LoadTarget;
}

interface CheckSpec {
  membershipId: string;
  documentIndex: number;
  /** True when the document lies below the membership's assignment, so the check must be authorized. */
  expectAllowed: boolean;
}

async function startEnvironment(label: Environment['label'], size: HierarchySize): Promise<Environment & { checks: CheckSpec[] }> {
  const built = hierarchySeed(size);
  const emulator = await startEmulatorProcess(built.seed);
  const membershipOf = new Map((await emulator.memberships()).map((membership) => [membership.userExternalId, membership.id]));
  const documents = built.counts.at(-1)!;

  // Half the checks ask about a document below the user's assignment
  // (allowed after walking up to four ancestors), half about a random one.
  const next = random(7);
  const users = [...built.assignments.keys()];
  const checks: CheckSpec[] = [];
  for (let index = 0; index < CHECKS_PER_ENVIRONMENT; index++) {
    const user = users[Math.floor(next() * users.length)]!;
    const membershipId = membershipOf.get(user);
    if (membershipId === undefined) {
      throw new Error(`membership of ${user} is missing from the emulator`);
    }
    const expectAllowed = index % 2 === 0;
    const documentIndex = expectAllowed ? firstDocumentBelow(built.counts, built.assignments.get(user)!) : Math.floor(next() * documents);
    checks.push({ membershipId, documentIndex, expectAllowed });
  }

  const target: LoadTarget = {
    name: label,
    url: emulator.url,
    headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
    requests: checks.map((check) => ({
      method: 'POST',
      path: `/authorization/organization_memberships/${check.membershipId}/check`,
      body: JSON.stringify({ permission_slug: 'document:view', resource_type_slug: 'document', resource_external_id: nodeRef({ level: 4, index: check.documentIndex }).externalId }),
    })),
  };
  return { label, size, emulator, target, checks };
}

/** Throws unless every check expected to be allowed is, so that the load measures real decisions. */
async function assertDecisions(environment: Environment & { checks: CheckSpec[] }): Promise<void> {
  const workos = environment.emulator.createWorkOS();
  for (const check of environment.checks.filter((entry) => entry.expectAllowed).slice(0, 50)) {
    const result = await workos.authorization.check({
      organizationMembershipId: check.membershipId,
      permissionSlug: 'document:view',
      resourceTypeSlug: 'document',
      resourceExternalId: nodeRef({ level: 4, index: check.documentIndex }).externalId,
    });
    if (!result.authorized) {
      throw new Error(`${environment.label} environment: check on document-${check.documentIndex} was denied, expected allowed.`);
    }
  }
}

export interface ScaleRun {
  small: LoadResult;
  large: LoadResult;
  /** Large-environment checks per second divided by small-environment checks per second (1 = flat). */
  throughputRatio: number;
}

/**
 * Emulator check throughput in a large environment (a five-level hierarchy)
 * against a small one with the same model, both loaded by autocannon in
 * alternating slices.
 */
export async function runScaleSuite(options: BenchOptions): Promise<{
  small: HierarchySize & { seedLoadMs: number };
  large: HierarchySize & { seedLoadMs: number };
  runs: ScaleRun[];
  median: { smallChecksPerSecond: number; largeChecksPerSecond: number; throughputRatio: number; smallP50Ms: number; largeP50Ms: number; smallP99Ms: number; largeP99Ms: number };
}> {
  const { resources, memberships, smallResources, smallMemberships, durationSeconds, connections } = options.scale;
  const started: { emulator: EmulatorProcess }[] = [];
  const load = await startLoadGenerator();

  try {
    const small = await startEnvironment('small', { resources: smallResources, memberships: smallMemberships });
    started.push(small);
    const large = await startEnvironment('large', { resources, memberships });
    started.push(large);
    console.log(`  large environment seeded in ${Math.round(large.emulator.seedLoadMs)} ms`);
    await assertDecisions(small);
    await assertDecisions(large);

    const targets = [small.target, large.target];
    await load.run({ targets, connections, sliceSeconds: 1, slices: 1 });

    const runs: ScaleRun[] = [];
    for (let run = 0; run < options.runs; run++) {
      const results = await load.run({ targets, connections, ...slicesOf(durationSeconds) });
      const smallResult = results.small!;
      const largeResult = results.large!;
      assertClean('small environment', smallResult);
      assertClean('large environment', largeResult);
      runs.push({ small: smallResult, large: largeResult, throughputRatio: largeResult.requestsPerSecond / smallResult.requestsPerSecond });
      console.log(
        `  run ${run + 1}: small ${Math.round(smallResult.requestsPerSecond)} checks/s, large ${Math.round(largeResult.requestsPerSecond)} checks/s (${(
          (100 * largeResult.requestsPerSecond) /
          smallResult.requestsPerSecond
        ).toFixed(1)}%)`,
      );
    }

    const pick = (select: (run: ScaleRun) => number): number => median(runs.map(select));
    return {
      small: { ...small.size, seedLoadMs: small.emulator.seedLoadMs },
      large: { ...large.size, seedLoadMs: large.emulator.seedLoadMs },
      runs,
      median: {
        smallChecksPerSecond: pick((run) => run.small.requestsPerSecond),
        largeChecksPerSecond: pick((run) => run.large.requestsPerSecond),
        throughputRatio: pick((run) => run.throughputRatio),
        smallP50Ms: pick((run) => run.small.latencyP50Ms),
        largeP50Ms: pick((run) => run.large.latencyP50Ms),
        smallP99Ms: pick((run) => run.small.latencyP99Ms),
        largeP99Ms: pick((run) => run.large.latencyP99Ms),
      },
    };
  } finally {
    await load.stop();
    for (const environment of started) {
      await environment.emulator.stop();
    }
  }
}

import { startEmulatorProcess, type EmulatorProcess } from '../lib/emulator.js';
import { assertClean, slicesOf, startLoadGenerator, type LoadResult, type LoadTarget } from '../lib/load.js';
import { firstDocumentBelow, hierarchySeed, nodeRef, random, type HierarchySize } from '../lib/model.js';
import type { BenchOptions } from '../lib/options.js';
import { median } from '../lib/stats.js';

/** Distinct checks each autocannon connection cycles through. */
const CHECKS_PER_ENVIRONMENT = 1_000;

interface Environment {
  label: 'small' | 'large' | 'smallCopy';
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
  /** A second emulator with the small environment: the A/A comparison that shows the noise between processes. */
  smallCopy: LoadResult;
  /** Large-environment checks per second divided by small-environment checks per second (1 = flat). */
  throughputRatio: number;
  /** Second small emulator's checks per second divided by the first's (1 = no noise). */
  noiseRatio: number;
  largeSeedLoadMs: number;
}

const LABELS = ['small', 'large', 'smallCopy'] as const;

/** Starts the three emulators in a rotating order, so that no environment always gets the same start position. */
async function startEnvironments(options: BenchOptions, run: number): Promise<Record<(typeof LABELS)[number], Environment & { checks: CheckSpec[] }>> {
  const { resources, memberships, smallResources, smallMemberships } = options.scale;
  const sizes = {
    small: { resources: smallResources, memberships: smallMemberships },
    large: { resources, memberships },
    smallCopy: { resources: smallResources, memberships: smallMemberships },
  };

  const started: Partial<Record<(typeof LABELS)[number], Environment & { checks: CheckSpec[] }>> = {};
  try {
    for (let offset = 0; offset < LABELS.length; offset++) {
      const label = LABELS[(run + offset) % LABELS.length]!;
      started[label] = await startEnvironment(label, sizes[label]);
    }
  } catch (error) {
    await Promise.all(Object.values(started).map((environment) => environment.emulator.stop()));
    throw error;
  }
  return started as Record<(typeof LABELS)[number], Environment & { checks: CheckSpec[] }>;
}

/**
 * Emulator check throughput in a large environment (a five-level hierarchy)
 * against a small one with the same model, loaded by autocannon in
 * alternating slices. Each emulator runs in its own process. A second small
 * one measures how far two identical processes differ. Every run starts fresh
 * processes, because that difference lasts for a process's lifetime.
 */
export async function runScaleSuite(options: BenchOptions): Promise<{
  small: HierarchySize;
  large: HierarchySize;
  runs: ScaleRun[];
  median: {
    smallChecksPerSecond: number;
    largeChecksPerSecond: number;
    throughputRatio: number;
    noiseRatio: number;
    smallP50Ms: number;
    largeP50Ms: number;
    smallP99Ms: number;
    largeP99Ms: number;
    largeSeedLoadMs: number;
  };
}> {
  const { durationSeconds, connections } = options.scale;
  const load = await startLoadGenerator();
  const runs: ScaleRun[] = [];

  try {
    for (let run = 0; run < options.runs; run++) {
      const environments = await startEnvironments(options, run);
      try {
        for (const environment of Object.values(environments)) {
          await assertDecisions(environment);
        }

        const targets = LABELS.map((label) => environments[label].target);
        await load.run({ targets, connections, sliceSeconds: 1, slices: 1 });
        const results = await load.run({ targets, connections, ...slicesOf(durationSeconds) });
        for (const label of LABELS) {
          assertClean(`${label} environment`, results[label]!);
        }

        const small = results.small!;
        const large = results.large!;
        const smallCopy = results.smallCopy!;
        runs.push({
          small,
          large,
          smallCopy,
          throughputRatio: large.requestsPerSecond / small.requestsPerSecond,
          noiseRatio: smallCopy.requestsPerSecond / small.requestsPerSecond,
          largeSeedLoadMs: environments.large.emulator.seedLoadMs,
        });
        console.log(
          `  run ${run + 1}: small ${Math.round(small.requestsPerSecond)} checks/s, large ${Math.round(large.requestsPerSecond)} checks/s ` +
            `(${((100 * large.requestsPerSecond) / small.requestsPerSecond).toFixed(1)}%), second small ${Math.round(smallCopy.requestsPerSecond)} checks/s, ` +
            `large seeded in ${Math.round(environments.large.emulator.seedLoadMs)} ms`,
        );
      } finally {
        await Promise.all(Object.values(environments).map((environment) => environment.emulator.stop()));
      }
    }
  } finally {
    await load.stop();
  }

  const pick = (select: (run: ScaleRun) => number): number => median(runs.map(select));
  return {
    small: { resources: options.scale.smallResources, memberships: options.scale.smallMemberships },
    large: { resources: options.scale.resources, memberships: options.scale.memberships },
    runs,
    median: {
      smallChecksPerSecond: pick((run) => run.small.requestsPerSecond),
      largeChecksPerSecond: pick((run) => run.large.requestsPerSecond),
      throughputRatio: pick((run) => run.throughputRatio),
      noiseRatio: pick((run) => run.noiseRatio),
      smallP50Ms: pick((run) => run.small.latencyP50Ms),
      largeP50Ms: pick((run) => run.large.latencyP50Ms),
      smallP99Ms: pick((run) => run.small.latencyP99Ms),
      largeP99Ms: pick((run) => run.large.latencyP99Ms),
      largeSeedLoadMs: pick((run) => run.largeSeedLoadMs),
    },
  };
}

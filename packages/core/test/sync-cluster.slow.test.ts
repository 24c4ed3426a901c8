import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator } from '@fgakit/emulator';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createSync } from '../src/sync/sync.js';
import { createSyncWorker } from '../src/sync/worker.js';
import { createWorkOS } from '../src/workos.js';
import { FAST_RETRIES, SEED_FILE, freshPrefix } from './sync-fixtures.js';

const run = promisify(execFile);
let cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.reverse()) {
    await step();
  }
  cleanup = [];
});

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts a private three-master Redis Cluster on free ports; the shared Redis is never touched. */
async function startCluster(): Promise<number[]> {
  const dir = await mkdtemp(join(tmpdir(), 'fgakit-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const servers: ChildProcess[] = [];
  cleanup.push(async () => {
    await Promise.all(
      servers.map(async (server) => {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  });

  for (const port of ports) {
    servers.push(
      spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      ),
    );
  }

  for (const port of ports) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
    // Refused connections are expected until the server listens.
    probe.on('error', () => undefined);
    await probe.connect().catch(() => undefined);
    await probe.ping();
    probe.disconnect();
  }

  await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);

  const probe = new Redis(ports[0]!, '127.0.0.1');
  try {
    await expect.poll(async () => (await probe.cluster('INFO')).includes('cluster_state:ok'), { timeout: 20_000 }).toBe(true);
  } finally {
    probe.disconnect();
  }
  return ports;
}

describe('sync on Redis Cluster', () => {
  it('applies the lifecycle through a hash-tagged prefix', async () => {
    const ports = await startCluster();
    const emulator = await startEmulator({ port: 0, seed: SEED_FILE });
    cleanup.push(() => emulator.close());
    const workos = createWorkOS({ apiKey: emulator.apiKey, baseUrl: emulator.url });
    const cluster = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
    cleanup.push(async () => {
      cluster.disconnect();
    });

    const prefix = freshPrefix();
    const sync = createSync({ connection: cluster, prefix });
    const worker = createSyncWorker({ workos, connection: cluster, prefix, ...FAST_RETRIES });
    cleanup.push(async () => {
      await worker.close();
      await sync.close();
    });

    const wait = { timeoutMs: 20_000 };
    await sync.waitUntilApplied(await sync.upsertOrganization({ id: 'acme', name: 'Acme' }), wait);
    await sync.waitUntilApplied(await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme' }), wait);
    await sync.waitUntilApplied(await sync.upsertResource({ organizationId: 'acme', resourceTypeSlug: 'workspace', resourceId: 'ws1', name: 'W' }), wait);
    const grant = { userId: 'u1', organizationId: 'acme', resource: { resourceTypeSlug: 'workspace', resourceId: 'ws1' }, role: 'workspace-admin' };
    await sync.waitUntilApplied(await sync.grantResourceRole(grant), wait);

    const membershipId = await sync.getMembershipId('u1', 'acme');
    const check = await workos.authorization.check({
      organizationMembershipId: membershipId!,
      permissionSlug: 'workspace:edit',
      resourceTypeSlug: 'workspace',
      resourceExternalId: 'ws1',
    });
    expect(check.authorized).toBe(true);

    await sync.waitUntilApplied(await sync.revokeResourceRole(grant), wait);
    const after = await workos.authorization.check({
      organizationMembershipId: membershipId!,
      permissionSlug: 'workspace:edit',
      resourceTypeSlug: 'workspace',
      resourceExternalId: 'ws1',
    });
    expect(after.authorized).toBe(false);
  });
});

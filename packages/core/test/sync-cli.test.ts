import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { REDIS_URL, setupSync, type SyncFixture } from './sync-fixtures.js';

let fixture: SyncFixture;

afterEach(async () => {
  await fixture.close();
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...args, '--redis', REDIS_URL, '--prefix', fixture.prefix], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: {},
  });
  return { code, stdout, stderr };
}

async function failOneJob(): Promise<void> {
  const { sync } = fixture;
  await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
  const ticket = await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme', role: 'no-such-role' });
  await expect(sync.waitUntilApplied(ticket, { timeoutMs: 10_000 })).rejects.toThrow(/422/);
}

describe('fgakit', () => {
  it('shows status as JSON', async () => {
    fixture = await setupSync();
    await failOneJob();

    const { code, stdout } = await cli('status', '--json');

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ failed: 1, lagging: 1, paused: false });
  });

  it('lists, shows and retries failed jobs', async () => {
    fixture = await setupSync();
    await failOneJob();

    const list = JSON.parse((await cli('failed', 'list', '--json')).stdout) as { id: string; entity: string; failedReason: string }[];
    expect(list).toHaveLength(1);
    expect(list[0]?.entity).toBe('m:u1:acme');
    expect(list[0]?.failedReason).toMatch(/422/);

    const show = JSON.parse((await cli('failed', 'show', list[0]!.id, '--json')).stdout) as { desired: { data: unknown } };
    expect(show.desired.data).toEqual({ roles: ['no-such-role'] });

    await fixture.sync.setOrganizationRoles({ userId: 'u1', organizationId: 'acme', roles: ['member'] });
    expect((await cli('failed', 'retry', '--all')).code).toBe(0);
    expect((await cli('drain', '--timeout-ms', '10000')).code).toBe(0);
    expect(await fixture.sync.getMembershipId('u1', 'acme')).toMatch(/^om_/);
  });

  it('discards failed jobs', async () => {
    fixture = await setupSync();
    await failOneJob();

    const { stdout } = await cli('failed', 'discard', '--all', '--json');

    expect(JSON.parse(stdout)).toEqual({ discarded: 1 });
    expect(JSON.parse((await cli('failed', 'list', '--json')).stdout)).toEqual([]);
  });

  it('sweeps recorded changes without jobs', async () => {
    fixture = await setupSync();
    await fixture.sync.recordChange(
      { operation: 'test', priority: 10, operations: [{ e: 'o:acme', exists: '1', data: JSON.stringify({ name: 'Acme' }) }] },
      { enqueue: false },
    );

    expect(JSON.parse((await cli('sweep', '--json')).stdout)).toEqual({ enqueued: 1 });
    expect((await cli('drain', '--timeout-ms', '10000')).code).toBe(0);
    expect((await fixture.workos.organizations.getOrganizationByExternalId('acme')).name).toBe('Acme');
  });

  it('rejects an unknown command', async () => {
    fixture = await setupSync();

    const { code, stderr } = await cli('nope');

    expect(code).toBe(2);
    expect(stderr).toMatch(/Unknown command "nope"/);
  });
  it('reports errors as JSON with --json', async () => {
    fixture = await setupSync();

    const missing = await cli('failed', 'show', 'no-such-job', '--json');
    const unknown = await cli('nope', '--json');

    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr)).toEqual({ error: expect.stringContaining('No job "no-such-job"') as unknown, usage: false });
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ usage: true });
  });
});

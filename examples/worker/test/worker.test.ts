import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createSync } from '@fgakit/core';
import { startEmulator } from '@fgakit/emulator';
import { expect, it } from 'vitest';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const seed = fileURLToPath(new URL('../../fga-seed.yaml', import.meta.url));
const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));

it('applies changes and exits cleanly on SIGTERM', async () => {
  const emulator = await startEmulator({ port: 0, seed });
  const prefix = `fgakit-worker-test-${randomUUID()}`;
  const sync = createSync({ connection: redisUrl, prefix });
  const worker = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, WORKOS_BASE_URL: emulator.url, WORKOS_API_KEY: emulator.apiKey, REDIS_URL: redisUrl, FGAKIT_PREFIX: prefix, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });

  try {
    await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
    const ticket = await sync.signUpUser({ userId: 'ada', email: 'ada@acme.test', organizationId: 'acme' });
    await sync.waitUntilApplied(ticket, { timeoutMs: 20_000 });

    expect(await sync.getMembershipId('ada', 'acme')).toMatch(/^om_/);

    const exited = once(worker, 'exit');
    worker.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  } finally {
    if (worker.exitCode === null) {
      worker.kill('SIGKILL');
    }

    await sync.close();
    await emulator.close();
  }
});

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REDIS_URL, type SyncFixture } from './sync-fixtures.js';

// The loader runs the worker in this very process, so SIGKILL reaches the worker itself.
const TSX_LOADER = new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
const WORKER = fileURLToPath(new URL('./fixtures/sync-worker-process.ts', import.meta.url));

/** A sync worker running in a child process, and the count of changes it applied. */
export interface WorkerProcess {
  child: ChildProcess;
  applied: () => number;
}

/** Starts a sync worker process on the fixture's emulator and prefix. */
export function startWorkerProcess(fixture: SyncFixture): WorkerProcess {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, WORKER], {
    env: {
      ...process.env,
      REDIS_URL,
      FGAKIT_PREFIX: fixture.prefix,
      WORKOS_API_KEY: fixture.emulator.apiKey,
      WORKOS_BASE_URL: fixture.emulator.url,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let applied = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    applied += chunk.toString().split('\n').filter((line) => line.startsWith('applied')).length;
  });
  return { child, applied: () => applied };
}

/**
 * `pnpm demo [express|koa|fastify]`: starts the emulator, the sync worker and
 * an example app, walks a user lifecycle over HTTP and checks every status.
 * Exits 0 only when every step returned the expected status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '@fgakit/emulator';
import { lifecycleSteps, runStep } from '@fgakit-examples/shared';
import { Redis } from 'ioredis';

const frameworks = ['express', 'koa', 'fastify'] as const;
type Framework = (typeof frameworks)[number];

const root = fileURLToPath(new URL('..', import.meta.url));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function parseFramework(argument: string | undefined): Framework {
  const framework = argument ?? 'express';
  if (!(frameworks as readonly string[]).includes(framework)) {
    console.error(`Unknown framework ${JSON.stringify(framework)}: run "pnpm demo" with one of ${frameworks.join(', ')}.`);
    process.exit(2);
  }

  return framework as Framework;
}

async function assertRedisReachable(): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    console.error(`Redis is not reachable at ${redisUrl}.`);
    console.error('Start it with "redis-server --daemonize yes" (Debian: "apt-get install redis-server"),');
    console.error('or point REDIS_URL at a running Redis 6.2 or newer.');
    process.exit(1);
  } finally {
    redis.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) {
    throw new Error('could not pick a free port');
  }

  return address.port;
}

function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) {
      console.error(`${name} exited with code ${code}`);
    }
  });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  throw new Error(`${url} did not respond within ${timeoutMs} ms; see the app's log above.`);
}

async function run(): Promise<number> {
  const framework = parseFramework(process.argv[2]);
  await assertRedisReachable();

  const emulator = await startEmulator({ port: 0, seed: `${root}examples/fga-seed.yaml` });
  const prefix = `fgakit-demo-${randomUUID().slice(0, 8)}`;
  const port = await freePort();
  const env = { WORKOS_BASE_URL: emulator.url, WORKOS_API_KEY: emulator.apiKey, REDIS_URL: redisUrl, FGAKIT_PREFIX: prefix, LOG_LEVEL: 'warn' };

  console.log(`emulator  ${emulator.url}`);
  const worker = startProcess('sync worker', 'examples/worker/src/main.ts', env);
  const app = startProcess(`${framework} app`, `examples/${framework}/src/main.ts`, { ...env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;

  let failures = 0;
  try {
    await waitForHttp(base, 30_000);
    console.log(`${framework.padEnd(9)} ${base}\n`);

    for (const [index, step] of lifecycleSteps().entries()) {
      const outcome = await runStep(base, step);
      const mark = outcome.problem === undefined ? 'ok  ' : 'FAIL';
      console.log(`${String(index + 1).padStart(2)}. ${mark} ${outcome.status} ${step.method.padEnd(6)} ${step.path.padEnd(44)} ${step.title}`);
      if (outcome.problem !== undefined) {
        failures += 1;
        console.log(`          ${outcome.problem}: ${outcome.text}`);
      }
    }
  } finally {
    await Promise.all([stopProcess(app), stopProcess(worker)]);
    await emulator.close();
  }

  console.log(failures === 0 ? '\nEvery step returned the expected status.' : `\n${failures} step(s) returned an unexpected status.`);
  return failures === 0 ? 0 : 1;
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { clientFor, EXAMPLE_SEED } from './helpers.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

function runCli(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
  children.push(child);
  return child;
}

function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match !== null) {
        child.stdout.off('data', onData);
        resolve(match);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`CLI exited with ${String(code)} before printing ${String(pattern)}: ${output}`)));
  });
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
    }
  }
});

describe('fgakit-emulator command', () => {
  it('prints its URL and key and stops on SIGTERM', async () => {
    const child = runCli(['--port', '0', '--seed', EXAMPLE_SEED, '--api-key', 'sk_test_cli', '--log-level', 'silent']);
    const [, url] = await waitForOutput(child, /listening on (http:\/\/\S+)\nAPI key: sk_test_cli\n/);

    const response = await fetch(`${url!}/authorization/roles`, { headers: { Authorization: 'Bearer sk_test_cli' } });
    expect(response.status).toBe(200);

    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('fails at start on a malformed seed', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'fgakit-cli-'));
    const seed = join(directory, 'seed.yaml');
    await writeFile(seed, 'roles:\n  - slug: admin\n    permissions: [missing:permission]\n');
    const child = runCli(['--port', '0', '--seed', seed]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });

    expect(await exitCode(child)).toBe(1);
    expect(stderr).toContain('roles[0] (slug "admin"): permission "missing:permission" is not defined in permissions');
  });

  it('rejects an invalid flag value', async () => {
    const child = runCli(['--port', 'many']);
    expect(await exitCode(child)).toBe(2);
  });
});

describe('data file', () => {
  it('keeps state across restarts', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'fgakit-data-'));
    const dataFile = join(directory, 'state.json');

    const first = await startEmulator({ port: 0, seed: EXAMPLE_SEED, dataFile });
    const organization = await clientFor(first).organizations.createOrganization({ name: 'Persisted', externalId: 'persisted' });
    await first.close();
    expect(JSON.parse(await readFile(dataFile, 'utf8'))).toMatchObject({ version: 1 });

    const second = await startEmulator({ port: 0, seed: EXAMPLE_SEED, dataFile });
    const found = await clientFor(second).organizations.getOrganizationByExternalId('persisted');
    expect(found.id).toBe(organization.id);
    await second.close();
  });
});

/**
 * Runs the emulator in its own process, so that its CPU time does not count
 * against the client being measured. Started by lib/emulator.ts.
 */
import { readFile } from 'node:fs/promises';
import { startEmulator, type FaultRuleInput, type Seed } from '@fgakit/emulator';
import { childConfig, serveParent } from '../lib/child.js';

interface Config {
  seedFile: string;
}

const config = childConfig() as Config;
const seed = JSON.parse(await readFile(config.seedFile, 'utf8')) as Seed;

const started = performance.now();
const emulator = await startEmulator({ port: 0, host: '127.0.0.1', seed });
const seedLoadMs = performance.now() - started;

serveParent(
  async (message) => {
    switch (message.op) {
      case 'countRequests': {
        const counts: Record<string, number> = {};
        for (const entry of emulator.requestLog()) {
          const key = entry.route ?? `${entry.method} (no route)`;
          counts[key] = (counts[key] ?? 0) + 1;
        }
        return counts;
      }
      case 'clearRequestLog':
        emulator.clearRequestLog();
        return null;
      case 'addFault':
        return emulator.addFault(message.rule as FaultRuleInput);
      case 'clearFaults':
        emulator.clearFaults();
        return null;
      case 'reset':
        await emulator.reset();
        return null;
      case 'memberships': {
        const snapshot = emulator.snapshot();
        const users = new Map(snapshot.users.map((user) => [user.id, user]));
        return snapshot.memberships.map((membership) => ({
          id: membership.id,
          userExternalId: users.get(membership.user_id)?.external_id ?? null,
          organizationId: membership.organization_id,
        }));
      }
      default:
        throw new Error(`unknown emulator operation ${JSON.stringify(message.op)}`);
    }
  },
  () => emulator.close(),
);

process.send?.({ url: emulator.url, port: emulator.port, apiKey: emulator.apiKey, seedLoadMs });

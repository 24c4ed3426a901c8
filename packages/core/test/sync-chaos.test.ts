import { afterEach, describe, it } from 'vitest';
import { convergeUnderFaults } from './sync-chaos-scenario.js';
import { setupSync, type SyncFixture } from './sync-fixtures.js';

let fixture: SyncFixture;

afterEach(async () => {
  await fixture.close();
});

describe('sync under faults', () => {
  it('converges interleaved changes with two workers', async () => {
    fixture = await setupSync();
    fixture.startWorker();

    await convergeUnderFaults(fixture);
  });
});

import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncFailedError, SyncInputError, SyncTimeoutError } from '../src/sync/errors.js';
import { entityKey, parseEntityKey } from '../src/sync/keys.js';
import { REDIS_URL, setupProducer, type ProducerFixture } from './sync-fixtures.js';

let fixture: ProducerFixture;

afterEach(async () => {
  await fixture.close();
});

describe('createSync', () => {
  it('records versions per entity', async () => {
    fixture = setupProducer();
    const { sync } = fixture;

    const first = await sync.upsertOrganization({ id: 'acme', name: 'Acme' });
    const second = await sync.upsertOrganization({ id: 'acme', name: 'Acme Inc' });
    const signup = await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme', role: 'member' });

    expect(first.changes).toEqual([{ entity: 'o:acme', version: 1 }]);
    expect(second.changes).toEqual([{ entity: 'o:acme', version: 2 }]);
    expect(signup.changes).toEqual([
      { entity: 'u:u1', version: 1 },
      { entity: 'm:u1:acme', version: 1 },
    ]);

    const record = await sync.store.read('o:acme');
    expect(record?.data).toEqual({ name: 'Acme Inc' });
    expect(record?.synced).toBe(0);
  });

  it('keeps one waiting job per entity', async () => {
    fixture = setupProducer();
    const { sync, prefix } = fixture;

    for (let i = 0; i < 5; i++) {
      await sync.upsertOrganization({ id: 'acme', name: `Acme ${i}` });
    }

    const queue = new Queue('sync', { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix: `{${prefix}}` });
    const counts = await queue.getJobCounts('wait', 'prioritized', 'delayed');
    await queue.close();
    expect(counts['wait']! + counts['prioritized']! + counts['delayed']!).toBe(1);
  });

  it('removes memberships when deleting a user', async () => {
    fixture = setupProducer();
    const { sync } = fixture;
    await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme' });
    await sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'globex' });

    const ticket = await sync.deleteUser({ userId: 'u1' });

    expect(ticket.changes.map((c) => c.entity).sort()).toEqual(['m:u1:acme', 'm:u1:globex', 'u:u1']);
    expect((await sync.store.read('m:u1:acme'))?.exists).toBe(false);
  });

  it('rejects a grant without membership', async () => {
    fixture = setupProducer();
    const grant = fixture.sync.grantResourceRole({
      userId: 'u1',
      organizationId: 'acme',
      resource: { resourceTypeSlug: 'workspace', resourceId: 'ws1' },
      role: 'workspace-admin',
    });

    await expect(grant).rejects.toThrow(SyncInputError);
    await expect(grant).rejects.toThrow(/not a member of organization "acme"; call signUpUser first/);
    expect(await fixture.sync.store.read('m:u1:acme')).toBeUndefined();
  });

  it.each([
    ['empty id', () => fixture.sync.upsertOrganization({ id: '', name: 'Acme' }), /id must be a non-empty string/],
    ['bad email', () => fixture.sync.signUpUser({ userId: 'u1', email: 'nope', organizationId: 'acme' }), /email must be an email address/],
    ['empty roles', () => fixture.sync.setOrganizationRoles({ userId: 'u1', organizationId: 'acme', roles: [] }), /roles must be a non-empty array/],
    [
      'organization resource',
      () => fixture.sync.upsertResource({ organizationId: 'acme', resourceTypeSlug: 'organization', resourceId: 'x', name: 'X' }),
      /root resource/,
    ],
    ['long id', () => fixture.sync.deleteUser({ userId: 'x'.repeat(129) }), /longer than 128 characters/],
  ])('rejects %s', async (_name, call, message) => {
    fixture = setupProducer();
    await expect(call()).rejects.toThrow(message);
  });

  it('times out while no worker runs', async () => {
    fixture = setupProducer();
    const ticket = await fixture.sync.upsertOrganization({ id: 'acme', name: 'Acme' });

    const wait = fixture.sync.waitUntilApplied(ticket, { timeoutMs: 100 });

    await expect(wait).rejects.toThrow(SyncTimeoutError);
    await expect(wait).rejects.toMatchObject({ pending: ['o:acme'] });
  });

  it('rejects with the recorded failure reason', async () => {
    fixture = setupProducer();
    const ticket = await fixture.sync.upsertOrganization({ id: 'acme', name: 'Acme' });
    await fixture.sync.store.markFailed('o:acme', 1, 'WorkOS answered 422: invalid name');

    const wait = fixture.sync.waitUntilApplied(ticket, { timeoutMs: 1_000 });

    await expect(wait).rejects.toThrow(SyncFailedError);
    await expect(wait).rejects.toThrow(/invalid name/);
  });

  it('resolves once every entity is synced', async () => {
    fixture = setupProducer();
    const ticket = await fixture.sync.signUpUser({ userId: 'u1', email: 'u1@example.com', organizationId: 'acme' });
    const wait = fixture.sync.waitUntilApplied(ticket, { timeoutMs: 2_000 });

    expect(await fixture.sync.store.markSynced('u:u1', 1)).toBe(true);
    expect(await fixture.sync.store.markSynced('m:u1:acme', 1)).toBe(true);

    await expect(wait).resolves.toBeUndefined();
    expect(await fixture.sync.store.laggingCount()).toBe(0);
  });

  it('keeps lagging when the version moved', async () => {
    fixture = setupProducer();
    await fixture.sync.upsertOrganization({ id: 'acme', name: 'Acme' });
    await fixture.sync.upsertOrganization({ id: 'acme', name: 'Acme 2' });

    expect(await fixture.sync.store.markSynced('o:acme', 1)).toBe(false);
    expect(await fixture.sync.store.laggingCount()).toBe(1);
  });
});

describe('entityKey', () => {
  it.each([
    { kind: 'organization', organizationId: 'a:b' },
    { kind: 'user', userId: 'u/1' },
    { kind: 'membership', userId: 'u:1', organizationId: 'o%2' },
    { kind: 'resource', organizationId: 'o', resourceTypeSlug: 'workspace', resourceId: 'w:s' },
  ] as const)('round-trips $kind', (entity) => {
    expect(parseEntityKey(entityKey(entity))).toEqual(entity);
  });

  it('rejects an unknown key', () => {
    expect(() => parseEntityKey('x:1')).toThrow(/Invalid sync entity key/);
  });
});

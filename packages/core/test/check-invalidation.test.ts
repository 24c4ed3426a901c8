import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { invalidationChannel, type DecisionInvalidation } from '../src/invalidation.js';
import { parseInvalidation } from '../src/check/subscriber.js';
import { createTestCheckClient, type TestCheckClient } from '../src/testing.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const input = { organizationMembershipId: 'om_1', permission: 'p', resource: { resourceTypeSlug: 'workspace', resourceExternalId: 'ws_1' } };

let redis: Redis;
let publisher: Redis;
let prefix: string;
let prefixName: string;
let checks: TestCheckClient<string> | undefined;

beforeEach(() => {
  prefixName = `test-${randomUUID()}`;
  // The subscriber is a duplicate of this connection and inherits its name, which lets a test find it.
  redis = new Redis(redisUrl, { connectionName: prefixName });
  publisher = new Redis(redisUrl);
  prefix = prefixName;
});

afterEach(async () => {
  await checks?.close();
  checks = undefined;
  await redis.quit();
  await publisher.quit();
});

/** Publishes a message to the client's channel, then gives the subscriber 50 ms to receive it. */
async function publishAndSettle(message: string): Promise<void> {
  const receivers = await publisher.publish(invalidationChannel(prefix), message);
  expect(receivers).toBe(1);
  // Delivery to the subscriber is asynchronous, so wait a moment on loopback.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('invalidation over Redis pub/sub', () => {
  it('drops decisions of a published membership', async () => {
    let allowed = true;
    checks = createTestCheckClientWithRedis(() => allowed);
    await checks.ready();

    await checks.check(input);
    expect((await checks.check(input)).source).toBe('cache');

    allowed = false;
    const invalidation: DecisionInvalidation = { kind: 'membership', organizationMembershipId: 'om_1' };
    await publishAndSettle(JSON.stringify(invalidation));

    expect(await checks.check(input)).toMatchObject({ status: 'denied', source: 'upstream' });
  });

  it('drops everything on an unreadable message', async () => {
    checks = createTestCheckClientWithRedis(() => true);
    await checks.ready();
    await checks.check(input);

    await publishAndSettle('{not json');

    expect((await checks.check(input)).source).toBe('upstream');
  });

  it('bypasses the cache until subscribed', async () => {
    checks = createTestCheckClientWithRedis(() => true);

    const beforeReady = [await checks.check(input), await checks.check(input)];
    await checks.ready();
    await checks.check(input);
    const afterReady = await checks.check(input);

    expect(beforeReady.map((decision) => decision.source)).toEqual(['upstream', 'upstream']);
    expect(afterReady.source).toBe('cache');
  });
});

describe('invalidation subscriber reconnects', () => {
  it('suspends the cache while disconnected and resumes after resubscribing', async () => {
    checks = createTestCheckClientWithRedis(() => true);
    await checks.ready();
    await checks.check(input);
    expect((await checks.check(input)).source).toBe('cache');

    const clients = (await publisher.client('LIST')) as string;
    const subscriberLine = clients.split('\n').find((line) => line.includes(`name=${prefixName}`) && / sub=1 /.test(line));
    const subscriberId = /\bid=(\d+)/.exec(subscriberLine ?? '')?.[1];
    expect(subscriberId).toBeDefined();
    await publisher.client('KILL', 'ID', subscriberId!);

    // Two checks in a row: the second is served from the cache unless the cache is suspended.
    const secondSource = async () => {
      await checks!.check(input);
      return (await checks!.check(input)).source;
    };
    let suspended = false;
    for (let attempt = 0; attempt < 100 && !suspended; attempt += 1) {
      suspended = (await secondSource()) === 'upstream';
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    let resumed = false;
    for (let attempt = 0; attempt < 200 && !resumed; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      resumed = (await secondSource()) === 'cache';
    }

    expect(suspended).toBe(true);
    expect(resumed).toBe(true);
  });
});

describe('parseInvalidation', () => {
  it.each([
    ['{"kind":"all"}', { kind: 'all' }],
    ['{"kind":"membership","organizationMembershipId":"om_1"}', { kind: 'membership', organizationMembershipId: 'om_1' }],
    [
      '{"kind":"resource","organizationId":"org_1","resourceTypeSlug":"workspace","resourceExternalId":"ws_1"}',
      { kind: 'resource', organizationId: 'org_1', resourceTypeSlug: 'workspace', resourceExternalId: 'ws_1' },
    ],
    ['{"kind":"membership"}', undefined],
    ['{"kind":"unknown"}', undefined],
    ['[]', undefined],
    ['nope', undefined],
  ])('parses %s', (message, expected) => {
    expect(parseInvalidation(message)).toEqual(expected);
  });
});

function createTestCheckClientWithRedis(decide: () => boolean): TestCheckClient<string> {
  return createTestCheckClient({ cache: {}, decide, invalidation: { redis, prefix } });
}

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresOutbox, type PostgresOutbox } from '../src/postgres.js';
import { setupProducer, type ProducerFixture } from './sync-fixtures.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let pool: pg.Pool;
let producer: ProducerFixture;
let outbox: PostgresOutbox;
let table: string;

beforeEach(async () => {
  pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 });
  producer = setupProducer();
  table = `fgakit_outbox_${randomUUID().replace(/-/g, '')}`;
  outbox = createPostgresOutbox({ pool, sync: producer.sync, table });
  await outbox.migrate();
});

afterEach(async () => {
  await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  await pool.end();
  await producer.close();
});

async function inTransaction(work: (client: pg.PoolClient) => Promise<void>, commit = true): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
  } finally {
    client.release();
  }
}

describe('createPostgresOutbox', () => {
  it('relays committed intents only', async () => {
    await inTransaction((client) => outbox.write(client, 'upsertOrganization', { id: 'acme', name: 'Acme' }));
    await inTransaction((client) => outbox.write(client, 'upsertOrganization', { id: 'globex', name: 'Globex' }), false);

    expect(await outbox.relayOnce()).toEqual({ relayed: 1, failed: 0 });

    expect((await producer.sync.store.read('o:acme'))?.data).toEqual({ name: 'Acme' });
    expect(await producer.sync.store.read('o:globex')).toBeUndefined();
    expect(await outbox.pending()).toBe(0);
  });

  it('delivers an intent committed late', async () => {
    const early = await pool.connect();
    await early.query('BEGIN');
    await outbox.write(early, 'upsertOrganization', { id: 'early', name: 'Early' });
    await inTransaction((client) => outbox.write(client, 'upsertOrganization', { id: 'late', name: 'Late' }));

    expect(await outbox.relayOnce()).toEqual({ relayed: 1, failed: 0 });
    await early.query('COMMIT');
    early.release();

    expect(await outbox.relayOnce()).toEqual({ relayed: 1, failed: 0 });
    expect((await producer.sync.store.read('o:early'))?.exists).toBe(true);
  });

  it('rejects invalid input inside the transaction', async () => {
    const write = inTransaction((client) => outbox.write(client, 'upsertOrganization', { id: '', name: 'Acme' }));

    await expect(write).rejects.toThrow(/id must be a non-empty string/);
    expect(await outbox.pending()).toBe(0);
  });

  it('keeps a rejected intent with its reason', async () => {
    const grant = { userId: 'u1', organizationId: 'acme', resource: { resourceTypeSlug: 'workspace', resourceId: 'ws1' }, role: 'workspace-admin' };
    await inTransaction((client) => outbox.write(client, 'grantResourceRole', grant));

    expect(await outbox.relayOnce()).toEqual({ relayed: 0, failed: 1 });

    const { rows } = await pool.query<{ error: string }>(`SELECT error FROM "${table}" WHERE failed_at IS NOT NULL`);
    expect(rows[0]?.error).toMatch(/not a member of organization "acme"/);
  });

  it('relays each intent once across relays', async () => {
    for (let i = 0; i < 40; i++) {
      await inTransaction((client) => outbox.write(client, 'upsertOrganization', { id: 'acme', name: `Acme ${i}` }));
    }

    const results = await Promise.all([outbox.relayOnce(10), outbox.relayOnce(10), outbox.relayOnce(10), outbox.relayOnce(10)]);
    const relayed = results.reduce((sum, result) => sum + result.relayed, 0);
    const rest = await outbox.relayOnce(100);

    expect(relayed + rest.relayed).toBe(40);
    expect((await producer.sync.store.read('o:acme'))?.version).toBe(40);
  });

  it('relays continuously', async () => {
    const relay = outbox.startRelay({ intervalMs: 10 });
    await inTransaction((client) => outbox.write(client, 'upsertOrganization', { id: 'acme', name: 'Acme' }));

    await expect.poll(() => outbox.pending(), { timeout: 2_000 }).toBe(0);
    await relay.stop();
    expect((await producer.sync.store.read('o:acme'))?.exists).toBe(true);
  });
});

import { createTestCheckClient } from '@fgakit/core/testing';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { fgakit } from '../src/index.js';

const guard = { requirement: 'workspace:view', resource: () => ({ resourceTypeSlug: 'workspace', resourceExternalId: 'ws_1' }) };

describe('fgakit plugin', () => {
  it('fails closed for a guarded route added before it', async () => {
    const checks = createTestCheckClient({ decide: () => true });
    const app = Fastify();
    app.get('/early', { config: { fgakit: guard } }, () => 'handler ran');
    await app.register(fgakit, { checks, resolveSubject: () => ({ organizationMembershipId: 'om_1' }) });
    app.get('/late', { config: { fgakit: guard } }, () => 'handler ran');

    const early = await app.inject('/early');
    const late = await app.inject('/late');

    expect(early.statusCode).toBe(500);
    expect(early.body).not.toContain('handler ran');
    expect(late.statusCode).toBe(200);
    expect(late.body).toBe('handler ran');
    expect((await app.inject({ method: 'HEAD', url: '/late' })).statusCode).toBe(200);
    await app.close();
  });

  it('replies with the default denial when onDenied sends nothing', async () => {
    const checks = createTestCheckClient({ decide: () => false });
    const app = Fastify();
    await app.register(fgakit, { checks, resolveSubject: () => ({ organizationMembershipId: 'om_1' }), onDenied: () => undefined });
    app.get('/guarded', { config: { fgakit: guard } }, () => 'handler ran');

    const response = await app.inject('/guarded');

    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('application/problem+json');
    await app.close();
  });
});

import { trace, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';

import { createTestCheckClient } from '../src/testing.js';

interface RecordedSpan {
  name: string;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string } | undefined;
  exceptions: Error[];
  ended: boolean;
}

const spans: RecordedSpan[] = [];

// A minimal provider that records spans, standing in for an OpenTelemetry SDK.
const provider: TracerProvider = {
  getTracer: (): Tracer =>
    ({
      startSpan: (name: string, options?: { attributes?: Record<string, unknown> }) => {
        const span: RecordedSpan = { name, attributes: { ...options?.attributes }, status: undefined, exceptions: [], ended: false };
        spans.push(span);
        const api = {
          setAttribute: (key: string, value: unknown) => {
            span.attributes[key] = value;
            return api;
          },
          setStatus: (status: { code: number; message?: string }) => {
            span.status = status;
            return api;
          },
          recordException: (error: Error) => {
            span.exceptions.push(error);
          },
          end: () => {
            span.ended = true;
          },
        };
        return api as unknown as Span;
      },
    }) as unknown as Tracer,
};

trace.setGlobalTracerProvider(provider);

afterAll(() => {
  trace.disable();
});

describe('tracing', () => {
  it('records one span per check, with an error status only when undecided', async () => {
    let answer: boolean | Error = false;
    const checks = createTestCheckClient({ circuitBreaker: false, decide: () => answer });
    const input = { organizationMembershipId: 'om_1', permission: 'workspace:view', resource: { resourceTypeSlug: 'workspace', resourceExternalId: 'ws_1' } };

    await checks.check(input);
    answer = new Error('down');
    await checks.check(input);

    const [denied, undecided] = spans;
    expect(spans).toHaveLength(2);
    expect(denied).toMatchObject({
      name: 'fgakit.check',
      ended: true,
      status: undefined,
      attributes: { 'fgakit.permission': 'workspace:view', 'fgakit.decision': 'denied', 'fgakit.resource.external_id': 'ws_1' },
    });
    expect(undecided?.status?.code).toBe(2);
    expect(undecided?.exceptions[0]?.message).toBe('down');
  });

  it('records nothing when tracing is off', async () => {
    spans.length = 0;
    const checks = createTestCheckClient({ tracing: false, decide: () => true });

    await checks.check({ organizationMembershipId: 'om_1', permission: 'p', resource: { resourceId: 'r' } });

    expect(spans).toHaveLength(0);
  });
});

import type { CheckDecision, ResourceRef } from './types.js';

/** The part of an OpenTelemetry span the check client uses. */
interface SpanLike {
  setAttribute(key: string, value: string | boolean | number): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error): unknown;
  end(): void;
}

/** The part of an OpenTelemetry tracer the check client uses. */
export interface TracerLike {
  startSpan(name: string, options?: { attributes?: Record<string, string> }): SpanLike;
}

// SpanStatusCode.ERROR in @opentelemetry/api 1.x.
const SPAN_STATUS_ERROR = 2;

let sharedTracer: Promise<TracerLike | undefined> | undefined;

/**
 * Loads the tracer of `@opentelemetry/api` once. The package is an optional
 * peer dependency: when it is not installed, tracing is off.
 */
export function loadTracer(): Promise<TracerLike | undefined> {
  sharedTracer ??= import('@opentelemetry/api').then(
    (api) => api.trace.getTracer('@fgakit/core'),
    () => undefined,
  );
  return sharedTracer;
}

/** Starts the span of one check; returns a function that ends it with the decision. */
export function startCheckSpan(
  tracer: TracerLike | undefined,
  permission: string,
  resource: ResourceRef,
): (decision: CheckDecision, organizationMembershipId: string | undefined) => void {
  if (tracer === undefined) {
    return () => undefined;
  }

  const attributes: Record<string, string> = { 'fgakit.permission': permission };
  if ('resourceId' in resource) {
    attributes['fgakit.resource.id'] = resource.resourceId;
  } else {
    attributes['fgakit.resource.type'] = resource.resourceTypeSlug;
    attributes['fgakit.resource.external_id'] = resource.resourceExternalId;
  }
  const span = tracer.startSpan('fgakit.check', { attributes });

  return (decision, organizationMembershipId) => {
    span.setAttribute('fgakit.decision', decision.status);
    span.setAttribute('fgakit.source', decision.source);
    if (organizationMembershipId !== undefined) {
      span.setAttribute('fgakit.organization_membership_id', organizationMembershipId);
    }

    // A denial is a normal result. Only a check that could not be made is an error.
    if (decision.status === 'undecided') {
      span.setAttribute('fgakit.undecided_reason', decision.reason);
      span.recordException(decision.error);
      span.setStatus({ code: SPAN_STATUS_ERROR, message: decision.error.message });
    } else if (decision.status === 'denied') {
      span.setAttribute('fgakit.denial_reason', decision.reason);
    }
    span.end();
  };
}

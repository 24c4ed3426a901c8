/**
 * Koa middleware guards backed by WorkOS FGA checks. `@fgakit/core` decides;
 * this adapter sets the response or throws into Koa's error handling.
 *
 * @module
 */
import {
  guardResponse,
  isThenable,
  prepareGuard,
  runGuard,
  type CheckClient,
  type CheckDecision,
  type GuardResponseOptions,
  type GuardResult,
  type PermissionRequirement,
  type ResourceRef,
  type Subject,
} from '@fgakit/core';
import type { Middleware, Next, ParameterizedContext } from 'koa';

/** State the guards add to `ctx.state`. */
export interface FgakitState {
  /** Decisions of the fgakit guards that ran on this request. */
  fgakit?: { decisions: CheckDecision[] };
}

/** The Koa context the guards see. */
export type GuardContext = ParameterizedContext<FgakitState>;

/** Options of {@link createGuards}. */
export interface KoaGuardOptions<P extends string> extends GuardResponseOptions {
  checks: CheckClient<P>;
  /** Returns the caller, or undefined when the request is not authenticated (401). */
  resolveSubject: (ctx: GuardContext) => Subject | undefined | Promise<Subject | undefined>;
  /** Replaces the default 403 (or 404) response on denial. */
  onDenied?: (ctx: GuardContext, result: GuardResult) => void | Promise<void>;
  /** Time budget of all checks of one request, in milliseconds; defaults to the client's `requestBudgetMs`. */
  budgetMs?: number;
}

/** Returns the resource a request targets. */
export type ResourceResolver = (ctx: GuardContext) => ResourceRef | Promise<ResourceRef>;

/** Guards bound to one check client and subject resolver. */
export interface KoaGuards<P extends string> {
  /** Creates middleware that calls `next` only if the subject has the required permissions on the resource. */
  requirePermission: (requirement: PermissionRequirement<P>, resolveResource: ResourceResolver, options?: GuardResponseOptions) => Middleware<FgakitState>;
}

/** Creates the guards of an app. Errors thrown by resolvers propagate to Koa's error handling. */
export function createGuards<P extends string>(options: KoaGuardOptions<P>): KoaGuards<P> {
  const { checks, resolveSubject, onDenied } = options;
  const budget = options.budgetMs === undefined ? undefined : { budgetMs: options.budgetMs };

  return {
    requirePermission: (requirement, resolveResource, routeOptions) => {
      const responseOptions = prepareGuard(checks, requirement, routeOptions, options);

      const respond = (ctx: GuardContext, next: Next, result: GuardResult): Promise<void> => {
        ctx.state.fgakit = ctx.state.fgakit === undefined ? { decisions: result.decisions } : { decisions: [...ctx.state.fgakit.decisions, ...result.decisions] };
        if (result.outcome === 'allowed') {
          return next();
        }
        if (result.outcome === 'denied' && onDenied !== undefined) {
          return Promise.resolve().then(() => onDenied(ctx, result));
        }

        const response = guardResponse(result, responseOptions);
        ctx.status = response.status;
        ctx.set(response.headers);
        ctx.body = JSON.stringify(response.body);
        return Promise.resolve();
      };

      return function requirePermission(ctx, next) {
        const result = runGuard(checks, ctx.req, () => resolveSubject(ctx), requirement, () => resolveResource(ctx), budget);

        // A cached decision comes back synchronously; only the rest waits.
        return isThenable(result) ? result.then((settled) => respond(ctx, next, settled)) : respond(ctx, next, result);
      };
    },
  };
}

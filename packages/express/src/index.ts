/**
 * Express route guards backed by WorkOS FGA checks. The guard decides nothing
 * itself: `@fgakit/core` checks, and this adapter turns the result into a
 * response or a call to `next`.
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
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  // Express's request type is only extensible through its global namespace.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Decisions of the fgakit guards that ran on this request. */
      fgakit?: { decisions: CheckDecision[] };
    }
  }
}

/** Options of {@link createGuards}. */
export interface ExpressGuardOptions<P extends string> extends GuardResponseOptions {
  checks: CheckClient<P>;
  /** Returns the caller, or undefined when the request is not authenticated (401). */
  resolveSubject: (req: Request) => Subject | undefined | Promise<Subject | undefined>;
  /** Replaces the default 403 (or 404) response on denial. */
  onDenied?: (req: Request, res: Response, next: NextFunction, result: GuardResult) => void | Promise<void>;
  /** Time budget of all checks of one request, in milliseconds; defaults to the client's `requestBudgetMs`. */
  budgetMs?: number;
}

/** Returns the resource a request targets. */
export type ResourceResolver = (req: Request) => ResourceRef | Promise<ResourceRef>;

/** Guards bound to one check client and subject resolver. */
export interface ExpressGuards<P extends string> {
  /** Creates middleware that lets the request through only if the subject has the required permissions on the resource. */
  requirePermission: (requirement: PermissionRequirement<P>, resolveResource: ResourceResolver, options?: GuardResponseOptions) => RequestHandler;
}

/** Creates the guards of an app. */
export function createGuards<P extends string>(options: ExpressGuardOptions<P>): ExpressGuards<P> {
  const { checks, resolveSubject, onDenied } = options;
  const budget = options.budgetMs === undefined ? undefined : { budgetMs: options.budgetMs };

  return {
    requirePermission: (requirement, resolveResource, routeOptions) => {
      const responseOptions = prepareGuard(checks, requirement, routeOptions, options);

      const respond = (req: Request, res: Response, next: NextFunction, result: GuardResult): void => {
        req.fgakit = req.fgakit === undefined ? { decisions: result.decisions } : { decisions: [...req.fgakit.decisions, ...result.decisions] };
        if (result.outcome === 'allowed') {
          next();
          return;
        }
        if (result.outcome === 'denied' && onDenied !== undefined) {
          Promise.resolve()
            .then(() => onDenied(req, res, next, result))
            .catch(next);
          return;
        }

        const response = guardResponse(result, responseOptions);
        res.status(response.status).set(response.headers).send(JSON.stringify(response.body));
      };

      return function requirePermission(req, res, next) {
        const result = runGuard(checks, req, () => resolveSubject(req), requirement, () => resolveResource(req), budget);

        // A cached decision comes back synchronously; only the rest waits.
        if (isThenable(result)) {
          result.then((settled) => respond(req, res, next, settled)).catch(next);
        } else {
          respond(req, res, next, result);
        }
      };
    },
  };
}

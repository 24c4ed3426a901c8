/**
 * Fastify plugin and preHandler guards backed by WorkOS FGA checks.
 * `@fgakit/core` decides; this adapter replies or throws into Fastify's error
 * handling. Importing this module adds `request.fgakit` and the route option
 * `config.fgakit` to Fastify's types.
 *
 * @module
 */
import {
  guardResponse,
  isThenable,
  PROBLEM_CONTENT_TYPE,
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
import type { FastifyPluginCallback, FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerHookHandler } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** Decisions of the fgakit guards that ran on this request; null before any ran. */
    fgakit: { decisions: CheckDecision[] } | null;
  }

  interface FastifyContextConfig {
    /** Guards the route: the plugin appends a preHandler after the route's own. */
    fgakit?: RouteGuard;
  }
}

/** A guard declared in a route's `config.fgakit`. */
export interface RouteGuard<P extends string = string> extends GuardResponseOptions {
  requirement: PermissionRequirement<P>;
  resource: ResourceResolver;
}

/** Returns the resource a request targets. */
export type ResourceResolver = (request: FastifyRequest) => ResourceRef | Promise<ResourceRef>;

/** Options of the plugin and of {@link createGuards}. */
export interface FastifyGuardOptions<P extends string = string> extends GuardResponseOptions {
  checks: CheckClient<P>;
  /** Returns the caller, or undefined when the request is not authenticated (401). */
  resolveSubject: (request: FastifyRequest) => Subject | undefined | Promise<Subject | undefined>;
  /** Replaces the default 403 (or 404) reply on denial. */
  onDenied?: (request: FastifyRequest, reply: FastifyReply, result: GuardResult) => void | Promise<void>;
  /** Time budget of all checks of one request, in milliseconds; defaults to the client's `requestBudgetMs`. */
  budgetMs?: number;
}

/** Guards bound to one check client and subject resolver. */
export interface FastifyGuards<P extends string> {
  /** Creates a preHandler hook that replies unless the subject has the required permissions on the resource. */
  requirePermission: (requirement: PermissionRequirement<P>, resolveResource: ResourceResolver, options?: GuardResponseOptions) => preHandlerHookHandler;
}

/** Creates typed preHandler guards to list in a route's `preHandler` option. */
export function createGuards<P extends string>(options: FastifyGuardOptions<P>): FastifyGuards<P> {
  const { checks, resolveSubject, onDenied } = options;
  const budget = options.budgetMs === undefined ? undefined : { budgetMs: options.budgetMs };

  return {
    requirePermission: (requirement, resolveResource, routeOptions) => {
      const responseOptions = prepareGuard(checks, requirement, routeOptions, options);

      const reject = (reply: FastifyReply, result: Exclude<GuardResult, { outcome: 'allowed' }>): void => {
        const response = guardResponse(result, responseOptions);
        void reply.code(response.status).headers(response.headers).send(JSON.stringify(response.body));
      };

      const respond = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction, result: GuardResult): void => {
        request.fgakit = request.fgakit === null ? { decisions: result.decisions } : { decisions: [...request.fgakit.decisions, ...result.decisions] };
        if (result.outcome === 'allowed') {
          done();
          return;
        }
        if (result.outcome === 'denied' && onDenied !== undefined) {
          // A handler that sends nothing must not leave the request hanging, nor let it through.
          Promise.resolve()
            .then(() => onDenied(request, reply, result))
            .then(() => {
              if (!reply.sent) {
                reject(reply, result);
              }
            }, done);
          return;
        }

        // Replying without calling done ends the request here.
        reject(reply, result);
      };

      return function requirePermission(request, reply, done) {
        const result = runGuard(checks, request.raw, () => resolveSubject(request), requirement, () => resolveResource(request), budget);

        // A cached decision comes back synchronously; only the rest waits.
        if (isThenable(result)) {
          result.then((settled) => respond(request, reply, done, settled)).catch(done);
        } else {
          respond(request, reply, done, result);
        }
      };
    },
  };
}

const plugin: FastifyPluginCallback<FastifyGuardOptions> = (fastify, options, done) => {
  const guards = createGuards(options);
  // Routes (method and URL) whose guard is attached; guard objects may be shared between routes.
  const attached = new Set<string>();
  fastify.decorateRequest('fgakit', null);

  // Routes that declare config.fgakit get the guard appended to their own preHandlers.
  fastify.addHook('onRoute', (route) => {
    const guard = route.config?.fgakit;
    if (guard === undefined) {
      return;
    }

    const preHandler = guards.requirePermission(guard.requirement, guard.resource, guard);
    const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [...existing, preHandler];
    for (const method of [route.method].flat()) {
      attached.add(`${method} ${route.url}`);
    }
  });

  // onRoute misses routes added before the plugin. Hooks reach them, so a
  // route whose guard was never attached fails closed instead of running unguarded.
  fastify.addHook('preHandler', (request, reply, hookDone) => {
    const { config, method, url } = request.routeOptions;
    if (config.fgakit === undefined || attached.has(`${[method].flat().join(',')} ${url ?? ''}`) || attached.has(`${request.method} ${url ?? ''}`)) {
      hookDone();
      return;
    }

    request.log.error({ url: request.routeOptions.url }, '@fgakit/fastify: route declares config.fgakit but was added before the plugin was registered; register the plugin first');
    void reply
      .code(500)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'The route guard is not installed.' }));
  });

  done();
};

/**
 * Fastify plugin that guards every route declaring `config: { fgakit: { requirement, resource } }`.
 * Register it before those routes: a guarded route added earlier fails with a 500 instead of running unguarded.
 */
export const fgakit = fastifyPlugin(plugin, { fastify: '5.x', name: '@fgakit/fastify' });

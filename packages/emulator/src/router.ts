import type { IncomingHttpHeaders } from 'node:http';
import type { State } from './state.js';

/** The request data passed to a route handler. */
export interface RequestContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingHttpHeaders;
  state: State;
}

/** The response a route handler returns, `body` sent as JSON. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route handler. Handlers run synchronously, so each request reads and leaves a consistent state. */
export type Handler = (context: RequestContext) => Reply;

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: Handler;
}

/** A route found for a request. */
export interface RouteMatch {
  pattern: string;
  handler: Handler;
  params: Record<string, string>;
}

/** Splits a path into URL-decoded segments; `undefined` when a segment is malformed. */
export function splitPath(path: string): string[] | undefined {
  const parts = path.split('/').filter((part) => part !== '');
  try {
    return parts.map((part) => decodeURIComponent(part));
  } catch {
    return undefined;
  }
}

/**
 * Matches method and path against patterns such as `/organizations/:id`.
 * A literal segment wins over a parameter at the same position.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): void {
    this.routes.push({ method, pattern, segments: pattern.split('/').filter((part) => part !== ''), handler });
  }

  match(method: string, segments: string[]): RouteMatch | undefined {
    let best: { route: Route; params: Record<string, string>; literals: string } | undefined;
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) {
        continue;
      }

      const params: Record<string, string> = {};
      let literals = '';
      let matched = true;
      for (const [index, segment] of route.segments.entries()) {
        const actual = segments[index] ?? '';
        if (segment.startsWith(':')) {
          params[segment.slice(1)] = actual;
          literals += '0';
        } else if (segment === actual) {
          literals += '1';
        } else {
          matched = false;
          break;
        }
      }

      if (matched && (best === undefined || literals > best.literals)) {
        best = { route, params, literals };
      }
    }
    return best === undefined ? undefined : { pattern: `${method} ${best.route.pattern}`, handler: best.route.handler, params: best.params };
  }
}

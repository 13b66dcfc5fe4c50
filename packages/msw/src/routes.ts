import type { Service } from '@mockstack/core';

/** A route of a REST service: its operation id and how to read a concrete path against its template. */
interface Route {
  id: string;
  method: string;
  pattern: RegExp;
  names: readonly string[];
  /** Static segments rank before parameters, as fastify's router ranks them. */
  rank: number;
}

/** The operation a request is for, with its path parameters. */
export interface RouteMatch {
  operation: string;
  params: Record<string, string>;
}

/**
 * The routes of a REST service as fastify serves them (`/orders/:id`, a trailing `*`), for requests
 * that no server routes: mockstack/msw finds the operation here. HEAD finds GET unless the service
 * declares HEAD itself, as fastify's exposed HEAD routes do.
 */
export class RestRoutes {
  readonly #routes: Route[];

  constructor(service: Service) {
    this.#routes = [...service.operations.values()]
      .map((operation) => routeOf(operation.id, String(operation.meta.method), String(operation.meta.path)))
      .sort((a, b) => b.rank - a.rank);
  }

  find(method: string, path: string): RouteMatch | undefined {
    return this.#find(method, path) ?? (method === 'HEAD' ? this.#find('GET', path) : undefined);
  }

  #find(method: string, path: string): RouteMatch | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = decode(found[index + 1] ?? '');
      });
      return { operation: route.id, params };
    }
    return undefined;
  }
}

function routeOf(id: string, method: string, template: string): Route {
  const names: string[] = [];
  let rank = 0;
  const source = template
    .split('/')
    .map((segment) => {
      if (segment === '*') {
        names.push('*');
        return '(.*)';
      }
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      rank += 1;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { id, method, pattern: new RegExp(`^${source}/?$`), names, rank };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

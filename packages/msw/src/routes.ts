import type { Service } from '@mockstack/core';
import { type CompiledTemplate, compileTemplate, matchTemplate } from '@mockstack/rest/rest-model';

/** A route of a REST service: its operation id and its template compiled for matching. */
interface Route {
  id: string;
  method: string;
  template: CompiledTemplate;
}

/** The operation a request is for, with its path parameters. */
export interface RouteMatch {
  operation: string;
  params: Record<string, string>;
}

/**
 * The routes of a REST service as fastify serves them (`/orders/:id`, `/files/:name.:ext`, a trailing
 * `*`), for requests that no server routes: mockstack/msw finds the operation here. HEAD finds GET
 * unless the service declares HEAD itself, as fastify's exposed HEAD routes do.
 */
export class RestRoutes {
  readonly #routes: Route[];

  constructor(service: Service) {
    this.#routes = [...service.operations.values()]
      .map((operation) => ({ id: operation.id, method: String(operation.meta.method), template: compileTemplate(String(operation.meta.path)) }))
      .sort((a, b) => b.template.rank - a.template.rank);
  }

  find(method: string, path: string): RouteMatch | undefined {
    return this.#find(method, path) ?? (method === 'HEAD' ? this.#find('GET', path) : undefined);
  }

  #find(method: string, path: string): RouteMatch | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const params = matchTemplate(route.template, path);
      if (params) return { operation: route.id, params };
    }
    return undefined;
  }
}

import FindMyWay from 'find-my-way';

/**
 * From this many routes, a REST service routes its operations itself instead of giving fastify one
 * route each: fastify's per-route set-up (a route context, an avvio step, hooks) costs ~1 ms a route,
 * so GitHub's ~1,000 operations took over a second to start; find-my-way alone (fastify's own router)
 * builds them in ~0.1 s. Smaller services keep fastify's routes (one lookup per request, not two).
 */
export const OWN_ROUTING_MIN_ROUTES = 100;

/** A request's operation as the router found it: the route template, its handler and the path parameters. */
export interface RoutedOperation<T> {
  template: string;
  handler: T;
  params: Record<string, string>;
}

/** The routes of a large service, matched as fastify would match them (same router, same options). */
export class OperationRouter<T> {
  // `maxParamLength` as HttpApp gives fastify; the other options are fastify's defaults.
  readonly #router = FindMyWay({ maxParamLength: 2048 });

  add(method: string, template: string, handler: T): void {
    this.#router.on(method as FindMyWay.HTTPMethod, template, () => undefined, { template, handler });
  }

  /**
   * The operation for a request line (`url` may carry a query string), or undefined when no route
   * matches. HEAD without a HEAD route of its own takes the GET route (the server sends no body).
   */
  find(method: string, url: string): RoutedOperation<T> | undefined {
    const found = this.#router.find(method as FindMyWay.HTTPMethod, url) ?? (method === 'HEAD' ? this.#router.find('GET', url) : null);
    if (!found) return undefined;
    const { template, handler } = found.store as { template: string; handler: T };
    return { template, handler, params: found.params as Record<string, string> };
  }
}

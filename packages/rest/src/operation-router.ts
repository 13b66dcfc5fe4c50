import querystring from 'fast-querystring';
import FindMyWay from 'find-my-way';

/**
 * From this many routes, a REST service routes its operations itself instead of giving fastify one
 * route each: fastify's per-route set-up (a route context, an avvio step, hooks) costs ~1 ms a route,
 * so GitHub's ~1,000 operations took over a second to start; find-my-way alone (fastify's own router)
 * builds them in ~0.1 s. Smaller services keep fastify's routes (one lookup per request, not two).
 */
export const OWN_ROUTING_MIN_ROUTES = 100;

/** A request's operation as the router found it: the route template, its handler, the path parameters and the query. */
export interface RoutedOperation<T> {
  template: string;
  handler: T;
  params: Record<string, string>;
  /** The query string parsed as fastify parses it (`request.query`). */
  searchParams: Record<string, string | string[]>;
}

/**
 * The routes of a large service, matched as fastify would match them (same router, same options).
 *
 * Routes without parameters or wildcards (`/orders/ord_1`) are kept in a map instead: find-my-way
 * compiles code for each node and handler it adds, ~35 µs a route (10,000 literal paths were a third
 * of their start-up). A request path that equals one is that route in find-my-way too, which tries
 * static paths first; any other request gets the same answer from the parametric routes alone. Only
 * a path with `%` escapes (decoded before matching) needs every route in one router: that one is
 * built on the first such request.
 */
export class OperationRouter<T> {
  // `maxParamLength` as HttpApp gives fastify; the other options are fastify's defaults.
  readonly #router = newRouter();
  /** By method, then path. */
  readonly #literal = new Map<string, Map<string, { template: string; handler: T }>>();
  readonly #routes: [method: string, template: string, handler: T][] = [];
  #everyRoute: FindMyWay.Instance<FindMyWay.HTTPVersion.V1> | undefined;

  add(method: string, template: string, handler: T): void {
    this.#routes.push([method, template, handler]);
    if (this.#everyRoute) addTo(this.#everyRoute, method, template, handler);
    if (!LITERAL.test(template)) {
      addTo(this.#router, method, template, handler);
      return;
    }
    const paths = this.#literal.get(method) ?? new Map<string, { template: string; handler: T }>();
    this.#literal.set(method, paths);
    paths.set(template, { template, handler });
  }

  /**
   * The operation for a request line (`url` may carry a query string), or undefined when no route
   * matches. HEAD without a HEAD route of its own takes the GET route (the server sends no body).
   */
  find(method: string, url: string): RoutedOperation<T> | undefined {
    return this.#find(method, url) ?? (method === 'HEAD' ? this.#find('GET', url) : undefined);
  }

  #find(method: string, url: string): RoutedOperation<T> | undefined {
    // The path ends where find-my-way ends it: at `?` or `#`.
    let end = url.indexOf('?');
    const hash = url.indexOf('#');
    if (hash !== -1 && (end === -1 || hash < end)) end = hash;
    const path = end === -1 ? url : url.slice(0, end);
    const router = path.includes('%') || !path.startsWith('/') ? this.#withEveryRoute() : this.#router;
    if (router === this.#router) {
      const literal = this.#literal.get(method)?.get(path);
      if (literal) return { template: literal.template, handler: literal.handler, params: {}, searchParams: end === -1 ? {} : queryOf(url.slice(end + 1)) };
    }
    const found = router.find(method as FindMyWay.HTTPMethod, url);
    if (!found) return undefined;
    const { template, handler } = found.store as { template: string; handler: T };
    return { template, handler, params: found.params as Record<string, string>, searchParams: found.searchParams as Record<string, string | string[]> };
  }

  /** One router with every route, literal ones included: what fastify would have (see the class). */
  #withEveryRoute(): FindMyWay.Instance<FindMyWay.HTTPVersion.V1> {
    if (!this.#everyRoute) {
      this.#everyRoute = newRouter();
      for (const [method, template, handler] of this.#routes) addTo(this.#everyRoute, method, template, handler);
    }
    return this.#everyRoute;
  }
}

/** find-my-way's (so fastify's) query parser. */
function queryOf(query: string): Record<string, string | string[]> {
  return query.length === 0 ? {} : (querystring.parse(query) as Record<string, string | string[]>);
}

/** A template find-my-way reads as one static path: no `:param`, no `*`. */
const LITERAL = /^\/[^:*]*$/;

function newRouter(): FindMyWay.Instance<FindMyWay.HTTPVersion.V1> {
  return FindMyWay({ maxParamLength: 2048 });
}

function addTo<T>(router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>, method: string, template: string, handler: T): void {
  router.on(method as FindMyWay.HTTPMethod, template, () => undefined, { template, handler });
}

import FindMyWay from 'find-my-way';
import { queryOf } from './query.js';

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
 * static paths first; any other request gets the same answer from the other routes alone.
 *
 * The other routes are grouped by their first path segment (`/repos/:owner/:repo` under `repos`; one
 * group for those whose first segment has a parameter or wildcard), and a group's router is built on
 * the first request that needs it: GitHub's ~1,000 operations took ~0.2 s to add, before the first
 * request. A request tries the group of its first segment, then that last group: find-my-way tries a
 * static segment before a parametric one at every node, and backtracks to the parametric one only when
 * nothing under the static one matches, so it takes the same route. Only a path with `%` escapes
 * (decoded before matching) needs every route in one router: that one is built on the first such request.
 */
export class OperationRouter<T> {
  /** By method, then path. */
  readonly #literal = new Map<string, Map<string, { template: string; handler: T }>>();
  /** Routes with a parameter or wildcard, by their first path segment (PARAMETRIC_FIRST: it has one). */
  readonly #groups = new Map<string, RouteGroup<T>>();
  /** Every route, literal ones included: what fastify would have (see the class). */
  readonly #everyRoute: RouteGroup<T> = { routes: [], router: undefined };
  /**
   * Whether #everyRoute's router routes every request: a service under OWN_ROUTING_MIN_ROUTES routes is
   * built in ~3 ms on the first request, and one lookup skips the work of picking a group (slicing the
   * path and its first segment, two map lookups: ~1k instructions a request).
   */
  #few = true;
  /** HEAD without a HEAD route of its own takes the GET route (false: as WireMock, it takes none). */
  readonly #headAsGet: boolean;

  constructor({ headAsGet = true }: { headAsGet?: boolean } = {}) {
    this.#headAsGet = headAsGet;
  }

  add(method: string, template: string, handler: T): void {
    const route: Route<T> = [method, template, handler];
    addToGroup(this.#everyRoute, route);
    this.#few = this.#everyRoute.routes.length < OWN_ROUTING_MIN_ROUTES;
    if (!LITERAL.test(template)) {
      const segment = firstSegment(template);
      const key = /[:*]/.test(segment) ? PARAMETRIC_FIRST : segment;
      let group = this.#groups.get(key);
      if (!group) {
        group = { routes: [], router: undefined };
        this.#groups.set(key, group);
      }
      addToGroup(group, route);
      return;
    }
    const paths = this.#literal.get(method) ?? new Map<string, { template: string; handler: T }>();
    this.#literal.set(method, paths);
    paths.set(template, { template, handler });
  }

  /**
   * The operation for a request line (`url` may carry a query string), or undefined when no route
   * matches. HEAD without a HEAD route of its own takes the GET route (the server sends no body), unless
   * made with `headAsGet: false`.
   */
  find(method: string, url: string): RoutedOperation<T> | undefined {
    return this.#find(method, url) ?? (method === 'HEAD' && this.#headAsGet ? this.#find('GET', url) : undefined);
  }

  #find(method: string, url: string): RoutedOperation<T> | undefined {
    if (this.#few) return found(routerOf(this.#everyRoute).find(method as FindMyWay.HTTPMethod, url));
    // The path ends where find-my-way ends it: at `?` or `#`.
    let end = url.indexOf('?');
    const hash = url.indexOf('#');
    if (hash !== -1 && (end === -1 || hash < end)) end = hash;
    const path = end === -1 ? url : url.slice(0, end);
    if (path.includes('%') || !path.startsWith('/')) return found(routerOf(this.#everyRoute).find(method as FindMyWay.HTTPMethod, url));
    const literal = this.#literal.get(method)?.get(path);
    if (literal) return { template: literal.template, handler: literal.handler, params: {}, searchParams: end === -1 ? {} : queryOf(url.slice(end + 1)) };
    const group = this.#groups.get(firstSegment(path));
    return (group && found(routerOf(group).find(method as FindMyWay.HTTPMethod, url))) ?? this.#findParametricFirst(method, url);
  }

  #findParametricFirst(method: string, url: string): RoutedOperation<T> | undefined {
    const group = this.#groups.get(PARAMETRIC_FIRST);
    return group && found(routerOf(group).find(method as FindMyWay.HTTPMethod, url));
  }
}

type Route<T> = [method: string, template: string, handler: T];

/** Routes sharing a first path segment, and their router once a request needed it. */
interface RouteGroup<T> {
  routes: Route<T>[];
  router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1> | undefined;
}

/** The group key of the routes whose first path segment has a parameter or a wildcard (no segment is `/`). */
const PARAMETRIC_FIRST = '/';

/** `repos` of `/repos/octocat/hello-world` (and of `/repos`). */
function firstSegment(path: string): string {
  const slash = path.indexOf('/', 1);
  return slash === -1 ? path.slice(1) : path.slice(1, slash);
}

function addToGroup<T>(group: RouteGroup<T>, route: Route<T>): void {
  group.routes.push(route);
  if (group.router) addTo(group.router, route);
}

/** The group's router, built on first use. */
function routerOf<T>(group: RouteGroup<T>): FindMyWay.Instance<FindMyWay.HTTPVersion.V1> {
  if (!group.router) {
    group.router = newRouter();
    for (const route of group.routes) addTo(group.router, route);
  }
  return group.router;
}

function found<T>(match: FindMyWay.FindResult<FindMyWay.HTTPVersion.V1> | null): RoutedOperation<T> | undefined {
  if (!match) return undefined;
  const { template, handler } = match.store as { template: string; handler: T };
  return { template, handler, params: match.params as Record<string, string>, searchParams: match.searchParams as Record<string, string | string[]> };
}

/** A template find-my-way reads as one static path: no `:param`, no `*`. */
const LITERAL = /^\/[^:*]*$/;

function newRouter(): FindMyWay.Instance<FindMyWay.HTTPVersion.V1> {
  return FindMyWay({ maxParamLength: 2048 });
}

function addTo<T>(router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>, [method, template, handler]: Route<T>): void {
  router.on(method as FindMyWay.HTTPMethod, template, () => undefined, { template, handler });
}

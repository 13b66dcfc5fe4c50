import type { ScenarioDefinition, ServiceDefinition } from '@mockstack/core';
import { isMswRequestHandler, type MswRequestHandler, mswHandlers, rest } from '@mockstack/dsl';

/**
 * The MSW request handlers a module exports instead of a scenario, as an app keeps them
 * (`export const handlers = [http.get(…)]` in src/mocks/handlers.ts, or a default-exported array), or
 * undefined when it exports none.
 */
export function mswHandlersOf(module: Readonly<Record<string, unknown>>): MswRequestHandler[] | undefined {
  for (const exported of [module.handlers, module.default]) {
    if (Array.isArray(exported) && exported.some(isMswRequestHandler)) return exported.filter(isMswRequestHandler);
  }
  return undefined;
}

/**
 * A scenario serving MSW handlers zero-config: one REST service per origin the handlers name
 * (`https://api.example.com/…` → service `api.example.com`, shown the requests as sent there), and a
 * service `msw` for handlers with relative paths (and GraphQL handlers of no particular endpoint),
 * each on a free port. Every service asks all the handlers; each answers only what it matches.
 */
export function mswScenarioOf(name: string, handlers: readonly MswRequestHandler[]): ScenarioDefinition {
  const origins = new Set<string>();
  let anyOrigin = false;
  for (const handler of handlers) {
    const origin = originOf(handler);
    if (origin === undefined) anyOrigin = true;
    else origins.add(origin);
  }
  const services: Record<string, ServiceDefinition> = {};
  if (anyOrigin || origins.size === 0) services.msw = rest({ port: 0 }, mswHandlers(handlers)) as ServiceDefinition;
  for (const origin of origins) {
    const host = new URL(origin).host;
    services[services[host] ? origin : host] = rest({ port: 0 }, mswHandlers(handlers, { origin, name: `msw ${host}` })) as ServiceDefinition;
  }
  return { name, services };
}

/** The origin a handler is written for (`https://api.example.com`), or undefined when it takes any (a relative path, a RegExp, `*`). */
function originOf(handler: MswRequestHandler): string | undefined {
  // An HTTP handler's URL is its `info.path`; a GraphQL handler's (graphql.link) its `endpoint`.
  const url = typeof handler.info.path === 'string' ? handler.info.path : handler.endpoint;
  if (typeof url !== 'string' || !/^https?:\/\/[^*/]+/i.test(url)) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

import type { ScenarioDefinition, ServiceDefinition } from '@mockstack/core';
import { isMswRequestHandler, isMswWebSocketHandler, type MswRequestHandler, type MswWebSocketHandler, mswHandlers, mswWebSocket, rest } from '@mockstack/dsl';

/** An MSW handler a module exports: HTTP and GraphQL (`http`, `graphql`), or WebSocket (`ws.link`). */
type MswHandler = MswRequestHandler | MswWebSocketHandler;

const isMswHandler = (value: unknown): value is MswHandler => isMswRequestHandler(value) || isMswWebSocketHandler(value);

/**
 * The MSW handlers a module exports instead of a scenario, as an app keeps them
 * (`export const handlers = [http.get(…), ws.link(…).addEventListener(…)]` in src/mocks/handlers.ts,
 * or a default-exported array), or undefined when it exports none.
 */
export function mswHandlersOf(module: Readonly<Record<string, unknown>>): MswHandler[] | undefined {
  for (const exported of [module.handlers, module.default]) {
    if (Array.isArray(exported) && exported.some(isMswHandler)) return exported.filter(isMswHandler);
  }
  return undefined;
}

/**
 * A scenario serving MSW handlers zero-config: one REST service per origin the handlers name
 * (`https://api.example.com/…` → service `api.example.com`, shown the requests as sent there; a
 * `wss://chat.example.com` WebSocket link → service `chat.example.com`, its handshakes), and a
 * service `msw` for handlers with relative paths (and GraphQL handlers of no particular endpoint,
 * WebSocket links matching any host), each on a free port. Every service asks all the handlers; each
 * answers only what it matches.
 */
export function mswScenarioOf(name: string, handlers: readonly MswHandler[]): ScenarioDefinition {
  const origins = new Set<string>();
  let anyOrigin = false;
  for (const handler of handlers) {
    const origin = originOf(handler);
    if (origin === undefined) anyOrigin = true;
    else origins.add(origin);
  }
  const services: Record<string, ServiceDefinition> = {};
  // Handshakes only where a WebSocket handler is: a service without one refuses them as before.
  const webSocket = (origin?: string) =>
    handlers.some(isMswWebSocketHandler) ? { webSocket: mswWebSocket(handlers, origin === undefined ? {} : { origin }) } : {};
  if (anyOrigin || origins.size === 0) services.msw = rest({ port: 0, ...webSocket() }, mswHandlers(handlers)) as ServiceDefinition;
  for (const origin of origins) {
    const host = new URL(origin).host;
    services[services[host] ? origin : host] = rest(
      { port: 0, ...webSocket(origin) },
      mswHandlers(handlers, { origin, name: `msw ${host}` }),
    ) as ServiceDefinition;
  }
  return { name, services };
}

/**
 * The origin a handler is written for (`https://api.example.com`; a WebSocket link's `wss://` as
 * `https://`), or undefined when it takes any (a relative path, a RegExp, `*`).
 */
function originOf(handler: MswHandler): string | undefined {
  // An HTTP handler's URL is its `info.path`; a GraphQL handler's (graphql.link) its `endpoint`; a WebSocket handler's its `url`.
  const url = isMswWebSocketHandler(handler)
    ? (handler as { url?: unknown }).url
    : typeof handler.info.path === 'string'
      ? handler.info.path
      : handler.endpoint;
  if (typeof url !== 'string' || !/^(https?|wss?):\/\/[^*/]+/i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'wss:') parsed.protocol = 'https:';
    else if (parsed.protocol === 'ws:') parsed.protocol = 'http:';
    return parsed.origin;
  } catch {
    return undefined;
  }
}

import type { AdminRoute } from '@mockstack/admin';
import type { Stack } from '@mockstack/core';
import { OperationRouter } from '@mockstack/rest/operation-router';
import { type RouteFinder, wiremockAdminRoutes } from '@mockstack/wiremock';

/** WireMock's admin endpoints over a running stack (stub mappings as live rules, its journal and scenarios). */
export function wiremockRoutesOf(stack: Stack): AdminRoute[] {
  return wiremockAdminRoutes(stack, { routeOf: scenarioRouteOf(stack) });
}

/**
 * The scenario's route a request goes to, as the REST server routes it (the router fastify's routes
 * follow): a WireMock stub's literal URL under one of its templates goes to that template's operation.
 */
function scenarioRouteOf(stack: Stack): RouteFinder {
  return (serviceName, method, path) => {
    const service = stack.engine.model.services.get(serviceName);
    if (!service) return undefined;
    const router = new OperationRouter<string>();
    for (const operation of service.operations.values()) router.add(String(operation.meta.method), String(operation.meta.path), operation.id);
    const found = router.find(method, path);
    return found && { operation: found.handler, params: found.params };
  };
}

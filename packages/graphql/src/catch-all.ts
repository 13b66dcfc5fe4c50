import type { RuleDefinition, ServiceDefinition } from '@mockstack/core';

/** The operation id every request is matched on when no operation rule answered it. */
export const ANY_OPERATION = '(any operation)';

/**
 * Adds the rule every request is matched on when no operation rule answered it, so that the
 * service's delay, rate limit and chaos and a variant's fault apply to every request. It answers
 * `undefined`: execute the query against the schema.
 */
export function withCatchAll(service: ServiceDefinition): ServiceDefinition {
  if (service.rules.some((r) => r.operation === ANY_OPERATION)) return service;
  const catchAll: RuleDefinition = { operation: ANY_OPERATION, meta: { kind: 'any' }, respond: undefined, name: 'schema', source: service.source };
  return { ...service, rules: [...service.rules, catchAll] };
}

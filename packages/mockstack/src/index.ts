/**
 * mockstack: mock servers for REST, GraphQL and gRPC from one typed TypeScript scenario.
 *
 * @example
 * import { fault, rest, scenario } from 'mockstack';
 * export default scenario('orders', { state: () => ({ orders: new Map<string, { id: string }>() }) }).services({
 *   orders: rest({ port: 8081 }, [rest.get('/orders/:id', ({ params, state }) => state.orders.get(params.id) ?? fault.notFound())]),
 * });
 */

// Types that the signatures above name, exported so that a user's declaration emit can name them too (TS2742).
export type {
  CoreRequest,
  Headers,
  KIND,
  Model,
  Query,
  Responder,
  Rule,
  RuleDefinition,
  SCENARIO,
  ScenarioDefinition,
  ServiceDefinition,
  ValueMatcher,
} from '@mockstack/core';
export * from '@mockstack/dsl';

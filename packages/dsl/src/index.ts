/**
 * The scenario DSL: small typed factories returning plain data. Scenario authors import these
 * from the `mockstack` package.
 */
export { type Chaos, Code, type DelaySpec, type Fault, type MatchSpec, type RateLimit, type Reply, type Sequence } from '@mockstack/core';
export type { Collection, CrudOptions } from './crud.js';
export { type FaultInit, fault } from './fault.js';
export {
  type FieldResolver,
  type FieldRuleOptions,
  type GraphqlArgs,
  type GraphqlContext,
  type GraphqlOptions,
  type GraphqlResolvers,
  graphql,
  type MockContext,
  type MockDefinition,
  type OperationContext,
  type OperationResponder,
  type OperationRuleOptions,
} from './graphql.js';
export {
  type Duration,
  type GrpcContext,
  type GrpcHandler,
  type GrpcOptions,
  type GrpcResponder,
  type GrpcServices,
  grpc,
  type Message,
  type MethodOptions,
  type Pause,
  type StreamInit,
} from './grpc.js';
export { type ReplyInit, respond, sequence } from './respond.js';
export { type PathParams, type RestContext, type RestOptions, type RestResponder, type RouteOptions, rest } from './rest.js';
export {
  type Overlay,
  type RuleBehaviour,
  type RuleOf,
  type Scenario,
  type ScenarioOptions,
  type ServiceBehaviour,
  type ServiceOf,
  type StaticResponse,
  scenario,
} from './scenario.js';

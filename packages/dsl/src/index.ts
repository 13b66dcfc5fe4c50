/**
 * The scenario DSL: small typed factories returning plain data. Scenario authors import these
 * from the `mockstack` package.
 */
export {
  bodyText,
  type Chaos,
  Code,
  type CorsOptions,
  type DelaySpec,
  type Fault,
  type Http2Setting,
  type MatchSpec,
  type RateLimit,
  type Reply,
  type Sequence,
  type TlsFiles,
  type TlsSetting,
  type Webhook,
} from '@mockstack/core';
export type {
  Contracts,
  Exact,
  ExactResponder,
  GraphqlFieldContract,
  GraphqlOperationContract,
  GrpcMethodContract,
  NotInContract,
  OpenApiOperationContract,
  StreamReply,
  TypedReply,
} from './contracts.js';
export type { Collection, CrudOptions } from './crud.js';
export { type DribbleInit, type FaultInit, fault } from './fault.js';
export {
  type FieldResolver,
  type FieldRuleOptions,
  type GraphqlArgs,
  type GraphqlContext,
  type GraphqlFieldName,
  type GraphqlOperationName,
  type GraphqlOptions,
  type GraphqlResolvers,
  type GraphqlRuleOf,
  type GraphqlSchemaName,
  type GraphqlStream,
  graphql,
  type MockContext,
  type MockDefinition,
  type OperationContext,
  type OperationKind,
  type OperationResponder,
  type OperationRuleOptions,
  type Publish,
  type SubscriptionAnswer,
  type SubscriptionContext,
  type SubscriptionEvent,
  type SubscriptionFieldName,
  type SubscriptionResponder,
  type SubscriptionStreamInit,
  type TypedFieldResponder,
  type TypedOperationResponder,
  type TypedResolvers,
} from './graphql.js';
export {
  type Duration,
  type GrpcAnswer,
  type GrpcContext,
  type GrpcHandler,
  type GrpcMethodName,
  type GrpcMethodResponder,
  type GrpcMethodsOf,
  type GrpcOptions,
  type GrpcResponder,
  type GrpcServiceName,
  type GrpcServices,
  grpc,
  type Message,
  type MethodOptions,
  type Pause,
  type StreamInit,
} from './grpc.js';
export { isMswRequestHandler, type MswHandlersOptions, type MswRequestHandler, mswHandlers } from './msw-handlers.js';
export { isMswWebSocketHandler, type MswWebSocketHandler, type MswWebSocketOptions, mswWebSocket } from './msw-websocket.js';
export { fallThrough, type ReplyInit, respond, sequence, type WebhookInit, webhook } from './respond.js';
export {
  type OpenApiDocumentName,
  type OperationId,
  type PathParams,
  type ProxyOptions,
  type RestContext,
  type RestOperationAnswer,
  type RestOperationContext,
  type RestOperationResponder,
  type RestOptions,
  type RestResponder,
  type RestRuleOf,
  type RouteOptions,
  type RoutePath,
  type RouteResponder,
  rest,
} from './rest.js';
export {
  type HttpServiceOptions,
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
export { type SseEvent, type SseInit, type SseItem, sse } from './sse.js';
export { type TemplateAnswer, template } from './template.js';

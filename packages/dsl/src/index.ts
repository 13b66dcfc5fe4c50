/**
 * The scenario DSL: small typed factories returning plain data. Scenario authors import these
 * from the `mockstack` package.
 */
export { Code, type DelaySpec, type Fault, type MatchSpec, type Reply, type Sequence } from '@mockstack/core';
export { type FaultInit, fault } from './fault.js';
export { type ReplyInit, respond, sequence } from './respond.js';
export { type PathParams, type RestContext, type RestOptions, type RestResponder, type RouteOptions, rest } from './rest.js';
export { type Overlay, type RuleOf, type Scenario, type ScenarioOptions, type ServiceOf, scenario } from './scenario.js';

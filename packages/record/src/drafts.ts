/**
 * What a scenario written by `record` or `import` says, before it is code: services with rules
 * whose matchers and answers are plain data. Recorded exchanges and every importer produce these;
 * `emitScenario` writes them as a typed scenario module.
 */

import type { StubAnswer, StubMatch } from '@mockstack/wiremock';

export type { BodyCondition, MatchValue, TextTest } from '@mockstack/wiremock';

/** What a request must have: path parameters, query, headers, and the body (the shape WireMock's stubs are read into). */
export type MatchDraft = StubMatch;

/** One HTTP answer: status, headers, body (JSON value or text), delay, connection fault, dribble, template. */
export type HttpAnswer = StubAnswer;

/** A rule of a REST service. Several answers answer in turn (a sequence, the last one repeating). */
export interface RestRuleDraft {
  method: string;
  /** A path template (`/users/:id`) or literal path. */
  path: string;
  match?: MatchDraft;
  answers: HttpAnswer[];
  whenState?: Record<string, string>;
  setState?: Record<string, string>;
  /** A line written above the rule (where it comes from). */
  note?: string;
}

/** A json-server collection served by `rest.crud` over the scenario's state, answering lists as json-server does. */
export interface CrudDraft {
  /** Route of the collection, e.g. `/posts`. */
  path: string;
  /** The key in the scenario's state. */
  key: string;
  records: unknown[];
}

export interface RestServiceDraft {
  protocol: 'rest';
  name: string;
  rules: RestRuleDraft[];
  crud?: CrudDraft[];
  /** Plain data served as is (json-server's singular resources): path → value. */
  singletons?: Record<string, unknown>;
  /** json-server: the db.json (absolute) that changes to the collections are written back to. */
  writeBack?: string;
  /** The port to serve on (an imposter's), instead of the next free one of the written scenario. */
  port?: number;
  /** Served over TLS (an https imposter). */
  tls?: boolean;
  /** A Mountebank imposter (http/https, checked) whose stubs the service serves with `mountebank.rules`. */
  mountebank?: Record<string, unknown>;
}

export interface GraphqlOperationDraft {
  kind: 'query' | 'mutation';
  name: string;
  match?: MatchDraft;
  /** `data` of each answer in turn. */
  answers: unknown[];
}

export interface GraphqlServiceDraft {
  protocol: 'graphql';
  name: string;
  /** The schema's SDL, written to `schemas/<name>.graphql` under the project root. */
  sdl: string;
  /** Endpoint path (default `/graphql`). */
  path?: string;
  operations: GraphqlOperationDraft[];
}

export interface GrpcAnswer {
  /** `OK`, or a status code name (`NOT_FOUND`). */
  status: string;
  message?: string;
  /** Messages sent back: one for unary and client streaming, several for server streaming. */
  messages: unknown[];
}

export interface GrpcRuleDraft {
  /** `pkg.Service/Method`. */
  method: string;
  streaming: boolean;
  match?: MatchDraft;
  answers: GrpcAnswer[];
}

export interface GrpcServiceDraft {
  protocol: 'grpc';
  name: string;
  /** The proto file (absolute path). */
  proto: string;
  includeDirs?: string[];
  rules: GrpcRuleDraft[];
}

export type ServiceDraft = RestServiceDraft | GraphqlServiceDraft | GrpcServiceDraft;

/** A scenario to write: services, WireMock-style state machines, and what could not be translated. */
export interface ScenarioDraft {
  services: ServiceDraft[];
  /** State machines (name → states, the first is the start). */
  machines?: Record<string, string[]>;
  /** Each thing the source had that the scenario does not say, in words. */
  untranslated: string[];
}

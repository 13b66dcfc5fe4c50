/**
 * What a scenario written by `record` or `import` says, before it is code: services with rules
 * whose matchers and answers are plain data. Recorded exchanges and every importer produce these;
 * `emitScenario` writes them as a typed scenario module.
 */

/** A value a matcher compares with: equal to it, or (a `{ regex }`) matching the pattern. */
export type MatchValue = string | number | boolean | null | { regex: string; flags?: string };

export interface MatchDraft {
  /** Path parameters, e.g. `'*'` of a wildcard route. */
  params?: Record<string, MatchValue>;
  query?: Record<string, MatchValue>;
  headers?: Record<string, MatchValue>;
  /** Partial match on the JSON body (or GraphQL variables, gRPC message). */
  body?: unknown;
  /** The body must equal this value exactly. */
  bodyEquals?: unknown;
  /** Conditions on the body's text or on a value at a path in its JSON (WireMock's contains, matches, matchesJsonPath). */
  bodyConditions?: BodyCondition[];
}

/** A test of a string: it holds, matches (a whole-text regex), or does not match. */
export type TextTest = { contains: string } | { matches: string } | { doesNotMatch: string } | { equalTo: string };

/** A condition on the body: on its text, or on the value at `path` in its JSON (present, or passing a test). */
export type BodyCondition = { text: TextTest } | { path: (string | number)[]; test?: TextTest; absent?: boolean };

/** One HTTP answer: status, headers, body (JSON value or text). */
export interface HttpAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How long to wait before answering: milliseconds, a uniform range, or a long-tailed (lognormal) spread. */
  delay?: number | { min: number; max: number } | { median: number; sigma: number };
  /** The connection fails instead of answering: reset, closed empty, or cut by a malformed chunk after half the body. */
  fault?: 'drop' | 'empty' | 'malformedChunk';
  /** The body arrives in `chunks` pieces spread over `overMs`. */
  dribble?: { chunks: number; overMs: number };
  /** The body's strings and the header values are response templates, rendered per request (WireMock's response-template). */
  template?: boolean;
}

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

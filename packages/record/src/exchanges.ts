import { isDeepStrictEqual } from 'node:util';
import { Redactor, type RedactSetting } from '@mockstack/core';
import { Kind, parse } from 'graphql';
import type {
  GraphqlOperationDraft,
  GraphqlServiceDraft,
  GrpcAnswer,
  GrpcRuleDraft,
  GrpcServiceDraft,
  HttpAnswer,
  MatchDraft,
  RestRuleDraft,
  RestServiceDraft,
  ScenarioDraft,
  ServiceDraft,
} from './drafts.js';

/** One HTTP request and its answer, as recorded (or read from a HAR). */
export interface HttpExchange {
  protocol: 'http';
  /** The service it belongs to (the recorded target's name). */
  service: string;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-cased names. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or text; undefined without a body. */
  body?: unknown;
  response: HttpAnswer;
}

/** One gRPC call and its answer, messages decoded by the proto. */
export interface GrpcExchange {
  protocol: 'grpc';
  service: string;
  proto: string;
  includeDirs?: string[];
  /** `pkg.Service/Method`. */
  method: string;
  /** The server answers with a stream. */
  responseStreaming: boolean;
  /** The client sends a stream: `request` is then the list of messages. */
  requestStreaming: boolean;
  metadata: Record<string, string | string[] | undefined>;
  request: unknown;
  response: GrpcAnswer;
}

export type Exchange = HttpExchange | GrpcExchange;

export interface DraftOptions {
  /** Secrets kept out besides the defaults, or `false` for none. */
  redact?: RedactSetting | undefined;
  /** Per HTTP service: the schema SDL of its GraphQL endpoint (path → SDL), which makes its GraphQL exchanges a GraphQL service. */
  graphqlSchemas?: ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;
}

/**
 * Turns exchanges into scenario drafts: per service and operation, one rule per distinct request,
 * matching only on what varied between that operation's requests (query parameters, top-level body
 * fields, GraphQL variables, gRPC message fields); requests alike but answered differently become a
 * sequence, in the order they were made. Secrets the requests carried are blanked in the answers.
 */
export function draftsFromExchanges(exchanges: readonly Exchange[], options: DraftOptions = {}): ScenarioDraft {
  const redactor = new Redactor(options.redact);
  const untranslated: string[] = [];
  const services: ServiceDraft[] = [];
  const byService = new Map<string, Exchange[]>();
  for (const exchange of exchanges) byService.set(exchange.service, [...(byService.get(exchange.service) ?? []), exchange]);
  for (const [name, list] of byService) {
    const http = list.filter((e): e is HttpExchange => e.protocol === 'http');
    const grpc = list.filter((e): e is GrpcExchange => e.protocol === 'grpc');
    if (grpc.length) services.push(grpcService(name, grpc));
    if (http.length) services.push(...httpServices(name, http, redactor, options.graphqlSchemas?.get(name), untranslated));
  }
  return { services, untranslated };
}

function httpServices(
  name: string,
  exchanges: readonly HttpExchange[],
  redactor: Redactor,
  schemas: ReadonlyMap<string, string> | undefined,
  untranslated: string[],
): ServiceDraft[] {
  const rest: HttpExchange[] = [];
  const graphql = new Map<string, { exchange: HttpExchange; operation: GraphqlOperationCall }[]>();
  for (const exchange of exchanges) {
    const sdl = schemas?.get(exchange.path);
    const operation = sdl ? graphqlCall(exchange) : undefined;
    if (!sdl || !operation) rest.push(exchange);
    else if ('problem' in operation) untranslated.push(`${exchange.method} ${exchange.path}: ${operation.problem}; left out`);
    else graphql.set(exchange.path, [...(graphql.get(exchange.path) ?? []), { exchange, operation }]);
  }
  const drafts: ServiceDraft[] = [];
  if (rest.length) drafts.push(restService(name, rest, redactor));
  for (const [path, calls] of graphql) {
    const draft: GraphqlServiceDraft = {
      protocol: 'graphql',
      name: graphql.size > 1 || rest.length ? `${name}-graphql` : name,
      sdl: schemas?.get(path) ?? '',
      path,
      operations: [],
    };
    for (const group of groupBy(calls, (c) => `${c.operation.kind} ${c.operation.name}`)) {
      const first = group[0];
      if (!first) continue;
      const rules = rulesOf(
        group.map((c) => ({ request: { body: c.operation.variables }, answer: c.operation.data })),
        (a, b) => isDeepStrictEqual(a, b),
      );
      for (const rule of rules) {
        const operation: GraphqlOperationDraft = { kind: first.operation.kind, name: first.operation.name, answers: rule.answers };
        // GraphQL rules match on `variables`, written in the draft's `body`.
        if (rule.match.body !== undefined) operation.match = { body: rule.match.body };
        draft.operations.push(operation);
      }
      for (const c of group)
        if (c.operation.errors)
          untranslated.push(`${first.operation.kind} ${first.operation.name}: the answer's errors (${c.operation.errors}) are not reproduced, only its data`);
    }
    drafts.push(draft);
  }
  return drafts;
}

function restService(name: string, exchanges: readonly HttpExchange[], redactor: Redactor): RestServiceDraft {
  const rules: RestRuleDraft[] = [];
  for (const group of groupBy(exchanges, (e) => `${e.method} ${e.path}`)) {
    const first = group[0];
    if (!first) continue;
    const requests = group.map((e) => ({
      request: { query: redactor.query(e.query), body: e.body },
      answer: scrub(redactor, e),
    }));
    for (const rule of rulesOf(requests, sameAnswer)) {
      rules.push({ method: first.method, path: first.path, ...(hasMatch(rule.match) && { match: rule.match }), answers: rule.answers });
    }
  }
  return { protocol: 'rest', name, rules };
}

function grpcService(name: string, exchanges: readonly GrpcExchange[]): GrpcServiceDraft {
  const first = exchanges[0] as GrpcExchange;
  const rules: GrpcRuleDraft[] = [];
  for (const group of groupBy(exchanges, (e) => e.method)) {
    const head = group[0] as GrpcExchange;
    for (const rule of rulesOf(
      group.map((e) => ({ request: { body: e.request }, answer: e.response })),
      (a, b) => isDeepStrictEqual(a, b),
    )) {
      rules.push({
        method: head.method,
        streaming: head.responseStreaming,
        ...(rule.match.body !== undefined && { match: { body: rule.match.body } }),
        answers: rule.answers,
      });
    }
  }
  return { protocol: 'grpc', name, proto: first.proto, ...(first.includeDirs && { includeDirs: first.includeDirs }), rules };
}

/** The secrets a request carried, blanked wherever its answer repeats them (as the journal does). */
function scrub(redactor: Redactor, exchange: HttpExchange): HttpAnswer {
  const carrier = {
    protocol: 'rest',
    service: exchange.service,
    operation: `${exchange.method} ${exchange.path}`,
    params: {},
    query: exchange.query,
    headers: exchange.headers,
    body: exchange.body,
    target: exchange.path,
    state: undefined,
    call: 0,
  };
  const written = redactor.request(carrier);
  const answer = redactor.answer({ headers: exchange.response.headers, body: exchange.response.body }, written === carrier ? undefined : carrier);
  return { ...exchange.response, ...(answer?.body !== undefined && { body: answer.body }) };
}

function sameAnswer(a: HttpAnswer, b: HttpAnswer): boolean {
  return a.status === b.status && isDeepStrictEqual(a.body, b.body) && a.headers?.['content-type'] === b.headers?.['content-type'];
}

interface Observed<Answer> {
  request: { query?: Record<string, string | string[] | undefined>; body?: unknown };
  answer: Answer;
}

/**
 * One rule per distinct request of an operation: the match holds only what varied between the
 * operation's requests; alike requests with different answers answer in turn. Rules that say more
 * come first, so a request missing a varying part falls to the rule that does not ask for it.
 */
function rulesOf<Answer>(observed: readonly Observed<Answer>[], same: (a: Answer, b: Answer) => boolean): { match: MatchDraft; answers: Answer[] }[] {
  const queryKeys = varying(observed.map((o) => o.request.query ?? {}));
  const bodies = observed.map((o) => o.request.body);
  const objectBodies = bodies.every((b) => b === undefined || isRecord(b));
  const bodyKeys = objectBodies ? varying(bodies.map((b) => (b ?? {}) as Record<string, unknown>)) : undefined;
  const wholeBody = !objectBodies && bodies.some((b) => !isDeepStrictEqual(b, bodies[0]));
  const rules = new Map<string, { match: MatchDraft; answers: Answer[]; size: number }>();
  for (const { request, answer } of observed) {
    const match: MatchDraft = {};
    const query = pick(request.query ?? {}, queryKeys);
    if (Object.keys(query).length) match.query = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    if (bodyKeys && isRecord(request.body)) {
      const body = pick(request.body, bodyKeys);
      if (Object.keys(body).length) match.body = body;
    }
    if (wholeBody && request.body !== undefined) match.bodyEquals = request.body;
    const key = JSON.stringify(match);
    const rule = rules.get(key) ?? {
      match,
      answers: [],
      size: Object.keys(query).length + (match.body ? Object.keys(match.body as object).length : 0) + (match.bodyEquals !== undefined ? 1 : 0),
    };
    rules.set(key, rule);
    rule.answers.push(answer);
  }
  for (const { answers } of rules.values()) {
    // A sequence repeats its last step: trailing repeats of it add nothing.
    while (answers.length > 1 && same(answers[answers.length - 1] as Answer, answers[answers.length - 2] as Answer)) answers.pop();
  }
  return [...rules.values()].sort((a, b) => b.size - a.size).map(({ match, answers }) => ({ match, answers }));
}

/** The keys whose values are not the same in every record (missing counts as a value). */
function varying(records: readonly Record<string, unknown>[]): Set<string> {
  const keys = new Set(records.flatMap((r) => Object.keys(r)));
  const out = new Set<string>();
  for (const key of keys) if (records.some((r) => !isDeepStrictEqual(r[key], records[0]?.[key]))) out.add(key);
  return out;
}

function pick<T>(record: Record<string, T>, keys: ReadonlySet<string>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => keys.has(k)));
}

function hasMatch(match: MatchDraft): boolean {
  return Object.keys(match).length > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

interface GraphqlOperationCall {
  kind: 'query' | 'mutation';
  name: string;
  variables: Record<string, unknown> | undefined;
  data: unknown;
  errors?: string;
}
type GraphqlCall = GraphqlOperationCall | { problem: string };

/** A GraphQL request over HTTP (POST JSON or GET with `query`), or undefined when it is not one. */
function graphqlCall(exchange: HttpExchange): GraphqlCall | undefined {
  const source = exchange.method === 'GET' ? exchange.query : isRecord(exchange.body) ? exchange.body : undefined;
  const text = source?.query;
  if (typeof text !== 'string') return undefined;
  let document: ReturnType<typeof parse>;
  try {
    document = parse(text);
  } catch (error) {
    return { problem: `a GraphQL request that does not parse (${(error as Error).message})` };
  }
  const wanted = typeof source?.operationName === 'string' ? source.operationName : undefined;
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = wanted ? operations.find((o) => o.name?.value === wanted) : operations[0];
  if (!operation) return { problem: `no operation ${wanted ?? ''} in the GraphQL request` };
  if (!operation.name) return { problem: 'an anonymous GraphQL operation (rules name operations: give it a name)' };
  if (operation.operation === 'subscription') return { problem: `subscription ${operation.name.value} (not recorded)` };
  let variables: unknown = source?.variables;
  if (typeof variables === 'string') {
    try {
      variables = JSON.parse(variables);
    } catch {
      variables = undefined;
    }
  }
  const response = isRecord(exchange.response.body) ? exchange.response.body : {};
  const errors =
    Array.isArray(response.errors) && response.errors.length ? response.errors.map((e) => (isRecord(e) ? String(e.message) : String(e))).join('; ') : undefined;
  return {
    kind: operation.operation,
    name: operation.name.value,
    variables: isRecord(variables) ? variables : undefined,
    data: response.data ?? null,
    ...(errors !== undefined && { errors }),
  };
}

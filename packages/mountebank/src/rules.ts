import type { CoreRequest, HandlerContext, RuleDefinition } from '@mockstack/core';
import { rest } from '@mockstack/dsl';
import { answerOf, responseCycle } from './answers.js';
import { MountebankInvalid } from './errors.js';
import { checkImposter, type MountebankImposter, type MountebankIs, type MountebankStub } from './imposter.js';
import { type MountebankRequest, meetsAll } from './predicates.js';
import type { MountebankProxy, ProxiedAnswer } from './proxy-recording.js';
import { mountebankRequestOf } from './request.js';

/** A route of a REST service: its operation id, method and route path (`/orders/:id`). */
export interface ServiceRoute {
  operation: string;
  method: string;
  path: string;
}

/** An imposter as JSON gives it (a file, a fixture): checked when the rules are made, so any object is taken. */
export interface ImposterInput {
  readonly protocol?: string;
  readonly port?: number;
  readonly name?: string;
  readonly stubs?: readonly object[];
  readonly defaultResponse?: object;
  readonly recordRequests?: boolean;
  readonly [key: string]: unknown;
}

/** What `imposterRules` takes besides the imposter. */
export interface ImposterRulesOptions {
  /**
   * The routes the service already has (a scenario's): each stub is tried on each of them too, since
   * the REST server sends a request to the route that takes it. Default none (a service of its own).
   */
  routes?: readonly ServiceRoute[] | undefined;
  /** Called with each request the imposter answers (its count and saved requests). */
  onRequest?: ((request: MountebankRequest, stub: number | undefined) => void) | undefined;
  /**
   * Keeps what a recording proxy (`proxyOnce`, `proxyAlways`) of a stub got for a request, as new stubs
   * (the live `/imposters` API). Without it, such proxies are refused (a scenario has nowhere to keep them).
   */
  onRecord?: ((recorded: ProxyRecording) => void) | undefined;
}

/** What a recording proxy got: the stub it is a response of (and its index), the request sent on and the answer. */
export interface ProxyRecording {
  stub: MountebankStub;
  index: number;
  proxy: MountebankProxy;
  request: MountebankRequest;
  answer: ProxiedAnswer;
}

/** The methods an imposter answers: every stub is tried for each (its predicates decide). */
export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/**
 * A Mountebank imposter's stubs as the rules of a REST service, with Mountebank's meaning: the stubs
 * are tried in order and the first whose predicates all hold answers; a stub's responses answer in
 * turn, round-robin (`repeat` repeats one); a request no stub takes gets the `defaultResponse` (200 and
 * no body when there is none). Throws MountebankInvalid listing everything it cannot honour.
 *
 * @example
 * orders: rest({ port: 4545 }, mountebank.rules({ protocol: 'http', stubs: [
 *   { predicates: [{ equals: { method: 'GET', path: '/orders/1' } }], responses: [{ is: { statusCode: 200, body: { id: 1 } } }] },
 * ] }))
 */
export function imposterRules(input: ImposterInput, options: ImposterRulesOptions = {}): RuleDefinition[] {
  const check = checkImposter({ ...input, protocol: input.protocol ?? 'http' }, undefined, { records: options.onRecord !== undefined });
  const errors = [...check.errors, ...[...check.stubs.values()].flat()];
  if (errors.length) throw new MountebankInvalid(errors);
  const imposter = input as unknown as MountebankImposter;
  const label = `mountebank${imposter.port ? ` ${imposter.port}` : ''}`;
  const rules: RuleDefinition[] = [];
  (imposter.stubs ?? []).forEach((stub, i) => {
    rules.push(...stubRules(stub, i, label, imposter.defaultResponse, options));
  });
  const answerDefault = (ctx: HandlerContext) => {
    options.onRequest?.(mountebankRequestOf(ctx), undefined);
    return answerOf({ is: {} }, ctx, mountebankRequestOf(ctx), imposter.defaultResponse);
  };
  rules.push(...onEveryRoute(`${label} default response`, undefined, answerDefault, options.routes));
  return rules;
}

function stubRules(
  stub: MountebankStub,
  index: number,
  label: string,
  defaultResponse: MountebankIs | undefined,
  options: ImposterRulesOptions,
): RuleDefinition[] {
  const predicates = stub.predicates ?? [];
  const cycle = responseCycle(stub.responses);
  // Mountebank's cycle is the stub's, whatever method or route took the request.
  let next = 0;
  const answer = (ctx: HandlerContext) => {
    const request = mountebankRequestOf(ctx);
    options.onRequest?.(request, index);
    const response = cycle[next % cycle.length] ?? { is: {} };
    next += 1;
    const { proxy } = response;
    const record = options.onRecord && proxy ? (answer: ProxiedAnswer) => options.onRecord?.({ stub, index, proxy, request, answer }) : undefined;
    return answerOf(response, ctx, request, defaultResponse, record);
  };
  const when = predicates.length ? (request: CoreRequest) => meetsAll(predicates, mountebankRequestOf(request)) : undefined;
  return onEveryRoute(`${label} stub ${index}`, when, answer, options.routes);
}

/** One rule per method on the service's routes of that method and on `/*` (every path the routes leave). */
function onEveryRoute(
  name: string,
  when: ((request: CoreRequest) => boolean) | undefined,
  responder: (ctx: HandlerContext) => unknown,
  routes: readonly ServiceRoute[] = [],
): RuleDefinition[] {
  const rules: RuleDefinition[] = [];
  for (const method of METHODS) {
    const own = routes.filter((route) => route.method === method);
    const targets: { path: string; operation?: string }[] = own.map((route) => ({ path: route.path, operation: route.operation }));
    if (!own.some((route) => route.path === '/*')) targets.push({ path: '/*' });
    for (const target of targets) {
      const rule = rest.route(method, target.path, { name, ...(when && { match: { when } }) }, responder);
      rules.push(target.operation ? { ...rule, operation: target.operation } : rule);
    }
  }
  return rules;
}

import { type Adapter, Code, type CoreRequest, type Fault, isFault, type MissReport, makeFault, type Outcome, type Rule, type Service } from '@mockstack/core';
import { unsendable, unsendableBody } from '@mockstack/http/answer-check';
import type { ContractResponder } from './openapi-info.js';
import { OPENAPI_INFO } from './openapi-info.js';
import { type CompiledTemplate, compileTemplate, matchTemplate, validateRestService } from './path-template.js';

export { type CompiledTemplate, compileTemplate, matchTemplate } from './path-template.js';

// The transport-neutral half of the REST adapter: what a service declares and how an outcome
// reads as HTTP. The fastify server (rest-adapter.ts) and mockstack/msw share it.

/** Turns a REST service as written into the one to compile (one route per OpenAPI operation). */
export const expandRest: NonNullable<Adapter['expand']> = async (service, context) =>
  // OpenAPI support (ajv, yaml, $ref bundling) loads only for services that use it: it is a large part of start-up.
  typeof service.config?.openapi === 'string' || service.rules.some((r) => typeof r.meta?.operationId === 'string')
    ? (await import('./openapi-expand.js')).expandOpenApi(service, context)
    : service;

/** Compile-time checks of a REST service: path templates, and variants against its OpenAPI document. */
export const validateRest: NonNullable<Adapter['validate']> = async (service, model) => [
  ...validateRestService(service, model),
  ...(service.config[OPENAPI_INFO] ? (await import('./openapi-expand.js')).validateOpenApiVariants(service, model) : []),
];

/** Per operation id, the service's OpenAPI answers, if it has a document. */
export function contractsOf(service: Service): ReadonlyMap<string, ContractResponder> | undefined {
  return (service.config[OPENAPI_INFO] as { contract?: ReadonlyMap<string, ContractResponder> } | undefined)?.contract;
}

/** The OpenAPI document's answer when no rule answered. */
export function contractAnswer(core: CoreRequest, url: URL, rule: Rule, contract: ContractResponder | undefined): Exclude<Outcome, { kind: 'fallback' }> {
  if (!contract) return { kind: 'fault', rule, fault: makeFault(Code.Unimplemented, `${core.operation} has no contract answer`) };
  try {
    const answer = contract(core, url);
    return isFault(answer) ? { kind: 'fault', rule, fault: answer } : { kind: 'reply', rule, reply: answer };
  } catch (error) {
    return {
      kind: 'fault',
      rule,
      fault: makeFault(Code.Internal, `the contract answer of ${core.operation} failed: ${error instanceof Error ? error.message : String(error)}`),
    };
  }
}

/**
 * The methods documented for a concrete path (`/v2/rates/abc` → GET, PUT), for a 405 on the
 * others. Matched only for requests no route took, so a scan of the templates is fine.
 */
export function documentedMethods(service: Service): (path: string) => string[] {
  // Compiled on the first request no route answers: Microsoft Graph's 7,400 paths took ~0.1 s of each start.
  let compiled: Map<string, { template: CompiledTemplate; methods: Set<string> }> | undefined;
  return (path) => {
    compiled ??= methodTemplates(service);
    const methods = new Set<string>();
    for (const { template, methods: own } of compiled.values()) if (matchTemplate(template, path)) for (const m of own) methods.add(m);
    return [...methods].sort();
  };
}

function methodTemplates(service: Service): Map<string, { template: CompiledTemplate; methods: Set<string> }> {
  const templates = new Map<string, { template: CompiledTemplate; methods: Set<string> }>();
  for (const operation of service.operations.values()) {
    const route = String(operation.meta.path);
    let entry = templates.get(route);
    if (!entry) {
      entry = { template: compileTemplate(route), methods: new Set() };
      templates.set(route, entry);
    }
    entry.methods.add(String(operation.meta.method));
    if (operation.meta.method === 'GET') entry.methods.add('HEAD');
  }
  return templates;
}

/** The body of a fault answered over HTTP: its own, or `{ error: { code, message, details } }`. */
export function faultBody(fault: Fault): unknown {
  return fault.body !== undefined
    ? fault.body
    : { error: { code: fault.code, message: fault.message, ...(fault.details !== undefined && { details: fault.details }) } };
}

/**
 * What an unmatched request is answered with: 404, the near-miss report, and a header that says so; the
 * report as JSON, or with `text` in plain text (as WireMock answers one).
 */
export function unmatchedAnswer(miss: MissReport, text = false): { status: 404; headers: Record<string, string>; body: unknown } {
  if (!text) return { status: 404, headers: { 'x-mockstack-unmatched': '1' }, body: { error: { code: 'UNMATCHED', ...miss } } };
  return { status: 404, headers: { 'x-mockstack-unmatched': '1', 'content-type': 'text/plain; charset=utf-8' }, body: missText(miss) };
}

/** A near-miss report as text: what missed, the nearest rule with what it wanted and what missed, the rules tried, the hint. */
function missText({ message, nearest, candidates, hint }: MissReport): string {
  const lines = ['Request was not matched', '', message];
  if (nearest) {
    lines.push('', `Nearest: ${nearest.rule}${nearest.source ? ` (${nearest.source})` : ''}`);
    for (const wanted of nearest.wanted) lines.push(`  wants  ${wanted}`);
    for (const missed of nearest.missed) lines.push(`  missed ${missed}`);
  }
  if (candidates.length) lines.push('', 'Tried:', ...candidates.map((candidate) => `  ${candidate}`));
  lines.push('', hint, '');
  return lines.join('\n');
}

/** Why a documented path does not take a method: the 405 problem body, and the message the journal keeps. */
export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): { message: string; body: unknown } {
  const message = `${method} is not an operation of ${path} in the OpenAPI document; it has ${allowed.join(', ')}`;
  return {
    message,
    body: { type: 'https://mockstack.dev/problems/method-not-allowed', title: 'Method not allowed', status: 405, detail: message, allow: allowed },
  };
}

/** Why the scenario's answer cannot go out over HTTP, or undefined. */
export function problemOf(outcome: Exclude<Outcome, { kind: 'fallback' }>): string | undefined {
  switch (outcome.kind) {
    case 'body':
      return unsendableBody(outcome.body);
    case 'reply':
      return unsendable(outcome.reply.status, outcome.reply.headers, outcome.reply.body);
    case 'fault':
      return outcome.fault.transport ? undefined : unsendable(outcome.fault.httpStatus, outcome.fault.headers, outcome.fault.body);
    default:
      return undefined;
  }
}

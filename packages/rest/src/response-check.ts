import {
  Code,
  displayPath,
  type Fault,
  type HandlerContext,
  httpStatusOfCode,
  isFallThrough,
  isFault,
  isReply,
  isSequence,
  makeFault,
  makeSequence,
  type RuleDefinition,
} from '@mockstack/core';
import { type ApiOperation, documentedError, type OpenApi, SchemaSet, uncoercedAjvOf } from '@mockstack/openapi';

type Validate = ((body: unknown) => boolean) & { errors?: { instancePath: string; message?: string; keyword: string; params: unknown }[] | null };

/**
 * Wraps a scenario handler of an OpenAPI operation so that what it answers at serve time is
 * checked against the documented responses: an undocumented status or a body that breaks the
 * response schema becomes a 500 naming the rule and the field (the scenario opts out with
 * `rest({ openapi, validateResponses: false })`, for negative tests). Faults, sequences and
 * `fallThrough()` pass.
 */
export function checkResponses(rule: RuleDefinition, operation: ApiOperation, api: OpenApi): RuleDefinition {
  const respond = rule.respond;
  if (typeof respond !== 'function') return rule;
  const name = rule.name ?? operation.operationId ?? `${operation.method} ${operation.path}`;
  // Read only when a violation is answered: reading the rule's source maps it (see captureSource).
  const where = (): string => (rule.source ? ` (${displayPath(rule.source.file)}:${rule.source.line})` : '');
  const breaks = answerCheckOf(operation, api, { formats: false });
  const check = (answer: unknown): unknown => {
    if (isFault(answer)) return shapeFault(answer, operation, api);
    if (answer === undefined || isSequence(answer) || isFallThrough(answer)) return answer;
    const status = isReply(answer) ? (answer.status ?? 200) : 200;
    const body = isReply(answer) ? answer.body : answer;
    const broken = breaks(status, undefined, body);
    return broken ? violation(name, where(), broken.detail, broken.problems) : answer;
  };
  return {
    ...rule,
    respond: (ctx: HandlerContext) => {
      const answer = (respond as (ctx: HandlerContext) => unknown)(ctx);
      return answer instanceof Promise ? answer.then(check) : check(answer);
    },
  };
}

/**
 * A fault of the scenario (`fault.notFound()`, a status) answered in the error shape the operation
 * documents for that status, when it documents one; faults with a body of their own, dropped
 * connections and contract violations pass as they are.
 */
export function shapeFault(fault: Fault, operation: ApiOperation, api: OpenApi): Fault {
  if (fault.body !== undefined || fault.transport) return fault;
  const status = fault.httpStatus ?? httpStatusOfCode[fault.code];
  const shaped = documentedError(api, operation, status, fault.message);
  if (!shaped || shaped.status !== status) return fault;
  return { ...fault, headers: { 'content-type': shaped.contentType, ...fault.headers }, body: shaped.body };
}

/** Static responders as written, their faults (also inside sequences) shaped by shapeFault. */
export function shapeFaults(respond: RuleDefinition['respond'], operation: ApiOperation, api: OpenApi): RuleDefinition['respond'] {
  if (isFault(respond)) return shapeFault(respond, operation, api);
  if (isSequence(respond)) return makeSequence(respond.steps.map((step) => shapeFaults(step, operation, api)) as typeof respond.steps, respond.after);
  return respond;
}

/** What an answer breaks of its operation's documented responses: a sentence, and the fields with what each breaks. */
export interface AnswerBreach {
  detail: string;
  problems: { field: string; message: string }[];
}

/**
 * Checks answers against the operation's documented responses: the status must be documented (or
 * its `4XX`, or `default`), a documented content type must be the answer's (`contentType`, when
 * given, for a body that has one), and a JSON body must fit the status's schema. Undefined when the
 * answer fits. `formats: false` leaves formats (uuid, uri, date-time…) out: hand-written mock ids
 * like `shp_1` are common; a real service's answers are held to them.
 */
export function answerCheckOf(
  operation: ApiOperation,
  api: OpenApi,
  { formats }: { formats: boolean },
): (status: number, contentType: string | undefined, body: unknown) => AnswerBreach | undefined {
  const name = operation.operationId ?? `${operation.method} ${operation.path}`;
  const validators = new Map<string, Validate | undefined>();
  return (status, contentType, body) => {
    const documented = Object.keys(operation.responses);
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => documented.includes(k));
    if (!key) return { detail: `answered status ${status}, which ${name} does not document (documented: ${documented.join(', ')})`, problems: [] };
    if (contentType !== undefined && body !== undefined) {
      const types = Object.keys((api.resolve(operation.responses[key]) as { content?: Record<string, unknown> } | undefined)?.content ?? {});
      const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
      if (types.length > 0 && !types.some((type) => mediaTypeCovers(type.toLowerCase(), media))) {
        return {
          detail: `answered ${status} as ${media || 'no content type'}, which ${name} does not document for it (documented: ${types.join(', ')})`,
          problems: [],
        };
      }
    }
    if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) return undefined;
    let validate = validators.get(key);
    if (!validators.has(key)) {
      validate = compile(api, operation, key);
      validators.set(key, validate);
    }
    if (!validate || validate(body)) return undefined;
    const errors = (validate.errors ?? []).filter((e) => formats || e.keyword !== 'format');
    if (errors.length === 0) return undefined;
    const problems = errors.map((e) => {
      const field = `body${e.instancePath.replace(/\//g, '.')}`;
      const params = e.params as { allowedValues?: unknown[]; additionalProperty?: string };
      const extra =
        e.keyword === 'enum'
          ? ` (${(params.allowedValues ?? []).join(', ')})`
          : e.keyword === 'additionalProperties'
            ? ` ("${String(params.additionalProperty)}")`
            : '';
      return { field, message: `${e.message ?? e.keyword}${extra}` };
    });
    return { detail: `answered a ${status} that breaks the contract: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems };
  };
}

/** A documented media type (`application/json`, `application/*`, `*\/*`) that an answer's type is. */
function mediaTypeCovers(documented: string, actual: string): boolean {
  if (documented === actual || documented === '*/*') return true;
  return documented.endsWith('/*') && actual.startsWith(documented.slice(0, -1));
}

function violation(name: string, where: string, detail: string, problems: { field: string; message: string }[]): Fault {
  const message = `contract violation: rule ${name}${where} ${detail}`;
  return makeFault(Code.Internal, message, {
    httpStatus: 500,
    headers: { 'content-type': 'application/problem+json' },
    body: {
      type: 'https://mockstack.dev/problems/contract-violation',
      title: 'The mock answered something its contract forbids',
      status: 500,
      detail: message,
      rule: name,
      problems,
    },
  });
}

function compile(api: OpenApi, operation: ApiOperation, status: string): Validate | undefined {
  const response = api.resolve(operation.responses[status]) as { content?: Record<string, { schema?: unknown }> } | undefined;
  const media = Object.keys(response?.content ?? {}).find((m) => /json/i.test(m));
  if (!media || response?.content?.[media]?.schema === undefined) return undefined;
  try {
    // The document's Ajv that request bodies are checked with: one fewer to make (validators are compiled on first use).
    return SchemaSet.of(api).compile(uncoercedAjvOf(api), response?.content?.[media]?.schema, 'response') as Validate;
  } catch {
    return undefined; // a schema Ajv cannot compile is not checked (the request side logs those)
  }
}

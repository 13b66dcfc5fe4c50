import { isFault, isReply, isSequence, type Model, type Rule, resolveContractPath, type Service, type SourceLocation } from '@mockstack/core';
import { loadSchema } from '@mockstack/graphql/schema';
import { loadProtos, prepareMessage, ShapeError } from '@mockstack/grpc';
import { type ApiOperation, createAjv, loadOpenApi, type OpenApi, SchemaSet } from '@mockstack/openapi';
import { type GraphQLOutputType, isEnumType, isInterfaceType, isListType, isNonNullType, isObjectType, isScalarType, isUnionType } from 'graphql';

/** A static response that breaks its contract. */
export interface Violation {
  source: SourceLocation | undefined;
  message: string;
}

const STREAM = Symbol.for('mockstack.grpc.stream');

/**
 * Checks every static response of the model (values, replies, sequences, static stream items:
 * not handlers, which run at serve time) against its contract: proto messages, GraphQL field
 * types, OpenAPI response schemas and documented statuses.
 */
export async function checkStaticResponses(model: Model): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const service of model.services.values()) {
    const rules = [...service.operations.values()].flatMap((op) => op.rules.map((rule) => ({ op, rule })));
    for (const variant of model.variants.values()) {
      for (const [, list] of variant.services.get(service.name)?.rules ?? []) {
        for (const rule of list) rules.push({ op: { id: rule.operation, meta: rule.meta ?? {}, rules: [] }, rule });
      }
    }
    const statics = rules.filter(({ rule }) => typeof rule.respond !== 'function' && rule.respond !== undefined);
    if (statics.length === 0) continue;
    if (service.protocol === 'grpc')
      violations.push(
        ...checkGrpc(
          model,
          service,
          statics.map((s) => s.rule),
        ),
      );
    else if (service.protocol === 'graphql')
      violations.push(
        ...checkGraphql(
          model,
          service,
          statics.map((s) => s.rule),
        ),
      );
    else if (service.protocol === 'rest' && typeof service.config.openapi === 'string') violations.push(...(await checkRest(model, service, statics)));
  }
  return violations;
}

/** The bodies a static responder answers with, with the status when it is a reply (skipping faults). */
function answers(respond: unknown): { body: unknown; status: number | undefined; stream: boolean }[] {
  if (isFault(respond)) return [];
  if (isSequence(respond)) return respond.steps.flatMap((step) => (typeof step === 'function' ? [] : answers(step)));
  if (isReply(respond)) {
    const stream = (respond.body as Record<symbol, { items?: unknown }> | undefined)?.[STREAM];
    if (stream) {
      const items = stream.items;
      if (!Array.isArray(items)) return [];
      return items
        .filter((item) => typeof item === 'object' && item !== null && !isFault(item) && !(PAUSE in item))
        .map((body) => ({ body, status: undefined, stream: true }));
    }
    return [{ body: respond.body, status: respond.status, stream: false }];
  }
  return [{ body: respond, status: undefined, stream: false }];
}
const PAUSE = Symbol.for('mockstack.grpc.pause');

function checkGrpc(model: Model, service: Service, rules: readonly Rule[]): Violation[] {
  const config = service.config as { proto?: string[]; includeDirs?: string[] };
  const files = (config.proto ?? []).map((p) => resolveContractPath(model, p));
  const dirs = (config.includeDirs ?? []).map((d) => resolveContractPath(model, d));
  let protos: ReturnType<typeof loadProtos>;
  try {
    protos = loadProtos(files, dirs);
  } catch {
    return []; // the adapter's own validation reports protos that do not load
  }
  const out: Violation[] = [];
  for (const rule of rules) {
    const method = protos.methods.get(rule.operation);
    if (!method) continue;
    const list = Array.isArray(rule.respond) ? rule.respond.map((body) => ({ body, status: undefined, stream: true })) : answers(rule.respond);
    for (const { body } of list) {
      if (body === undefined) continue;
      try {
        prepareMessage(method.responseType, body, '');
      } catch (error) {
        if (!(error instanceof ShapeError)) throw error;
        out.push({
          source: rule.source,
          message: `${rule.operation} answers a ${method.responseType.fullName.slice(1)} whose field ${error.path}: ${error.problem}`,
        });
      }
    }
  }
  return out;
}

function checkGraphql(model: Model, service: Service, rules: readonly Rule[]): Violation[] {
  // The schema the server serves (lenient when the service is); one that does not load is reported by compile.
  const schema = loadSchema(service, model).schema;
  if (!schema) return [];
  const out: Violation[] = [];
  for (const rule of rules) {
    const meta = rule.meta as { kind?: string; type?: string; field?: string; name?: string };
    if (meta.kind === 'operation') {
      // The answer of graphql.query/mutation is the root value; an exact reply (`respond(…)`) is the whole HTTP body.
      const root = meta.type === 'mutation' ? schema.getMutationType() : meta.type === 'query' ? schema.getQueryType() : undefined;
      if (!root) continue;
      for (const value of rootValues(rule.respond)) {
        const problem = graphqlValue(root, value, root.name);
        if (problem) out.push({ source: rule.source, message: `${meta.type} ${meta.name}: ${problem}` });
      }
      continue;
    }
    if (meta.kind !== 'field' || !meta.type || !meta.field) continue;
    const type = schema.getType(meta.type);
    const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[meta.field] : undefined;
    if (!field) continue;
    for (const { body } of answers(rule.respond)) {
      const problem = graphqlValue(field.type, body, `${meta.type}.${meta.field}`);
      if (problem) out.push({ source: rule.source, message: problem });
    }
  }
  return out;
}

/** The root values a static operation answer gives (not faults, nor exact replies, whose body is the whole response). */
function rootValues(respond: unknown): unknown[] {
  if (respond === undefined || isFault(respond) || isReply(respond)) return [];
  if (isSequence(respond)) return respond.steps.flatMap((step) => (typeof step === 'function' ? [] : rootValues(step)));
  return [respond];
}

/** What is wrong with a value for a GraphQL output type (objects may leave fields out: they are auto-mocked). */
export function graphqlValue(type: GraphQLOutputType, value: unknown, path: string): string | undefined {
  if (isNonNullType(type)) {
    if (value === null) return `${path} is ${type} (non-null) but the answer is null`;
    return graphqlValue(type.ofType, value, path);
  }
  if (value === null || value === undefined) return undefined;
  if (isListType(type)) {
    if (!Array.isArray(value)) return `${path} is a list (${type}) but the answer is ${describe(value)}`;
    for (const [i, item] of value.entries()) {
      const problem = graphqlValue(type.ofType, item, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (isScalarType(type)) {
    const ok =
      type.name === 'Int'
        ? Number.isInteger(value)
        : type.name === 'Float'
          ? typeof value === 'number'
          : type.name === 'String'
            ? typeof value === 'string'
            : type.name === 'Boolean'
              ? typeof value === 'boolean'
              : type.name === 'ID'
                ? typeof value === 'string' || Number.isInteger(value)
                : true;
    return ok ? undefined : `${path} is ${type.name} but the answer is ${describe(value)}`;
  }
  if (isEnumType(type)) {
    const names = type.getValues().map((v) => v.name);
    return typeof value === 'string' && names.includes(value)
      ? undefined
      : `${path}: ${describe(value)} is not a value of enum ${type.name} (${names.join(', ')})`;
  }
  if (isObjectType(type) || isInterfaceType(type) || isUnionType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return `${path} is an object (${type.name}) but the answer is ${describe(value)}`;
    const record = value as Record<string, unknown>;
    let object = isObjectType(type) ? type : undefined;
    if (!object && typeof record.__typename === 'string') {
      const named = isUnionType(type) ? type.getTypes().find((t) => t.name === record.__typename) : undefined;
      object = named ?? undefined;
    }
    if (!object) return undefined;
    const fields = object.getFields();
    for (const [key, child] of Object.entries(record)) {
      if (key === '__typename') continue;
      const field = fields[key];
      if (!field) return `${path}: ${object.name} has no field ${key} (it has ${Object.keys(fields).join(', ')})`;
      const problem = graphqlValue(field.type, child, `${path}.${key}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

async function checkRest(
  model: Model,
  service: Service,
  statics: readonly { op: { id: string; meta: Readonly<Record<string, unknown>> }; rule: Rule }[],
): Promise<Violation[]> {
  let api: OpenApi;
  try {
    api = await loadOpenApi(resolveContractPath(model, String(service.config.openapi)), { skipSchemaCheck: true });
  } catch {
    return [];
  }
  const ajv = createAjv(api.version, { validateSchema: false });
  const schemas = SchemaSet.of(api);
  const out: Violation[] = [];
  for (const { op, rule } of statics) {
    const operation = findOperation(api, rule, op.meta);
    if (!operation) continue;
    const name = operation.operationId ?? `${operation.method} ${operation.path}`;
    const documented = Object.keys(operation.responses);
    for (const { body, status: given } of answers(rule.respond)) {
      const status = given ?? 200;
      const key = documented.includes(String(status))
        ? String(status)
        : documented.includes(`${String(status)[0]}XX`)
          ? `${String(status)[0]}XX`
          : documented.includes('default')
            ? 'default'
            : undefined;
      if (!key) {
        out.push({
          source: rule.source,
          message: `${name} answers status ${status}, which the contract does not document (documented: ${documented.join(', ')})`,
        });
        continue;
      }
      const response = api.resolve(operation.responses[key]) as { content?: Record<string, { schema?: unknown }> } | undefined;
      const media = Object.keys(response?.content ?? {}).find((m) => /json/i.test(m));
      if (!media || response?.content?.[media]?.schema === undefined || typeof body === 'string') continue;
      let validate: ReturnType<typeof ajv.compile>;
      try {
        validate = schemas.compile(ajv, response.content[media]?.schema, 'response');
      } catch {
        continue; // a schema Ajv cannot compile is reported when the service starts
      }
      if (validate(body)) continue;
      for (const error of validate.errors ?? []) {
        const where = error.instancePath ? `body${error.instancePath.replace(/\//g, '.')}` : 'body';
        const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
        const allowed = error.keyword === 'enum' ? ` (${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(', ')})` : '';
        out.push({ source: rule.source, message: `${name} ${status}: ${where} ${error.message}${extra}${allowed}` });
      }
    }
  }
  return out;
}

function findOperation(api: OpenApi, rule: Rule, meta: Readonly<Record<string, unknown>>): ApiOperation | undefined {
  const id = (rule.meta as { operationId?: string } | undefined)?.operationId ?? (meta.operationId as string | undefined);
  if (id) return api.operations.find((o) => o.operationId === id);
  const [method, path] = rule.operation.split(' ');
  return api.operations.find((o) => o.method === method && o.route === path);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  return `${typeof value} ${String(value)}`;
}

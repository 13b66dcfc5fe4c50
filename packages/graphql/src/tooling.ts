/**
 * The GraphQL protocol's part in `mockstack gen`, `check` and `init` (see `ProtocolTooling`): loaded
 * by those commands only, through `graphqlAdapter.tooling()`.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import {
  ErrorCode,
  type GenerateContext,
  type GeneratedTypes,
  type InitCodeContext,
  type InitService,
  isFault,
  isReply,
  isSequence,
  MockstackError,
  type Model,
  type ProjectContractFiles,
  type ProtocolTooling,
  type Service,
  type SourceLocation,
  type StaticRule,
} from '@mockstack/core';
import { displayPath } from '@mockstack/core/platform';
import { describeValue, joinTypes, prop, quote, staticAnswers } from '@mockstack/core/tooling';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLOutputType,
  type GraphQLSchema,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  parse,
  Source,
  validate,
} from 'graphql';
import { graphqlOperationTypes, type KeyedSchema, OperationDocumentError } from './gen-operations.js';
import { graphqlTypes } from './gen-types.js';
import { loadPersistedDocuments } from './persisted-documents.js';
import { buildSdl, loadSchema } from './schema.js';

/** One root field `init` writes a resolver for. */
export interface GraphqlStub {
  kind: 'graphql';
  type: string;
  field: string;
}

export const graphqlTooling: ProtocolTooling = {
  generateTypes,
  initService(file, kind, { named, lenient }) {
    if (kind.kind === 'graphql') return graphqlService(file, lenient);
    // Operation documents are what clients send: typed by `gen`, no service to write.
    if (!named) return undefined;
    throw new MockstackError(
      ErrorCode.ContractLoad,
      `${relative(process.cwd(), file) || file} holds only GraphQL operations (what clients send), not a schema to serve; name the schema (SDL) instead`,
    );
  },
  checkStatic(service, rules, model) {
    // The schema the server serves (lenient when the service is); one that does not load is reported by compile.
    const loaded = loadSchema(service, model);
    const warnings = (loaded.warnings ?? []).map((warning) => `service "${service.name}": ${warning}`);
    if (!loaded.schema) return { violations: [], warnings };
    return { violations: [...checkGraphql(loaded.schema, rules), ...checkPersistedDocuments(loaded.schema, service, model)], warnings };
  },
};

/**
 * The documents of the service's persisted documents manifest that the schema no longer takes: what the
 * client's build persisted asks for fields, arguments or types the contract does not have (drift between
 * the frontend and the schema it is mocked from). Checked here, not at start: a manifest may hold thousands.
 */
function checkPersistedDocuments(schema: GraphQLSchema, service: Service, model: Model): { source: SourceLocation | undefined; message: string }[] {
  const manifest = loadPersistedDocuments(service, model);
  if (manifest === undefined || !('byId' in manifest)) return [];
  const out: { source: SourceLocation | undefined; message: string }[] = [];
  for (const [id, text] of manifest.byId) {
    let errors: readonly GraphQLError[];
    try {
      errors = validate(schema, parse(text));
    } catch (error) {
      errors = [error as GraphQLError];
    }
    const [first] = errors;
    if (first) {
      const where = first.locations?.[0] ? ` (line ${first.locations[0].line}, column ${first.locations[0].column} of the document)` : '';
      out.push({
        source: service.source,
        message: `persisted document "${id}" of ${displayPath(manifest.file)} does not fit the schema: ${first.message}${where}`,
      });
    }
  }
  return out;
}

function generateTypes(contracts: ProjectContractFiles, context: GenerateContext): GeneratedTypes {
  const parts: GeneratedTypes[] = [];
  const schemas: KeyedSchema[] = [];
  const rel = context.relative;
  for (const path of contracts.get('graphql') ?? []) {
    // The loader `up` and `check` use, so the three agree on what an SDL is.
    const built = buildSdl([new Source(readFileSync(path, 'utf8'), path)], { lenient: context.isLenient(path) });
    const first = built.problems[0];
    if (!built.schema || first) {
      const syntax = built.problems.some((p) => p.message.startsWith('Syntax Error'));
      const lines = built.problems.map(
        (p) => `${rel(p.file || path)}:${p.line}:${p.column}: ${syntax ? 'the GraphQL schema does not parse: ' : ''}${p.message}`,
      );
      throw new MockstackError(
        ErrorCode.ContractLoad,
        `${lines.length === 1 ? lines[0] : `${rel(path)} has ${lines.length} problems:\n  ${lines.join('\n  ')}`}${context.lenient || syntax ? '' : '\n(generate despite them with --lenient, or serve the schema with lenient: true)'}`,
        { source: { file: first?.file || path, line: first?.line ?? 1, column: first?.column ?? 1 } },
      );
    }
    parts.push({ ...graphqlTypes(rel(path), built.schema), warnings: built.warnings });
    schemas.push({ key: rel(path), schema: built.schema });
  }
  const operations = contracts.get('graphql-operations') ?? [];
  if (operations.length) {
    const documents: DocumentNode[] = [];
    for (const path of operations) {
      try {
        documents.push(parse(new Source(readFileSync(path, 'utf8'), rel(path))));
      } catch (error) {
        throw parseError(error, path, rel(path), 'the GraphQL operations do not parse');
      }
    }
    try {
      parts.push({ declarations: [], registry: { graphqlOperations: graphqlOperationTypes(documents, schemas) } });
    } catch (error) {
      if (!(error instanceof OperationDocumentError)) throw error;
      throw new MockstackError(ErrorCode.ContractLoad, error.message, {
        source: { file: resolve(context.root, error.file), line: error.line, column: error.column },
        cause: error,
      });
    }
  }
  return joinTypes(parts);
}

/** A GraphQL document that does not parse, named by file, line and column. */
function parseError(error: unknown, path: string, name: string, what: string): MockstackError {
  const location = error instanceof GraphQLError ? error.locations?.[0] : undefined;
  return new MockstackError(
    ErrorCode.ContractLoad,
    `${name}${location ? `:${location.line}:${location.column}` : ''}: ${what}: ${(error as Error).message.split('\n')[0]}`,
    { source: { file: path, line: location?.line ?? 1, column: location?.column ?? 1 }, cause: error },
  );
}

function graphqlService(file: string, lenient: boolean): InitService {
  // The loader `up`, `gen` and `check` use: introspection results, subgraph and graphql-faker SDL too.
  const built = buildSdl([new Source(readFileSync(file, 'utf8'), file)], { lenient });
  const [problem] = built.problems;
  const schema = built.schema;
  if (problem || !schema) {
    const name = relative(process.cwd(), file) || file;
    const where = problem && problem.file !== '' ? `:${problem.line}:${problem.column}` : '';
    throw new MockstackError(ErrorCode.ContractLoad, `${name}${where}: ${problem?.message ?? 'the schema does not build'}`);
  }
  const stubs: GraphqlStub[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root || !isObjectType(root)) continue;
    for (const field of Object.keys(root.getFields())) stubs.push({ kind: 'graphql', type: root.name, field });
  }
  return { protocol: 'graphql', stubs, imports: [{ from: 'mockstack', names: ['graphql'] }], code: (context) => graphqlCode(file, stubs, context) };
}

function graphqlCode(file: string, stubs: readonly GraphqlStub[], { port, stateType, contractPath, lenient }: InitCodeContext): string {
  const byType = new Map<string, string[]>();
  for (const stub of stubs) byType.set(stub.type, [...(byType.get(stub.type) ?? []), stub.field]);
  const body = [...byType].map(
    ([type, fields]) =>
      `${prop(type)}: {\n${fields.map((f) => `${prop(f)}: (_parent, _args, { state }) => answer(state, ${quote(`${type}.${f}`)}),`).join('\n')}\n},`,
  );
  return `graphql<${stateType}>({ port: ${port}, schema: ${quote(contractPath(file))}${lenient ? ', lenient: true' : ''} }, {\n${body.join('\n')}\n})`;
}

function checkGraphql(schema: NonNullable<ReturnType<typeof loadSchema>['schema']>, rules: readonly StaticRule[]) {
  const out: { source: SourceLocation | undefined; message: string }[] = [];
  for (const { rule } of rules) {
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
    for (const { body } of staticAnswers(rule.respond)) {
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
    if (!Array.isArray(value)) return `${path} is a list (${type}) but the answer is ${describeValue(value)}`;
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
    return ok ? undefined : `${path} is ${type.name} but the answer is ${describeValue(value)}`;
  }
  if (isEnumType(type)) {
    const names = type.getValues().map((v) => v.name);
    return typeof value === 'string' && names.includes(value)
      ? undefined
      : `${path}: ${describeValue(value)} is not a value of enum ${type.name} (${names.join(', ')})`;
  }
  if (isObjectType(type) || isInterfaceType(type) || isUnionType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return `${path} is an object (${type.name}) but the answer is ${describeValue(value)}`;
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

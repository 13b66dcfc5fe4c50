import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { type ReloadResult, type RunningStack, runScenario } from '@mockstack/runner';

// --watch reloads when a contract a scenario references changes (not only its .ts): an imported
// .proto, the GraphQL SDL, an OpenAPI document's external $ref. And a state() that gained keys seeds them.
const dir = resolve(import.meta.dirname, '../fixtures', `.watch-contracts-${process.pid}`);
const at = (name: string) => resolve(dir, name);
const scenarioText = (extraState = '') => `import { graphql, grpc, rest, scenario } from 'mockstack';
export default scenario('contracts-live', { state: () => ({ hits: 0${extraState} }) }).services({
  api: rest({ openapi: 'api.yaml' }, [rest.get('/hits', ({ state }) => ({ hits: ++state.hits, ...state }))]),
  catalog: graphql({ schema: 'catalog.graphql' }, {}),
  things: grpc({ proto: 'things.proto' }, {}),
});
`;
const thingProto = (fields: string) => `syntax = "proto3";\npackage live.v1;\nmessage Thing {\n${fields}}\n`;
const thingSchema = (properties: string) =>
  `type: object\nrequired: [${properties
    .match(/^ {2}(\w+):/gm)
    ?.map((p) => p.trim().slice(0, -1))
    .join(', ')}]\nproperties:\n${properties}`;

let running: RunningStack;
const reloads: ReloadResult[] = [];

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(at('package.json'), '{"name":"watch-contracts","private":true}\n');
  writeFileSync(at('thing.proto'), thingProto('  string name = 1;\n'));
  writeFileSync(
    at('things.proto'),
    'syntax = "proto3";\npackage live.v1;\nimport "thing.proto";\nmessage GetThing { string id = 1; }\nservice Things { rpc Get(GetThing) returns (Thing); }\n',
  );
  writeFileSync(at('catalog.graphql'), 'type Query { hello: String }\n');
  writeFileSync(at('thing.yaml'), thingSchema("  name: { type: string, example: 'mug' }\n"));
  writeFileSync(
    at('api.yaml'),
    `openapi: 3.0.3
info: { title: live, version: '1' }
paths:
  /thing:
    get:
      responses:
        '200':
          description: a thing
          content:
            application/json:
              schema: { $ref: './thing.yaml' }
  /hits:
    get:
      responses:
        '200': { description: hits, content: { application/json: { schema: { type: object } } } }
`,
  );
  writeFileSync(at('live.ts'), scenarioText());
  running = await runScenario(at('live.ts'), { watch: true, randomPorts: true, adminPort: false, onReload: (r) => reloads.push(r) });
});
afterAll(async () => {
  await running.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a file and waits for the reload it sets off. */
async function edit(name: string, text: string): Promise<ReloadResult> {
  const count = reloads.length;
  writeFileSync(at(name), text);
  for (let i = 0; i < 250 && reloads.length === count; i++) await new Promise((r) => setTimeout(r, 20));
  const result = reloads.at(-1);
  if (!result || reloads.length === count) throw new Error(`no reload after editing ${name}`);
  return result;
}

async function getThing(): Promise<Record<string, unknown>> {
  const definition = protoLoader.loadSync(at('things.proto'), { includeDirs: [dir], defaults: true });
  const Things = (grpc.loadPackageDefinition(definition) as unknown as { live: { v1: { Things: grpc.ServiceClientConstructor } } }).live.v1.Things;
  const address = running.stack.address('things');
  const client = new Things(`${address.host}:${address.port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Get(req: object, cb: (e: grpc.ServiceError | null, r: Record<string, unknown>) => void): void;
  };
  try {
    return await new Promise((done, fail) => client.Get({ id: '1' }, (error, reply) => (error ? fail(error) : done(reply))));
  } finally {
    client.close();
  }
}

test('an edit to a .proto the service imports is served without touching the scenario', async () => {
  expect(await getThing()).toEqual({ name: expect.any(String) });
  const result = await edit('thing.proto', thingProto('  string name = 1;\n  string label = 2;\n'));
  expect(result).toMatchObject({ ok: true, changed: [at('thing.proto')] });
  expect((await getThing()).label).not.toBe('');
});

/**
 * A GraphQL query over a connection of its own: the reload restarts the GraphQL server (a new
 * schema), and a pooled keep-alive socket of the old one could be reused before its close is seen.
 */
function graphqlQuery(query: string): Promise<{ data?: unknown; errors?: { message: string }[] }> {
  const { host, port } = running.stack.address('catalog');
  return new Promise((done, fail) => {
    const req = request({ host, port, path: '/graphql', method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => done(JSON.parse(text)));
    });
    req.on('error', fail);
    req.end(JSON.stringify({ query }));
  });
}

test('an edit to the GraphQL SDL is served', async () => {
  expect((await graphqlQuery('{ bye }')).errors?.[0]?.message).toMatch(/Cannot query field "bye"/);
  expect((await edit('catalog.graphql', 'type Query { hello: String, bye: String }\n')).ok).toBe(true);
  expect(await graphqlQuery('{ bye }')).toEqual({ data: { bye: expect.any(String) } });
});

test('an edit to a file an OpenAPI document $refs is served', async () => {
  const url = `${running.stack.address('api').url}/thing`;
  expect(await (await fetch(url)).json()).toEqual({ name: 'mug' });
  const result = await edit('thing.yaml', thingSchema("  name: { type: string, example: 'mug' }\n  label: { type: string, example: 'blue' }\n"));
  expect(result).toMatchObject({ ok: true, changed: [at('thing.yaml')] });
  expect(await (await fetch(url)).json()).toEqual({ name: 'mug', label: 'blue' });
});

test('a state() that gained a key seeds it and keeps the values it had; one it lost is dropped and reported', async () => {
  const hits = `${running.stack.address('api').url}/hits`;
  expect(await (await fetch(hits)).json()).toEqual({ hits: 1 });
  const gained = await edit('live.ts', scenarioText(", cart: new Map([['mug', 1]]), note: 'seeded'"));
  expect(gained).toMatchObject({ ok: true, state: { added: ['cart', 'note'], removed: [] } });
  expect(await (await fetch(hits)).json()).toEqual({ hits: 2, cart: {}, note: 'seeded' });
  const lost = await edit('live.ts', scenarioText(", note: 'changed'"));
  expect(lost).toMatchObject({ ok: true, state: { added: [], removed: ['cart'] } });
  expect(await (await fetch(hits)).json()).toEqual({ hits: 3, note: 'seeded' });
});

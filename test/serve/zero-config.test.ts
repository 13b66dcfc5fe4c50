import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ErrorCode, type MockstackError } from '@mockstack/core';
import { loadModel } from '@mockstack/runner';
import { startStack } from '@mockstack/testing';
import { buildSchema, introspectionFromSchema } from 'graphql';
import { GraphQLClient } from 'graphql-request';
import { unaryBytes } from '../helpers/grpc-stack.js';
import { freePort } from '../helpers/redis.js';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures', name);
const greeterProto = fixture('contracts/greeter.proto');
const inventorySdl = fixture('contracts/inventory.graphql');

type HelloClient = grpc.Client & { SayHello(req: object, cb: (e: grpc.ServiceError | null, r: Record<string, unknown>) => void): void };

async function sayHello(address: string): Promise<Record<string, unknown>> {
  const definition = protoLoader.loadSync(greeterProto, { longs: String, enums: String, defaults: true });
  const Greeter = (grpc.loadPackageDefinition(definition) as unknown as { demo: { greeter: { v1: { Greeter: grpc.ServiceClientConstructor } } } }).demo.greeter
    .v1.Greeter;
  const client = new Greeter(address, grpc.credentials.createInsecure()) as unknown as HelloClient;
  try {
    return await new Promise((done, fail) => client.SayHello({ name: 'Ada' }, (error, reply) => (error ? fail(error) : done(reply))));
  } finally {
    client.close();
  }
}

test('a .proto and a GraphQL schema are served with no scenario, deterministic across restarts', async () => {
  const answers = [];
  for (let run = 0; run < 2; run++) {
    const stack = await startStack([greeterProto, inventorySdl]);
    try {
      expect(Object.keys(stack.services)).toEqual(['greeter', 'inventory']);
      const reply = await sayHello(`${stack.services.greeter?.host}:${stack.services.greeter?.port}`);
      expect(reply).toEqual({ message: expect.any(String), email: expect.stringContaining('@'), count: expect.any(Number) });
      const data = await new GraphQLClient(stack.url('inventory')).request<{ items: { id: string; email: string }[] }>('{ items(first: 2) { id email } }');
      expect(data.items).toHaveLength(2);
      answers.push({ reply, data });
    } finally {
      await stack.close();
    }
  }
  expect(answers[1]).toEqual(answers[0]);
});

test('a scenario module and a contract together: the contract joins the scenario’s services', async () => {
  const stack = await startStack([resolve(import.meta.dirname, '../../scenarios/checkout.ts'), inventorySdl]);
  try {
    expect(Object.keys(stack.services)).toEqual(expect.arrayContaining(['orders', 'catalog', 'payments', 'inventory']));
    expect((await fetch(`${stack.url('orders')}/orders/ord_1001`)).status).toBe(200);
    const data = await new GraphQLClient(stack.url('inventory')).request<{ item: { id: string } }>('{ item(id: "i1") { id } }');
    expect(data.item.id).toEqual(expect.any(String));
  } finally {
    await stack.close();
  }
});

test('an OpenAPI document is served with no scenario, under its base path', async () => {
  const stack = await startStack([resolve(import.meta.dirname, '../../schemas/petstore.json')]);
  try {
    expect(Object.keys(stack.services)).toEqual(['petstore']);
    const invalid = await fetch(`${stack.url('petstore')}/api/pets`);
    expect(invalid.status).toBe(400);
    const res = await fetch(`${stack.url('petstore')}/api/pets`, { headers: { 'x-request-id': '6f1c2a4e-8d3b-4c1f-9a2e-0b5d7c3e1f20' } });
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
    expect((await fetch(`${stack.url('petstore')}/pets`)).status).toBe(404);
  } finally {
    await stack.close();
  }
});

describe('a GraphQL introspection result (schema.json)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mockstack-introspection-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const introspection = introspectionFromSchema(buildSchema(readFileSync(inventorySdl, 'utf8')));

  test.each([
    ['{ "data": { "__schema": … } } (as a client downloads it)', { data: introspection }],
    ['{ "__schema": … } (as graphql-codegen writes it)', introspection],
  ])('%s is served as the schema it describes, not as a json-server database', async (_shape, json) => {
    const stack = await startStack([file('schema.json', JSON.stringify(json))]);
    try {
      expect(Object.keys(stack.services)).toEqual(['schema']);
      expect(stack.url('schema')).toMatch(/\/graphql$/);
      const data = await new GraphQLClient(stack.url('schema')).request<{ items: { id: string; quantity: number }[] }>('{ items(first: 2) { id quantity } }');
      expect(data.items).toEqual([
        { id: expect.any(String), quantity: expect.any(Number) },
        { id: expect.any(String), quantity: expect.any(Number) },
      ]);
    } finally {
      await stack.close();
    }
  });

  test('one that is broken is refused with the file and why', async () => {
    const truncated = await failure([file('truncated.json', JSON.stringify({ data: introspection }).slice(0, 200))]);
    expect(truncated?.code).toBe(ErrorCode.ScenarioCompile);
    expect(truncated?.message).toMatch(/truncated\.json is not valid JSON \(.+\); an introspection result is \{ "__schema": … \}/);
    const wrong = await failure([file('wrong.json', JSON.stringify({ __schema: { types: 42 } }))]);
    expect(wrong?.message).toMatch(/wrong\.json is not a GraphQL introspection result graphql-js can build a schema from: /);
  });
});

test('the files of a schema in modules (types in one, Query in another) are served as one service; whole schemas stay apart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-modules-'));
  try {
    const file = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const enums = file('enums.graphql', 'enum Colour {\n  RED\n  GREEN\n}\n');
    const types = file('types.graphql', '"type Query is in another file"\ntype Paint {\n  colour: Colour!\n  litres: Float!\n}\n');
    const query = file('query.graphql', 'type Query {\n  paint(colour: Colour!): Paint\n}\nextend type Query {\n  paints: [Paint!]!\n}\n');
    const stack = await startStack([enums, types, query, inventorySdl]);
    try {
      expect(Object.keys(stack.services)).toEqual(['enums', 'inventory']);
      const data = await new GraphQLClient(stack.url('enums')).request<{ paint: { colour: string } | null; paints: { litres: number }[] }>(
        '{ paint(colour: RED) { colour } paints { litres } }',
      );
      expect(['RED', 'GREEN', undefined]).toContain(data.paint?.colour);
      expect(data.paints.every((p) => typeof p.litres === 'number')).toBe(true);
      expect(await new GraphQLClient(stack.url('inventory')).request('{ items(first: 1) { id } }')).toEqual({ items: [{ id: expect.any(String) }] });
    } finally {
      await stack.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a schema whose modules are spread over folders (a NestJS app, Vendure) is served as one service when the folders complete each other', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-folders-'));
  try {
    const file = (name: string, text: string): string => {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    // As NestJS's typePaths: ['./**/*.graphql'] finds them: each feature's types and its Query fields.
    const users = file('users/users.graphql', 'type User {\n  id: ID!\n  login: String!\n}\n\ntype Query {\n  users: [User!]!\n}\n');
    const posts = file('posts/posts.graphql', 'type Post {\n  id: ID!\n  author: User!\n}\n\ntype Query {\n  posts: [Post!]!\n}\n');
    // Vendure's layout: common/ types only, shop-api/ the API using them.
    const common = file('common/money.graphql', 'scalar Money\n\ntype Price {\n  value: Money!\n}\n');
    const shop = file('shop-api/shop.graphql', 'type Query {\n  price: Price!\n}\n');
    const stack = await startStack([users, posts, inventorySdl]);
    try {
      expect(Object.keys(stack.services)).toEqual(['users', 'inventory']);
      const data = await new GraphQLClient(stack.url('users')).request<{ users: unknown[]; posts: { author: { login: string } }[] }>(
        '{ users { id } posts { author { login } } }',
      );
      expect(data.posts.every((p) => typeof p.author.login === 'string')).toBe(true);
    } finally {
      await stack.close();
    }
    const vendure = await startStack([common, shop]);
    try {
      expect(Object.keys(vendure.services)).toEqual(['money']);
      expect(await new GraphQLClient(vendure.url('money')).request('{ price { value } }')).toEqual({ price: { value: expect.anything() } });
    } finally {
      await vendure.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const failure = (sources: string[]) =>
  loadModel(sources).then(
    () => undefined,
    (e: unknown) => e as MockstackError,
  );

test('a file of an unknown kind says which kinds are accepted', async () => {
  const error = await failure([fixture('broken/notes.txt')]);
  expect(error?.code).toBe(ErrorCode.SourceKind);
  expect(error?.message).toMatch(
    /notes\.txt is not a kind of file mockstack serves; it accepts a scenario module \(\.ts\/\.mts\/\.js\/\.mjs\) or a contract: \.json\/\.yaml\/\.yml \(OpenAPI 3 or Swagger 2\.0\), \.graphql\/\.graphqls\/\.gql \(GraphQL SDL\), \.json \(GraphQL introspection result\), \.proto \(gRPC\)/,
  );
});

test('a contract that fails to load names the file and line', async () => {
  const error = await failure([fixture('broken/broken.graphql')]);
  expect(error?.format()).toMatch(/broken\.graphql:2:\d+/);
});

test('protos given one port are one gRPC server answering every service of them; another port stays apart', async () => {
  const etcd = resolve(dirname(createRequire(import.meta.url).resolve('etcd3/package.json')), 'proto/rpc.proto');
  const port = await freePort();
  const stack = await startStack([`${greeterProto}:${port}`, `${etcd}:${port}`, `${greeterProto}:0`]);
  try {
    // startStack moves every service to a free port; the two protos given one port are still one service there.
    expect(Object.keys(stack.services)).toEqual(['greeter', 'greeter-2']);
    const address = `${stack.services.greeter?.host}:${stack.services.greeter?.port}`;
    expect(await sayHello(address)).toEqual(expect.objectContaining({ message: expect.any(String) }));
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    try {
      const range = await unaryBytes(client, '/etcdserverpb.KV/Range');
      expect(range.length).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  } finally {
    await stack.close();
  }
});

test('a proto of messages only, given beside protos with services, is served with the first of them, not on a port of its own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-message-only-'));
  writeFileSync(join(dir, 'money.proto'), 'syntax = "proto3";\npackage acme.common;\nmessage Money { string currency = 1; int64 units = 2; }\n');
  writeFileSync(
    join(dir, 'orders.proto'),
    'syntax = "proto3";\npackage acme.orders;\nimport "money.proto";\n// a service is declared below\nservice Orders { rpc Get(GetOrder) returns (Order); }\nmessage GetOrder { string id = 1; }\nmessage Order { string id = 1; acme.common.Money total = 2; }\n',
  );
  const stack = await startStack([join(dir, 'money.proto'), join(dir, 'orders.proto'), greeterProto]);
  const alone = await startStack([join(dir, 'money.proto')]);
  try {
    expect(Object.keys(stack.services)).toEqual(['orders', 'greeter']);
    const definition = protoLoader.loadSync(join(dir, 'orders.proto'), { includeDirs: [dir] });
    type Order = { total?: { currency?: unknown } };
    type OrdersClient = grpc.Client & { Get(req: object, cb: (e: grpc.ServiceError | null, r: Order) => void): void };
    const Orders = (grpc.loadPackageDefinition(definition) as unknown as { acme: { orders: { Orders: grpc.ServiceClientConstructor } } }).acme.orders.Orders;
    const client = new Orders(`127.0.0.1:${stack.services.orders?.port}`, grpc.credentials.createInsecure()) as unknown as OrdersClient;
    try {
      const order = await new Promise<Order>((done, fail) => client.Get({ id: 'o1' }, (error, answer) => (error ? fail(error) : done(answer))));
      expect(typeof order.total?.currency).toBe('string');
    } finally {
      client.close();
    }
    // Alone, it is served as before: there is nothing else to serve it with.
    expect(Object.keys(alone.services)).toEqual(['money']);
  } finally {
    await Promise.all([stack.close(), alone.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a Google-style proto importing googleapis' google/api files is served with no copy of them (a buf module depending on googleapis)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-googleapis-'));
  writeFileSync(
    join(dir, 'library.proto'),
    `syntax = "proto3";
package acme.library.v1;
import "google/api/annotations.proto";
import "google/api/client.proto";
import "google/api/field_behavior.proto";
import "google/api/resource.proto";
import "google/type/money.proto";
service Library {
  option (google.api.default_host) = "library.example.com";
  rpc GetBook(GetBookRequest) returns (Book) {
    option (google.api.http) = { get: "/v1/{name=shelves/*/books/*}" };
    option (google.api.method_signature) = "name";
  }
}
message GetBookRequest { string name = 1 [(google.api.field_behavior) = REQUIRED]; }
message Book {
  option (google.api.resource) = { type: "library.example.com/Book" pattern: "shelves/{shelf}/books/{book}" };
  string name = 1;
  google.type.Money price = 2;
}
`,
  );
  const stack = await startStack([join(dir, 'library.proto')]);
  const client = new grpc.Client(`127.0.0.1:${stack.services.library?.port}`, grpc.credentials.createInsecure());
  try {
    const name = 'shelves/s1/books/b1';
    const request = Buffer.concat([Buffer.from([0x0a, name.length]), Buffer.from(name)]);
    // The book asked for, named by the request (its resource annotation read from google/api/resource.proto).
    expect(Buffer.from(await unaryBytes(client, '/acme.library.v1.Library/GetBook', request)).toString('latin1')).toContain(name);
  } finally {
    client.close();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two contracts that want the same port get a clear error', async () => {
  const error = await failure([`${greeterProto}:18777`, `${inventorySdl}:18777`]);
  expect(error?.message).toMatch(/services "greeter" and "inventory" both want port 18777/);
});

test('two scenario modules are refused with what to do instead', async () => {
  const checkout = resolve(import.meta.dirname, '../../scenarios/checkout.ts');
  const error = await failure([checkout, fixture('scenarios/with-imports.ts')]);
  expect(error?.message).toMatch(/serve one scenario module at a time .* import one from the other/);
});

/** A document split over files as published (a `schemas/` folder beside it, a `common/` folder above), by address path. */
const splitDocument: Record<string, string> = {
  '/specs/pets.yaml': `openapi: 3.0.3
info: { title: Pets, version: '1' }
paths:
  /pets/{id}:
    get:
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: 'schemas/pet.yaml#/Pet' } } } }
        default: { description: error, content: { application/problem+json: { schema: { $ref: '../common/problem.yaml#/Problem' } } } }
`,
  '/specs/schemas/pet.yaml': `Pet:
  type: object
  required: [id, name, tag]
  properties:
    id: { type: string }
    name: { type: string }
    tag: { $ref: './tag.yaml#/Tag' }
`,
  '/specs/schemas/tag.yaml': 'Tag: { type: string, enum: [good, bad] }\n',
  '/common/problem.yaml': 'Problem: { type: object, required: [title], properties: { title: { type: string } } }\n',
  '/specs/broken.yaml': `openapi: 3.0.3
info: { title: Broken, version: '1' }
paths:
  /pets:
    get:
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: 'schemas/gone.yaml#/Pet' } } } }
`,
};

test('a folder serves every contract below it, and leaves out other JSON and YAML', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mockstack-folder-'));
  try {
    mkdirSync(join(dir, 'rest'));
    mkdirSync(join(dir, 'grpc/v1'), { recursive: true });
    mkdirSync(join(dir, 'node_modules/some-package'), { recursive: true });
    writeFileSync(join(dir, 'rest/pets.yaml'), readFileSync(fixture('contracts/pets.openapi.yaml')));
    writeFileSync(join(dir, 'inventory.graphql'), readFileSync(inventorySdl));
    writeFileSync(join(dir, 'grpc/v1/greeter.proto'), readFileSync(fixture('contracts/greeter.proto')));
    writeFileSync(join(dir, 'stubs.json'), JSON.stringify({ request: { method: 'GET', url: '/ping' }, response: { status: 200, body: 'pong' } }));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', scripts: {}, dependencies: {} }));
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  db:\n    image: postgres\n');
    writeFileSync(join(dir, 'node_modules/some-package/openapi.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 'x', version: '1' }, paths: {} }));
    const stack = await startStack([dir]);
    try {
      expect(Object.keys(stack.services).sort()).toEqual(['greeter', 'inventory', 'pets', 'stubs']);
      expect(await (await fetch(`${stack.url('stubs')}/ping`)).text()).toBe('pong');
    } finally {
      await stack.close();
    }
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.json'), '{"a": 1}');
    const error = await failure([empty]);
    expect(error?.code).toBe(ErrorCode.SourceKind);
    expect(error?.message).toMatch(/empty holds no contract mockstack serves; it looks below it for .*\.proto \(gRPC\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('a contract given by its address (as `prism mock https://…`)', () => {
  const petstore = readFileSync(resolve(import.meta.dirname, '../../node_modules/@readme/oas-examples/3.0/yaml/petstore.yaml'), 'utf8');
  const introspection = JSON.stringify({ data: introspectionFromSchema(buildSchema(readFileSync(inventorySdl, 'utf8'))) });
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/specs/petstore.yaml') response.writeHead(200, { 'content-type': 'application/yaml' }).end(petstore);
      else if (request.url !== undefined && splitDocument[request.url] !== undefined)
        response.writeHead(200, { 'content-type': 'application/yaml' }).end(splitDocument[request.url]);
      else if (request.url === '/graphql-schema') response.writeHead(200, { 'content-type': 'application/json' }).end(introspection);
      else response.writeHead(404).end('not here');
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

  test('is downloaded and served, named as the address names it; one with no ending by what its text is; :port after the path picks a port', async () => {
    const { model } = await loadModel([`${origin}/specs/petstore.yaml:4010`]);
    expect([...model.services.values()].map((service) => [service.name, service.port])).toEqual([['petstore', 4010]]);
    const stack = await startStack([`${origin}/specs/petstore.yaml`, `${origin}/graphql-schema`]);
    try {
      expect(Object.keys(stack.services)).toEqual(['petstore', 'graphql-schema']);
      const inventory = await fetch(`${stack.url('petstore')}/v2/store/inventory`, { headers: { api_key: 'special-key' } });
      expect(inventory.status).toBe(200);
      expect(typeof (await inventory.json())).toBe('object');
      const data = await new GraphQLClient(stack.url('graphql-schema')).request<{ items: unknown[] }>('{ items(first: 2) { id } }');
      expect(data.items).toHaveLength(2);
    } finally {
      await stack.close();
    }
  });

  test('a document split over files brings them along: its relative $refs, and theirs, are downloaded at their places beside it', async () => {
    const stack = await startStack([`${origin}/specs/pets.yaml`], { seed: 3 });
    try {
      const pet = await fetch(`${stack.url('pets')}/pets/p1`);
      expect(pet.status).toBe(200);
      expect(await pet.json()).toEqual({ id: expect.any(String), name: expect.any(String), tag: expect.stringMatching(/^(good|bad)$/) });
    } finally {
      await stack.close();
    }
    const broken = await failure([`${origin}/specs/broken.yaml`]);
    expect(broken?.code).toBe(ErrorCode.ContractDownload);
    expect(broken?.message).toBe(
      `could not download ${origin}/specs/schemas/gone.yaml (which ${origin}/specs/broken.yaml $refs): the server answered 404 Not Found; check the address, or download it and pass the file`,
    );
  });

  test("a local document's $ref to an address is fetched; one that is not there is refused naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mockstack-remote-ref-'));
    try {
      const document = (ref: string) =>
        `openapi: 3.0.3\ninfo: { title: Things, version: '1' }\npaths:\n  /things:\n    get:\n      responses:\n        '200': { description: ok, content: { application/json: { schema: { $ref: '${ref}' } } } }\n`;
      writeFileSync(join(dir, 'things.yaml'), document(`${origin}/specs/schemas/pet.yaml#/Pet`));
      const stack = await startStack([join(dir, 'things.yaml')]);
      try {
        expect(await (await fetch(`${stack.url('things')}/things`)).json()).toEqual(expect.objectContaining({ tag: expect.stringMatching(/^(good|bad)$/) }));
      } finally {
        await stack.close();
      }
      writeFileSync(join(dir, 'gone.yaml'), document(`${origin}/specs/schemas/gone.yaml#/Pet`));
      const gone = await failure([join(dir, 'gone.yaml')]);
      expect(gone?.code).toBe(ErrorCode.ContractLoad);
      expect(gone?.message).toMatch(new RegExp(`cannot resolve a \\$ref: .*${origin}/specs/schemas/gone\\.yaml`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an address that answers 404, or nothing, or names a scenario module, is refused with what to do', async () => {
    const missing = await failure([`${origin}/specs/missing.yaml`]);
    expect(missing?.code).toBe(ErrorCode.ContractDownload);
    expect(missing?.message).toBe(
      `could not download ${origin}/specs/missing.yaml: the server answered 404 Not Found; check the address, or download it and pass the file`,
    );
    // Port 2: below the ports the system hands out, so no server started meanwhile takes it (fetch refuses to call port 1).
    const closed = await failure(['http://127.0.0.1:2/api.yaml']);
    expect(closed?.code).toBe(ErrorCode.ContractDownload);
    expect(closed?.message).toMatch(/ECONNREFUSED/);
    const module = await failure([`${origin}/scenarios/shop.ts`]);
    expect(module?.code).toBe(ErrorCode.SourceKind);
    expect(module?.message).toMatch(/a scenario module is code, not served from an address/);
  });
});

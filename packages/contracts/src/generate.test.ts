import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generate, isStale } from './generate.js';

let root: string;

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mockstack-contracts-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const PROTO = `syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
service Shop {
  rpc Get(GetRequest) returns (Item);
  rpc Watch(GetRequest) returns (stream Item);
}
enum Kind { KIND_UNSPECIFIED = 0; BOOK = 1; }
message GetRequest { string id = 1; int64 version = 2; }
message Item {
  string id = 1;
  Kind kind = 2;
  repeated string tags = 3;
  map<string, int32> stock = 4;
  google.protobuf.Timestamp at = 5;
  oneof price { int32 cents = 6; string label = 7; }
}
`;

test('proto messages as handlers read and write them, one registry entry per method', async () => {
  write('protos/shop.proto', PROTO);
  const { file, contracts } = await generate({ root });
  expect(contracts).toEqual(['protos/shop.proto']);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain("type shop_v1_Kind__Output = 'BOOK' | 'KIND_UNSPECIFIED';");
  expect(text).toContain('type shop_v1_Kind = shop_v1_Kind__Output | 0 | 1;');
  expect(text).toMatch(/interface shop_v1_GetRequest__Output \{\s+id: string;\s+version: string;\s+\}/);
  expect(text).toMatch(
    /interface shop_v1_Item \{[^}]*tags\?: readonly string\[\] \| null \| undefined;[^}]*stock\?: Readonly<Record<string, number>> \| null \| undefined;/,
  );
  expect(text).toMatch(/at: google_protobuf_Timestamp__Output \| null;/);
  expect(text).toContain('type google_protobuf_Timestamp = Date | string | number | {');
  expect(text).toMatch(/cents\?: number \| undefined;\s+label\?: string \| undefined;/);
  expect(text).toMatch(
    /'shop\.v1\.Shop': \{\s+Get: \{ request: shop_v1_GetRequest__Output; response: shop_v1_Item; requestStream: false; responseStream: false \};\s+Watch: \{ request: shop_v1_GetRequest__Output; response: shop_v1_Item; requestStream: false; responseStream: true \};/,
  );
});

test('GraphQL fields: parent, args with defaults applied, nullable results', async () => {
  write(
    'schemas/shop.graphql',
    'type Query { items(first: Int = 10, kind: Kind): [Item!]!  item(id: ID!): Item }\nenum Kind { BOOK MUG }\ntype Item { id: ID! kind: Kind name: String }\n',
  );
  const text = readFileSync((await generate({ root })).file, 'utf8');
  expect(text).toContain("type Kind = 'BOOK' | 'MUG';");
  expect(text).toMatch(
    /items: \{ parent: unknown; args: \{ first: number \| null; kind\?: gql_schemas_shop_graphql\.Kind \| null \| undefined; \}; result: readonly \(gql_schemas_shop_graphql\.Item\)\[\] \};/,
  );
  expect(text).toMatch(/item: \{ parent: unknown; args: \{ id: string; \}; result: gql_schemas_shop_graphql\.Item \| null \};/);
  expect(text).toMatch(/Item: \{\s+id: \{ parent: gql_schemas_shop_graphql\.Item;/);
});

test('OpenAPI operations by operationId, by route and per document (paths by method, in every form a route may write them)', async () => {
  write(
    'schemas/api.yaml',
    `openapi: 3.0.3
info: { title: t, version: '1' }
servers: [{ url: /api }]
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }, { name: full, in: query, schema: { type: boolean } }]
      responses:
        '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } } }
        '404': { description: gone }
components:
  schemas:
    Item: { type: object, required: [id], properties: { id: { type: string }, kind: { type: string, enum: [book, mug], nullable: true } } }
`,
  );
  const text = readFileSync((await generate({ root })).file, 'utf8');
  expect(text).toMatch(/type Item = \{ id: string; kind\?: \('book' \| 'mug'\) \| null \| undefined; \};/);
  expect(text).toMatch(
    /'GET \/api\/items\/:id': \{ method: 'GET'; route: '\/api\/items\/:id'; params: \{ id: string; \}; query: \{ full\?: string \| string\[\] \| undefined; \}/,
  );
  expect(text).toMatch(/responses: \{ 200: oas_schemas_api_yaml\.Item; 404: undefined; \}/);
  const operation = "oas_schemas_api_yaml__operations['GET /api/items/:id']";
  expect(text).toContain(`'getItem': ${operation};`);
  expect(text).toContain(`'GET /api/items/:id': ${operation};`);
  expect(text).toMatch(/'schemas\/api\.yaml': \{\s+operations: \{ 'getItem': oas_schemas_api_yaml__operations\['GET \/api\/items\/:id'\]; \};/);
  expect(text).toContain(`GET: { '/api/items/:id': ${operation}; '/items/{id}': ${operation}; '/items/:id': ${operation}; };`);
});

test('same input, same bytes; stale when a contract is newer', async () => {
  write('protos/shop.proto', PROTO);
  write('schemas/shop.graphql', 'type Query { a: Int }');
  const first = await generate({ root });
  const bytes = readFileSync(first.file, 'utf8');
  expect(isStale({ root })).toBe(false);
  const second = await generate({ root });
  expect(second.written).toBe(false);
  expect(readFileSync(second.file, 'utf8')).toBe(bytes);
  const later = new Date(Date.now() + 10_000);
  utimesSync(join(root, 'schemas/shop.graphql'), later, later);
  expect(isStale({ root })).toBe(true);
});

test('a contract that does not parse names its file and line', async () => {
  write('schemas/bad.graphql', 'type Query {\n  a: Int\n  b(: Int\n}\n');
  await expect(generate({ root })).rejects.toMatchObject({
    code: 'MOCKSTACK_ERR_CONTRACT_LOAD',
    message: expect.stringMatching(/^schemas\/bad\.graphql:3:5: /),
  });
  rmSync(join(root, 'schemas'), { recursive: true });
  write('protos/bad.proto', 'syntax = "proto3";\npackage x;\nmessage A { string id = 1 }\n');
  await expect(generate({ root })).rejects.toMatchObject({ message: expect.stringMatching(/protos\/bad\.proto:3/) });
});

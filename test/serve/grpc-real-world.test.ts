import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { type DescMessage, type FileRegistry, fromBinary, toJson } from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Stack } from '@mockstack/core';
import { protoPath as healthProto } from 'grpc-health-check';
import { grpc as grpcDsl } from 'mockstack';
import protobuf from 'protobufjs';
import { serveGrpc } from '../helpers/grpc-stack.js';
import { reflect } from '../helpers/reflection-client.js';

const fixtures = resolve(import.meta.dirname, '../fixtures/real-world');
const echoProto = resolve(fixtures, 'google/example/echo/v1/echo.proto');
const googleapis = dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));
const reflectionProtos = resolve(dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')), 'build/proto');
const ECHO = 'google.example.echo.v1.Echo';

type Message = Record<string, unknown>;
type Unary = (request: object, callback: (error: grpc.ServiceError | null, reply: Message) => void) => void;
interface EchoClient extends grpc.Client {
  Say: Unary;
  Tree: Unary;
  Wrap: Unary;
  Ticks(request: object): grpc.ClientReadableStream<Message>;
  Converse(): grpc.ClientDuplexStream<object, Message>;
}

function clientOf<T>(proto: string, includeDirs: string[], service: string, address: string): T {
  const loaded = grpc.loadPackageDefinition(loadSync(proto, { includeDirs, longs: String, enums: String, defaults: true, oneofs: true }));
  const Client = service.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], loaded) as grpc.ServiceClientConstructor;
  return new Client(address, grpc.credentials.createInsecure()) as T;
}

const call = (method: Unary, request: object): Promise<Message> =>
  new Promise((done, fail) => method(request, (error, reply) => (error ? fail(error) : done(reply))));

/** Reads one message, then cancels the call (a failure before that fails the test). */
function cancelAfterFirstMessage(stream: grpc.ClientReadableStream<Message> | grpc.ClientDuplexStream<object, Message>): Promise<void> {
  return new Promise((done, fail) => {
    stream.once('error', fail);
    stream.once('data', () => {
      stream.off('error', fail);
      stream.on('error', () => {}); // the cancellation the client asked for
      stream.cancel();
      done();
    });
  });
}

/**
 * Calls `path` with an empty request as a generic client does (raw bytes), and the answer's type `type`
 * as grpcurl reads it: from the server's reflection, in a strict registry.
 */
async function callReflected(address: string, path: string, type: string): Promise<{ registry: FileRegistry; schema: DescMessage; reply: Buffer }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const bytes = (b: Buffer): Buffer => b;
  try {
    const { registry } = await reflect(address);
    const schema = registry.getMessage(type);
    if (!schema) throw new Error(`reflection does not describe ${type}`);
    const reply = await new Promise<Buffer>((done, fail) =>
      client.makeUnaryRequest(path, bytes, bytes, Buffer.alloc(0), (error, value) => (error || !value ? fail(error ?? new Error('no answer')) : done(value))),
    );
    return { registry, schema, reply };
  } finally {
    client.close();
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('a service in a google.* package, importing google/rpc/status.proto from googleapis', () => {
  let stack: Stack;
  let client: EchoClient;

  beforeAll(async () => {
    const served = await serveGrpc(
      { proto: echoProto, includeDirs: [fixtures, googleapis] },
      {
        [ECHO]: {
          Wrap: ({ request }: { request: { text: string } }) =>
            request.text === 'bad'
              ? { payload: { '@type': 'type.googleapis.com/no.such.Type', title: 'x' } }
              : {
                  payload: { '@type': 'type.googleapis.com/google.example.echo.v1.Note', title: request.text, ttl: '1.5s' },
                  extras: [
                    { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '2s' },
                    { typeUrl: 'type.googleapis.com/google.example.echo.v1.SayRequest', value: Buffer.from([10, 2, 104, 105]) },
                  ],
                },
          Ticks: grpcDsl.stream([{ text: 'a' }, { text: 'b' }, { text: 'c' }, { text: 'd' }], { interval: '300ms' }),
        },
      },
    );
    stack = served.stack;
    client = clientOf<EchoClient>(echoProto, [fixtures, googleapis], ECHO, served.address);
  });

  afterAll(async () => {
    client.close();
    await stack.close();
  });

  beforeEach(() => stack.engine.journal.clear());

  test('is served (auto-mocked), not UNIMPLEMENTED', async () => {
    const reply = await call(client.Say.bind(client), { text: 'hello' });
    expect(reply).toMatchObject({ text: 'hello' });
  });

  test('a recursive message with maps of messages auto-mocks to a valid, finite message', async () => {
    const reply = await call(client.Tree.bind(client), {});
    expect(typeof reply.name).toBe('string');
    // Each map holds one entry; a Node never nests another Node, so the message ends.
    const leaves = Object.values(reply.leaves as Record<string, Message>);
    expect(leaves).toHaveLength(1);
    expect(Object.values((leaves[0] as Message).flags as object)).toHaveLength(1);
    expect(reply.children).toEqual({});
    expect(reply.parent).toBeNull();
  });

  test('an Any is written in its JSON form ("@type" plus fields) or as { typeUrl, value }', async () => {
    const reply = await call(client.Wrap.bind(client), { text: 'hi' });
    const payload = reply.payload as { type_url: string; value: Buffer };
    expect(payload.type_url).toBe('type.googleapis.com/google.example.echo.v1.Note');
    const types = new protobuf.Root();
    types.resolvePath = (_origin, target) =>
      target.startsWith('google/') && !target.startsWith('google/example') ? resolve(googleapis, target) : resolve(fixtures, target);
    types.loadSync('google/example/echo/v1/echo.proto');
    const note = types.lookupType('google.example.echo.v1.Note');
    expect(note.toObject(note.decode(payload.value), { longs: Number })).toEqual({ title: 'hi', ttl: { seconds: 1, nanos: 500_000_000 } });
    const extras = reply.extras as { type_url: string; value: Buffer }[];
    expect(extras.map((e) => e.type_url)).toEqual(['type.googleapis.com/google.protobuf.Duration', 'type.googleapis.com/google.example.echo.v1.SayRequest']);
    const duration = types.lookupType('google.protobuf.Duration');
    expect(duration.toObject(duration.decode(extras[0]?.value as Buffer), { longs: Number })).toEqual({ seconds: 2, nanos: 0 });
  });

  test('an Any naming a type no proto defines fails the call with a clear error, and the server keeps serving', async () => {
    await expect(call(client.Wrap.bind(client), { text: 'bad' })).rejects.toMatchObject({
      code: grpc.status.INTERNAL,
      details: expect.stringMatching(/payload\.@type: type\.googleapis\.com\/no\.such\.Type names no\.such\.Type, which none of the loaded protos defines/),
    });
    await expect(call(client.Say.bind(client), { text: 'still here' })).resolves.toMatchObject({ text: 'still here' });
  });

  test('a server stream the client cancels is journaled CANCELLED', async () => {
    await cancelAfterFirstMessage(client.Ticks({ text: 'go' }));
    await waitFor(() => stack.engine.journal.list().some((e) => e.operation === `${ECHO}/Ticks`));
    expect(stack.engine.journal.list().find((e) => e.operation === `${ECHO}/Ticks`)).toMatchObject({ status: 'CANCELLED', code: 'CANCELLED' });
  });

  test('an auto-mocked bidi stream the client cancels is journaled CANCELLED', async () => {
    const stream = client.Converse();
    const cancelled = cancelAfterFirstMessage(stream);
    stream.write({ text: 'one' });
    await cancelled;
    await waitFor(() => stack.engine.journal.list().some((e) => e.operation === `${ECHO}/Converse`));
    expect(stack.engine.journal.list().find((e) => e.operation === `${ECHO}/Converse`)).toMatchObject({ status: 'CANCELLED', code: 'CANCELLED' });
  });
});

test("a proto with a service without methods (Google's cloud_sql_instance_names.proto) is served; the service is listed by reflection", async () => {
  const proto = resolve(googleapis, 'google/cloud/sql/v1/cloud_sql_instance_names.proto');
  const { stack, address } = await serveGrpc({ proto, includeDirs: [googleapis] });
  type HealthClient = grpc.Client & { Check: Unary };
  const client = clientOf<HealthClient>(healthProto, [], 'grpc.health.v1.Health', address);
  try {
    await expect(call(client.Check.bind(client), { service: '' })).resolves.toEqual({ status: 'SERVING' });
  } finally {
    client.close();
    await stack.close();
  }
});

test("a proto importing google/protobuf/api.proto and type.proto is served in a process that loaded @grpc/proto-loader (Google's service management)", async () => {
  // proto-loader adds its own bundles of api.proto and type.proto to protobufjs' shared registry; they repeat each other's types.
  loadSync(healthProto);
  const proto = resolve(googleapis, 'google/api/servicemanagement/v1/servicemanager.proto');
  const { stack, address } = await serveGrpc({ proto, includeDirs: [googleapis] });
  try {
    const { schema, reply } = await callReflected(address, '/google.api.servicemanagement.v1.ServiceManager/GetServiceConfig', 'google.api.Service');
    expect(fromBinary(schema, reply)).toMatchObject({ name: expect.any(String) });
  } finally {
    await stack.close();
  }
});

test("a long-running method answers a done Operation holding the response and metadata types its operation_info names (Google's Memorystore CreateInstance)", async () => {
  const proto = resolve(googleapis, 'google/cloud/redis/v1/cloud_redis.proto');
  const { stack, address } = await serveGrpc({ proto, includeDirs: [googleapis] });
  type RedisClient = grpc.Client & { CreateInstance: Unary };
  const client = clientOf<RedisClient>(proto, [googleapis], 'google.cloud.redis.v1.CloudRedis', address);
  try {
    const operation = await call(client.CreateInstance.bind(client), { parent: 'projects/p/locations/l', instanceId: 'cache' });
    // A client library waiting for the operation (operation.promise()) resolves with the response; an error would reject it.
    expect(operation).toMatchObject({ done: true, result: 'response' });
    const response = operation.response as { type_url: string; value: Buffer };
    const metadata = operation.metadata as { type_url: string; value: Buffer };
    expect([response.type_url, metadata.type_url]).toEqual([
      'type.googleapis.com/google.cloud.redis.v1.Instance',
      'type.googleapis.com/google.cloud.redis.v1.OperationMetadata',
    ]);
    const types = new protobuf.Root();
    types.resolvePath = (_origin, target) => resolve(googleapis, target);
    types.loadSync('google/cloud/redis/v1/cloud_redis.proto');
    const instance = types.lookupType('google.cloud.redis.v1.Instance').decode(response.value).toJSON();
    // Named as the API names it (AIP-122/133): under the request's parent, with the id the request chose.
    expect(instance).toMatchObject({ name: 'projects/p/locations/l/instances/cache', memorySizeGb: expect.any(Number) });
  } finally {
    client.close();
    await stack.close();
  }
});

test('an Any is auto-mocked with a type the contract defines: an empty Any when no proto imports google/protobuf/empty.proto', async () => {
  const { stack, address } = await serveGrpc({ proto: echoProto, includeDirs: [fixtures, googleapis] });
  try {
    const { registry, schema, reply } = await callReflected(address, `/${ECHO}/Wrap`, 'google.example.echo.v1.Envelope');
    // grpcurl prints the answer as JSON with what reflection describes: each Any must name a type it knows.
    expect(toJson(schema, fromBinary(schema, reply), { registry })).toEqual({ payload: {}, extras: [{}, {}] });
  } finally {
    await stack.close();
  }
});

test('reflection gives each field its JSON name, as protoc does; a client building its types from reflection reads and writes JSON by it', async () => {
  const proto = resolve(googleapis, 'google/example/library/v1/library.proto');
  const { stack, address } = await serveGrpc({ proto, includeDirs: [googleapis] });
  try {
    const path = '/google.example.library.v1.LibraryService/ListBooks';
    const { schema, reply } = await callReflected(address, path, 'google.example.library.v1.ListBooksResponse');
    expect(schema.fields.map((f) => f.jsonName)).toEqual(['books', 'nextPageToken']);
    expect(toJson(schema, fromBinary(schema, reply))).toMatchObject({
      books: [{ name: expect.any(String), author: expect.any(String) }, expect.anything()],
      nextPageToken: expect.any(String),
    });
  } finally {
    await stack.close();
  }
});

test('a client paging through a list method (AIP-158 page_token, next_page_token) reaches the last page: the second page has no next token', async () => {
  const proto = resolve(googleapis, 'google/example/library/v1/library.proto');
  const { stack, address } = await serveGrpc({ proto, includeDirs: [googleapis] });
  type LibraryClient = grpc.Client & { ListBooks: Unary };
  const client = clientOf<LibraryClient>(proto, [googleapis], 'google.example.library.v1.LibraryService', address);
  try {
    // As google-gax's auto-pagination does: ask again with each next_page_token until there is none.
    const pages: Message[] = [];
    let pageToken = '';
    do {
      const page = await call(client.ListBooks.bind(client), { parent: 'shelves/1', pageToken });
      pages.push(page);
      pageToken = page.nextPageToken as string;
    } while (pageToken !== '' && pages.length < 10);
    expect(pages).toHaveLength(2);
    expect(pages[0]?.nextPageToken).not.toBe('');
    expect(pages.flatMap((page) => page.books as Message[])).toHaveLength(4);
  } finally {
    client.close();
    await stack.close();
  }
});

test('a list answers as many items as its page_size asks, each with the values of the fields it shares with the request', async () => {
  const dir = mkdtempSync(resolve(tmpdir(), 'mockstack-list-'));
  const proto = resolve(dir, 'catalog.proto');
  writeFileSync(
    proto,
    `syntax = "proto3";
package shop.v1;
service Catalog { rpc ListProducts(ListProductsRequest) returns (ListProductsResponse); }
enum Kind { KIND_UNSPECIFIED = 0; BOOK = 1; GAME = 2; }
message Product { string id = 1; string title = 2; string store = 3; Kind kind = 4; bool in_stock = 5; }
message ListProductsRequest { int32 page_size = 1; string page_token = 2; string store = 3; Kind kind = 4; string order_by = 5; }
message ListProductsResponse { repeated Product products = 1; string next_page_token = 2; }
`,
  );
  const { stack, address } = await serveGrpc({ proto });
  type CatalogClient = grpc.Client & { ListProducts: Unary };
  const client = clientOf<CatalogClient>(proto, [], 'shop.v1.Catalog', address);
  try {
    const page = (await call(client.ListProducts.bind(client), { pageSize: 7, store: 'oslo', kind: 'GAME', orderBy: 'title' })) as {
      products: { id: string; store: string; kind: string }[];
    };
    expect(page.products).toHaveLength(7);
    for (const product of page.products) expect(product).toMatchObject({ store: 'oslo', kind: 'GAME' });
    expect(new Set(page.products.map((product) => product.id)).size).toBe(7);
    // The same request, the same answer; a smaller page is its start.
    expect(await call(client.ListProducts.bind(client), { pageSize: 7, store: 'oslo', kind: 'GAME', orderBy: 'title' })).toEqual(page);
    const three = (await call(client.ListProducts.bind(client), { pageSize: 3 })) as { products: unknown[] };
    expect(three.products).toHaveLength(3);
  } finally {
    client.close();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("auto-mocked resources are named by their google.api.resource pattern, under the request's parent (AIP-122), as client libraries' path templates read them", async () => {
  const proto = resolve(googleapis, 'google/example/library/v1/library.proto');
  const { stack, address } = await serveGrpc({ proto, includeDirs: [googleapis] });
  type LibraryClient = grpc.Client & { ListBooks: Unary; GetBook: Unary; CreateBook: Unary; ListShelves: Unary };
  const client = clientOf<LibraryClient>(proto, [googleapis], 'google.example.library.v1.LibraryService', address);
  try {
    // Book: `shelves/{shelf}/books/{book}`; an id as AIP-122 has them.
    const { books } = (await call(client.ListBooks.bind(client), { parent: 'shelves/fiction' })) as { books: { name: string }[] };
    for (const { name } of books) expect(name).toMatch(/^shelves\/fiction\/books\/[a-z][a-z0-9-]*$/);
    expect(new Set(books.map((b) => b.name)).size).toBe(books.length);
    const created = await call(client.CreateBook.bind(client), { parent: 'shelves/fiction', book: { title: 'Moby Dick' } });
    expect(created.name).toMatch(/^shelves\/fiction\/books\/[a-z][a-z0-9-]*$/);
    // Asked by name: that name.
    expect((await call(client.GetBook.bind(client), { name: 'shelves/fiction/books/moby' })).name).toBe('shelves/fiction/books/moby');
    // Shelf: `shelves/{shelf_id}`, with no parent to follow.
    const { shelves } = (await call(client.ListShelves.bind(client), {})) as { shelves: { name: string }[] };
    for (const { name } of shelves) expect(name).toMatch(/^shelves\/[a-z][a-z0-9-]*$/);
  } finally {
    client.close();
    await stack.close();
  }
});

test("a request field left at its default is not echoed into the answer; a set one is (etcd's LeaseGrant: ID 0 asks the server to choose)", async () => {
  const proto = resolve(fixtures, 'etcd/lease.proto');
  const { stack, address } = await serveGrpc({ proto });
  type LeaseClient = grpc.Client & { LeaseGrant: Unary };
  const client = clientOf<LeaseClient>(proto, [], 'etcdserverpb.Lease', address);
  try {
    // As the etcd3 client's lease.grant() asks: a TTL, and ID 0 for any id.
    const granted = await call(client.LeaseGrant.bind(client), { TTL: 10, ID: 0 });
    expect(granted.TTL).toBe('10');
    expect(granted.ID).toMatch(/^[1-9]\d*$/);
    await expect(call(client.LeaseGrant.bind(client), { TTL: 10, ID: 42 })).resolves.toMatchObject({ ID: '42' });
  } finally {
    client.close();
    await stack.close();
  }
});

describe('a proto2 contract with required fields', () => {
  const proto = resolve(fixtures, 'proto2/ledger.proto');
  type LedgerClient = grpc.Client & { GetEntry: Unary; GetAccount: Unary };
  let stack: Stack;
  let client: LedgerClient;

  beforeAll(async () => {
    const served = await serveGrpc({ proto });
    stack = served.stack;
    client = clientOf<LedgerClient>(proto, [], 'ledger.v1.Ledger', served.address);
  });

  afterAll(async () => {
    client.close();
    await stack.close();
  });

  test('is auto-mocked with every required field set, however deep (protobufjs decodes it, checking them)', async () => {
    const reply = await call(client.GetEntry.bind(client), { id: 'e1' });
    expect(reply).toMatchObject({
      entry: { posting: { amount: { currency: { issuer: { code: expect.any(String) } } } }, source: { system: expect.any(String) } },
    });
  });

  test('a message no finite answer fits (a required field of its own type) fails the call naming the field; the server keeps serving', async () => {
    await expect(call(client.GetAccount.bind(client), { id: 'a1' })).rejects.toMatchObject({
      code: grpc.status.INTERNAL,
      details: expect.stringContaining('field parent: is required in ledger.v1.Account (proto2 required) but not set'),
    });
    await expect(call(client.GetEntry.bind(client), { id: 'e2' })).resolves.toMatchObject({ entry: expect.anything() });
  });
});

test("an auto-mocked answer is a success: fields reporting errors are empty, a google.rpc.Status is OK (Google's Speech streaming, Bigtable MutateRows)", async () => {
  const speechProto = resolve(googleapis, 'google/cloud/speech/v1/cloud_speech.proto');
  const bigtableProto = resolve(googleapis, 'google/bigtable/v2/bigtable.proto');
  const { stack, address } = await serveGrpc({ proto: [speechProto, bigtableProto], includeDirs: [googleapis] });
  type SpeechClient = grpc.Client & { StreamingRecognize(): grpc.ClientDuplexStream<object, Message> };
  type BigtableClient = grpc.Client & { MutateRows(request: object): grpc.ClientReadableStream<Message> };
  const speech = clientOf<SpeechClient>(speechProto, [googleapis], 'google.cloud.speech.v1.Speech', address);
  const bigtable = clientOf<BigtableClient>(bigtableProto, [googleapis], 'google.bigtable.v2.Bigtable', address);
  const all = (stream: grpc.ClientReadableStream<Message> | grpc.ClientDuplexStream<object, Message>): Promise<Message[]> =>
    new Promise((done, fail) => {
      const messages: Message[] = [];
      stream.on('data', (message: Message) => messages.push(message));
      stream.on('error', fail);
      stream.on('end', () => done(messages));
    });
  try {
    // The Speech client library emits an error for a response whose `error` is set, whatever its code.
    const call = speech.StreamingRecognize();
    const answers = all(call);
    call.write({ streamingConfig: { config: { languageCode: 'en-US' } } });
    call.write({ audioContent: Buffer.from('audio') });
    call.end();
    const responses = await answers;
    expect(responses).toHaveLength(2);
    for (const response of responses) expect(response).toMatchObject({ error: null, results: expect.any(Array) });
    const entries = (await all(bigtable.MutateRows({ tableName: 'projects/p/instances/i/tables/t', entries: [{ rowKey: Buffer.from('r') }] }))).flatMap(
      (response) => response.entries as Message[],
    );
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.status).toEqual({ code: 0, message: '', details: [] });
  } finally {
    speech.close();
    bigtable.close();
    await stack.close();
  }
});

test("a response field echoes the request field of its name only when the types agree (Google's order tracking: a string id in, an int64 out)", async () => {
  const proto = resolve(googleapis, 'google/shopping/merchant/ordertracking/v1/order_tracking_signals.proto');
  const { stack, address } = await serveGrpc({ proto, includeDirs: [googleapis] });
  const service = 'google.shopping.merchant.ordertracking.v1.OrderTrackingSignalsService';
  type TrackingClient = grpc.Client & { CreateOrderTrackingSignal: Unary };
  const client = clientOf<TrackingClient>(proto, [googleapis], service, address);
  try {
    const created = await call(client.CreateOrderTrackingSignal.bind(client), {
      parent: 'accounts/1',
      orderTrackingSignalId: 'signal-one',
      orderTrackingSignal: { merchantId: '7' },
    });
    expect(created.orderTrackingSignalId).toMatch(/^-?\d+$/);
  } finally {
    client.close();
    await stack.close();
  }
});

test("a user's own grpc/health/v1/health.proto replaces the built-in health service", async () => {
  const { stack, address } = await serveGrpc({ proto: healthProto }, { 'grpc.health.v1.Health': { Check: { status: 'NOT_SERVING' } } });
  type HealthClient = grpc.Client & { Check: Unary };
  const client = clientOf<HealthClient>(healthProto, [], 'grpc.health.v1.Health', address);
  try {
    await expect(call(client.Check.bind(client), { service: '' })).resolves.toEqual({ status: 'NOT_SERVING' });
    const { services } = await reflect(address);
    expect(services.filter((s) => s === 'grpc.health.v1.Health')).toHaveLength(1);
  } finally {
    client.close();
    await stack.close();
  }
});

test("a user's own reflection proto replaces that version of the built-in reflection; the other still answers", async () => {
  const proto = resolve(reflectionProtos, 'grpc/reflection/v1alpha/reflection.proto');
  const { stack, address } = await serveGrpc({ proto });
  try {
    const { services } = await reflect(address, 'v1');
    expect(services).toContain('grpc.reflection.v1alpha.ServerReflection');
  } finally {
    await stack.close();
  }
});

test('bytes that are not a HealthCheckRequest get INVALID_ARGUMENT from the built-in health service (not INTERNAL), which keeps serving', async () => {
  const { stack, address } = await serveGrpc({ proto: resolve(import.meta.dirname, '../../protos/payments.proto') });
  const raw = new grpc.Client(address, grpc.credentials.createInsecure());
  type HealthClient = grpc.Client & { Check: Unary };
  const health = clientOf<HealthClient>(healthProto, [], 'grpc.health.v1.Health', address);
  const sendBytes = (bytes: Buffer): Promise<grpc.ServiceError | null> =>
    new Promise((done) => {
      raw.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        (error) => done(error),
      );
    });
  try {
    // A ten-byte varint tag ending in wire type 7, which protobuf does not have.
    const error = await sendBytes(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toContain('not a valid grpc.health.v1.HealthCheckRequest');
    await expect(call(health.Check.bind(health), { service: '' })).resolves.toEqual({ status: 'SERVING' });
  } finally {
    raw.close();
    health.close();
    await stack.close();
  }
});

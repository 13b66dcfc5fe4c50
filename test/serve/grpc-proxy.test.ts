/**
 * gRPC proxy fallback: `grpc({ proxy })` sends the calls no rule answers to the real server (a bare
 * grpc-js server started here) for all four kinds of method, metadata and status passed through,
 * journaled under `proxy:<service>`; an unreachable real server is UNAVAILABLE and the mock keeps serving.
 */
import { resolve } from 'node:path';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startStack, type TestStack } from '@mockstack/testing';
import { fault, grpc, scenario } from 'mockstack';
import { tcpServerGuard } from '../helpers/grpc-stack.js';

const proto = resolve(import.meta.dirname, '../fixtures/contracts/notes.proto');
type Note = { id: string; text: string };
interface NotesClient extends grpcJs.Client {
  Get(request: object, metadata: grpcJs.Metadata, callback: (error: grpcJs.ServiceError | null, value?: Note) => void): grpcJs.ClientUnaryCall;
  Import(callback: (error: grpcJs.ServiceError | null, value?: { count: number }) => void): grpcJs.ClientWritableStream<Note>;
  List(request: object): grpcJs.ClientReadableStream<Note>;
  Sync(): grpcJs.ClientDuplexStream<Note, Note>;
}
const definition = grpcJs.loadPackageDefinition(loadSync(proto, { defaults: true }));
const Notes = (definition.demo as Record<string, Record<string, Record<string, unknown>>>).notes?.v1?.Notes as unknown as (new (
  address: string,
  credentials: grpcJs.ChannelCredentials,
) => NotesClient) & { service: grpcJs.ServiceDefinition };

let real: grpcJs.Server;
let stack: TestStack;
let client: NotesClient;
let down: NotesClient;
let noServerLeft: () => Promise<void>;

beforeAll(async () => {
  noServerLeft = tcpServerGuard();
  real = new grpcJs.Server();
  real.addService(Notes.service, {
    Get: (call: grpcJs.ServerUnaryCall<{ id: string }, Note>, callback: grpcJs.sendUnaryData<Note>) => {
      if (call.request.id === 'missing') {
        const trailers = new grpcJs.Metadata();
        trailers.set('x-reason', 'deleted');
        callback({ code: grpcJs.status.NOT_FOUND, details: 'no note missing', metadata: trailers });
        return;
      }
      call.sendMetadata(Object.assign(new grpcJs.Metadata(), { internalRepr: new Map([['x-served-by', ['real']]]) }));
      callback(null, { id: call.request.id, text: `real ${call.request.id} for ${String(call.metadata.get('x-tenant')[0] ?? 'nobody')}` });
    },
    Import: (call: grpcJs.ServerReadableStream<Note, { count: number }>, callback: grpcJs.sendUnaryData<{ count: number }>) => {
      let count = 0;
      call.on('data', () => count++);
      call.on('end', () => callback(null, { count }));
    },
    List: (call: grpcJs.ServerWritableStream<{ limit: number }, Note>) => {
      const limit = call.request.limit;
      for (let i = 1; i <= Math.min(limit, 3); i++) call.write({ id: `n${i}`, text: `note ${i}` });
      if (limit > 3) call.emit('error', { code: grpcJs.status.RESOURCE_EXHAUSTED, details: 'at most 3 notes' });
      else call.end();
    },
    Sync: (call: grpcJs.ServerDuplexStream<Note, Note>) => {
      call.on('data', (note: Note) => call.write({ id: note.id, text: note.text.toUpperCase() }));
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((done, fail) =>
    real.bindAsync('127.0.0.1:0', grpcJs.ServerCredentials.createInsecure(), (error, bound) => (error ? fail(error) : done(bound))),
  );
  stack = await startStack(
    scenario('grpc-proxy', { seed: 3 }).services({
      notes: grpc({ proto, proxy: `127.0.0.1:${port}` }, [
        grpc.method('demo.notes.v1.Notes/Get', { match: { body: { id: 'mocked' } } }, { id: 'mocked', text: 'from the mock' }),
        grpc.method('demo.notes.v1.Notes/Import', { times: 1 }, fault.grpc('UNAVAILABLE', 'try again')),
      ]),
      down: grpc({ proto, proxy: 'grpc://127.0.0.1:1' }),
    }),
  );
  client = new Notes(stack.url('notes'), grpcJs.credentials.createInsecure());
  down = new Notes(stack.url('down'), grpcJs.credentials.createInsecure());
});

beforeEach(() => stack.reset());
afterAll(async () => {
  client.close();
  down.close();
  await stack.close();
  await new Promise<void>((done) => real.tryShutdown(() => done()));
  await noServerLeft();
});

const get = (target: NotesClient, id: string, metadata = new grpcJs.Metadata()) =>
  new Promise<{ error: grpcJs.ServiceError | null; value: Note | undefined; headers: grpcJs.Metadata | undefined }>((done) => {
    let headers: grpcJs.Metadata | undefined;
    const call = target.Get({ id }, metadata, (error, value) => done({ error, value, headers }));
    call.on('metadata', (m) => {
      headers = m;
    });
  });
const collect = <T>(stream: grpcJs.ClientReadableStream<T>) =>
  new Promise<{ messages: T[]; error: grpcJs.ServiceError | undefined }>((done) => {
    const messages: T[] = [];
    stream.on('data', (m: T) => messages.push(m));
    stream.on('error', (error: grpcJs.ServiceError) => done({ messages, error }));
    stream.on('end', () => done({ messages, error: undefined }));
  });

test('a unary call no rule answers goes to the real server, metadata and status both ways; a rule still wins', async () => {
  const metadata = new grpcJs.Metadata();
  metadata.set('x-tenant', 'acme');
  const proxied = await get(client, 'n1', metadata);
  expect(proxied.error).toBeNull();
  expect(proxied.value).toEqual({ id: 'n1', text: 'real n1 for acme' });
  expect(proxied.headers?.get('x-served-by')).toEqual(['real']);
  expect((await get(client, 'mocked')).value).toEqual({ id: 'mocked', text: 'from the mock' });
  const missing = await get(client, 'missing');
  expect(missing.error?.code).toBe(grpcJs.status.NOT_FOUND);
  expect(missing.error?.details).toBe('no note missing');
  expect(missing.error?.metadata.get('x-reason')).toEqual(['deleted']);
  expect(stack.requests({ service: 'notes' }).map((e) => [e.target, e.rule, e.status])).toEqual([
    ['/demo.notes.v1.Notes/Get', 'proxy:notes', 'OK'],
    ['/demo.notes.v1.Notes/Get', expect.stringMatching(/^notes#\d+$/), 'OK'],
    ['/demo.notes.v1.Notes/Get', 'proxy:notes', 'NOT_FOUND'],
  ]);
});

test('client streaming, server streaming (with the real status at its end) and bidi are proxied', async () => {
  const importOnce = () =>
    new Promise<{ error: grpcJs.ServiceError | null; value: { count: number } | undefined }>((done) => {
      const call = client.Import((error, value) => done({ error, value }));
      for (const id of ['a', 'b', 'c']) call.write({ id, text: id });
      call.end();
    });
  expect((await importOnce()).error?.code).toBe(grpcJs.status.UNAVAILABLE);
  expect((await importOnce()).value).toEqual({ count: 3 });

  expect(await collect(client.List({ limit: 2 }))).toEqual({
    messages: [
      { id: 'n1', text: 'note 1' },
      { id: 'n2', text: 'note 2' },
    ],
    error: undefined,
  });
  const cut = await collect(client.List({ limit: 5 }));
  expect(cut.messages).toHaveLength(3);
  expect(cut.error?.code).toBe(grpcJs.status.RESOURCE_EXHAUSTED);
  expect(cut.error?.details).toBe('at most 3 notes');

  const sync = client.Sync();
  const echoed = collect(sync);
  sync.write({ id: 'x', text: 'hello' });
  sync.write({ id: 'y', text: 'bye' });
  sync.end();
  expect(await echoed).toEqual({
    messages: [
      { id: 'x', text: 'HELLO' },
      { id: 'y', text: 'BYE' },
    ],
    error: undefined,
  });
  expect(stack.requests({ service: 'notes' }).map((e) => e.rule)).toEqual([
    expect.stringMatching(/^notes#\d+$/),
    'proxy:notes',
    'proxy:notes',
    'proxy:notes',
    'proxy:notes',
  ]);
});

test('an unreachable real server is UNAVAILABLE, journaled, and the mock keeps serving', async () => {
  const failed = await get(down, 'n1');
  expect(failed.error?.code).toBe(grpcJs.status.UNAVAILABLE);
  expect(stack.requests({ service: 'down' }).at(-1)).toMatchObject({ rule: 'proxy:down', status: 'UNAVAILABLE' });
  expect((await get(client, 'mocked')).value?.text).toBe('from the mock');
});

/**
 * gRPC-Web's text format (application/grpc-web-text, base64 frames): the default mode of the official
 * grpc-web client, here the real client (over xhr2, its XMLHttpRequest in Node) against auto-mocked
 * googleapis services on the web port.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Stack } from '@mockstack/core';
import * as grpcWeb from 'grpc-web';
import protobuf from 'protobufjs';
import { serveGrpc } from '../helpers/grpc-stack.js';

const require = createRequire(import.meta.url);
const googleapis = dirname(require.resolve('google-proto-files/package.json'));
const PROTOS = ['google/example/library/v1/library.proto', 'google/bigtable/v2/bigtable.proto'];

type Message = Record<string, unknown>;
/** A message class as protoc-gen-grpc-web's generated code has them (serializeBinary, deserializeBinary), over protobufjs. */
interface MessageClass {
  new (value?: unknown): { serializeBinary(): Uint8Array };
  deserializeBinary(bytes: Uint8Array): Message;
}

const types = new protobuf.Root();
types.resolvePath = (_origin, target) => resolve(googleapis, target);
types.loadSync(PROTOS);

function messageClass(name: string): MessageClass {
  const type = types.lookupType(name);
  return class {
    readonly #value: Message;
    constructor(value: unknown = {}) {
      this.#value = value as Message;
    }
    serializeBinary(): Uint8Array {
      return type.encode(type.fromObject(this.#value)).finish();
    }
    static deserializeBinary(bytes: Uint8Array): Message {
      return type.toObject(type.decode(bytes), { longs: String }) as Message;
    }
  };
}

function method(path: string, kind: string, request: MessageClass, response: MessageClass): grpcWeb.MethodDescriptor<unknown, Message> {
  return new grpcWeb.MethodDescriptor(
    path,
    kind,
    request,
    response,
    (message: unknown) => (message as { serializeBinary(): Uint8Array }).serializeBinary(),
    response.deserializeBinary,
  );
}

const GetShelfRequest = messageClass('google.example.library.v1.GetShelfRequest');
const GetShelf = method(
  '/google.example.library.v1.LibraryService/GetShelf',
  grpcWeb.MethodType.UNARY,
  GetShelfRequest,
  messageClass('google.example.library.v1.Shelf'),
);
const ReadRowsRequest = messageClass('google.bigtable.v2.ReadRowsRequest');
const ReadRows = method(
  '/google.bigtable.v2.Bigtable/ReadRows',
  grpcWeb.MethodType.SERVER_STREAMING,
  ReadRowsRequest,
  messageClass('google.bigtable.v2.ReadRowsResponse'),
);

let stack: Stack;
let web: string;
const hadXhr = 'XMLHttpRequest' in globalThis;

beforeAll(async () => {
  // The official client calls with the browser's XMLHttpRequest; xhr2 is that for Node.
  if (!hadXhr) (globalThis as Record<string, unknown>).XMLHttpRequest = require('xhr2');
  const served = await serveGrpc({ proto: PROTOS.map((p) => resolve(googleapis, p)), includeDirs: [googleapis], web: { port: 0 } });
  stack = served.stack;
  web = stack.address('svc').also?.[0]?.url ?? '';
});

afterAll(async () => {
  await stack.close();
  if (!hadXhr) delete (globalThis as Record<string, unknown>).XMLHttpRequest;
});

function unary(client: grpcWeb.GrpcWebClientBase, name: string): Promise<Message> {
  return new Promise((done, fail) => {
    client.rpcCall(`${web}${GetShelf.getName()}`, new GetShelfRequest({ name }), {}, GetShelf, (error, reply) => (error ? fail(error) : done(reply)));
  });
}

function stream(client: grpcWeb.GrpcWebClientBase): Promise<Message[]> {
  return new Promise((done, fail) => {
    const messages: Message[] = [];
    const call = client.serverStreaming(`${web}${ReadRows.getName()}`, new ReadRowsRequest({ tableName: 'projects/p/instances/i/tables/t' }), {}, ReadRows);
    call.on('data', (message) => messages.push(message));
    call.on('error', fail);
    call.on('end', () => done(messages));
  });
}

test.each(['text', 'binary'])('the official grpc-web client in %s mode calls unary and server-streaming methods', async (format) => {
  const client = new grpcWeb.GrpcWebClientBase({ format });
  await expect(unary(client, 'shelves/1')).resolves.toMatchObject({ name: 'shelves/1', theme: expect.any(String) });
  const rows = await stream(client);
  expect(rows).toHaveLength(3);
  expect(rows[0]).toMatchObject({ chunks: expect.any(Array) });
});

test('a gRPC-Web text body that is not base64 gets INVALID_ARGUMENT saying so, and the port keeps serving', async () => {
  const answer = await fetch(`${web}${GetShelf.getName()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/grpc-web-text', accept: 'application/grpc-web-text', 'x-grpc-web': '1' },
    body: 'not base64!',
  });
  expect(answer.headers.get('content-type')).toBe('application/grpc-web-text+proto');
  const trailer = Buffer.from(await answer.text(), 'base64').toString('latin1');
  expect(trailer).toContain('grpc-status: 3');
  expect(decodeURIComponent(/grpc-message: (.*)\r\n/.exec(trailer)?.[1] ?? '')).toBe(
    'the gRPC-Web text request body is not base64: it holds characters base64 does not have',
  );
  await expect(unary(new grpcWeb.GrpcWebClientBase({ format: 'text' }), 'shelves/2')).resolves.toMatchObject({ name: 'shelves/2' });
});

/**
 * The journal keeps a gRPC stream's messages both ways with their timing (what the dashboard's detail shows):
 * a server stream's items, a bidi call's received and sent messages in order, bounded to the first 100; the
 * same for calls over Connect and gRPC-Web on the service's web port (the Connect Node clients).
 */
import { resolve } from 'node:path';
import type { DescService } from '@bufbuild/protobuf';
import { createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { StreamMessage } from '@mockstack/core';
import { descriptorRegistry, loadProtos } from '@mockstack/grpc';
import { startStack, type TestStack } from '@mockstack/testing';
import { grpc as grpcService, scenario } from 'mockstack';

const proto = resolve(import.meta.dirname, '../fixtures/init/chat.proto');

interface Message {
  room: string;
  text: string;
}
type Chat = grpc.Client & {
  Follow(room: object): grpc.ClientReadableStream<Message>;
  Talk(): grpc.ClientDuplexStream<Message, Message>;
};

let stack: TestStack;
let chat: Chat;

beforeAll(async () => {
  stack = await startStack(
    scenario('streams').services({
      chat: grpcService({ proto, web: true }, [
        grpcService.method('demo.chat.v1.Chat/Follow', ({ request }: { request: { id: string } }) =>
          request.id === 'busy'
            ? Array.from({ length: 130 }, (_, i) => ({ room: 'busy', text: `m${i}` }))
            : grpcService.stream(
                [
                  { room: request.id, text: 'one' },
                  { room: request.id, text: 'two' },
                ],
                { interval: '5ms' },
              ),
        ),
        grpcService.method('demo.chat.v1.Chat/Talk', async ({ incoming, write }) => {
          for await (const message of incoming as AsyncIterable<Message>) write({ room: message.room, text: `echo ${message.text}` });
        }),
      ]),
    }),
  );
  const Chat = (grpc.loadPackageDefinition(protoLoader.loadSync(proto)) as unknown as { demo: { chat: { v1: { Chat: grpc.ServiceClientConstructor } } } }).demo
    .chat.v1.Chat;
  chat = new Chat(stack.url('chat'), grpc.credentials.createInsecure()) as unknown as Chat;
});
afterAll(async () => {
  chat.close();
  await stack.close();
});
beforeEach(() => stack.reset());

const read = (stream: grpc.ClientReadableStream<Message> | grpc.ClientDuplexStream<Message, Message>) =>
  new Promise<Message[]>((done, fail) => {
    const messages: Message[] = [];
    stream.on('data', (m: Message) => messages.push(m));
    stream.on('end', () => done(messages));
    stream.on('error', fail);
  });

const timeline = (messages: StreamMessage[] | undefined) => messages?.map((m) => [m.direction, (m.message as Message).text]);

/** The journal's one entry, a Follow of 'lobby' over `protocol`: each item sent, in order, with when. */
function expectLobbyStreamJournaled(protocol: string): void {
  const [entry] = stack.requests();
  expect(entry?.protocol).toBe(protocol);
  expect(entry?.response?.body).toBeUndefined();
  expect(timeline(entry?.response?.messages)).toEqual([
    ['out', 'one'],
    ['out', 'two'],
  ]);
  const [first, second] = entry?.response?.messages ?? [];
  expect(second?.atMs).toBeGreaterThanOrEqual(first?.atMs ?? Number.POSITIVE_INFINITY);
}

/** The journal's one entry, a Talk of 'hi' then 'bye': what came in and what went out, each reply after its message. */
function expectEchoTalkJournaled(): void {
  const [entry] = stack.requests();
  const sent = timeline(entry?.response?.messages) ?? [];
  expect(sent.filter(([direction]) => direction === 'in')).toEqual([
    ['in', 'hi'],
    ['in', 'bye'],
  ]);
  expect(sent.filter(([direction]) => direction === 'out')).toEqual([
    ['out', 'echo hi'],
    ['out', 'echo bye'],
  ]);
  expect(sent.findIndex(([, text]) => text === 'echo hi')).toBeGreaterThan(sent.findIndex(([, text]) => text === 'hi'));
  expect(sent.findIndex(([, text]) => text === 'echo bye')).toBeGreaterThan(sent.findIndex(([, text]) => text === 'bye'));
}

test('a server stream: each item sent, with when, in place of the spent iterable', async () => {
  expect((await read(chat.Follow({ id: 'lobby' }))).map((m) => m.text)).toEqual(['one', 'two']);
  expectLobbyStreamJournaled('grpc');
});

test('a bidi call: what came in and what went out, in order', async () => {
  const talk = chat.Talk();
  const replies = read(talk);
  talk.write({ room: 'r', text: 'hi' });
  talk.write({ room: 'r', text: 'bye' });
  talk.end();
  expect((await replies).map((m) => m.text)).toEqual(['echo hi', 'echo bye']);
  expectEchoTalkJournaled();
});

test('a long stream keeps the first 100 messages and counts the others', async () => {
  expect(await read(chat.Follow({ id: 'busy' }))).toHaveLength(130);
  const [entry] = stack.requests();
  expect(entry?.response?.messages).toHaveLength(100);
  expect(entry?.response?.droppedMessages).toBe(30);
  expect(timeline(entry?.response?.messages)?.[99]).toEqual(['out', 'm99']);
});

describe('over Connect and gRPC-Web on the web port', () => {
  const Chat = descriptorRegistry(loadProtos([proto], [])).getService('demo.chat.v1.Chat') as DescService;
  interface ChatClient {
    follow(room: object): AsyncIterable<Message>;
    talk(messages: AsyncIterable<Message>): AsyncIterable<Message>;
  }
  const web = (): string => stack.services.chat?.also?.[0]?.url ?? '';
  const client = (transport: Transport): ChatClient => createClient(Chat, transport) as unknown as ChatClient;
  const collect = async (stream: AsyncIterable<Message>): Promise<string[]> => {
    const texts: string[] = [];
    for await (const message of stream) texts.push(message.text);
    return texts;
  };

  test.each([
    ['Connect', 'connect', () => createConnectTransport({ baseUrl: web(), httpVersion: '1.1' })],
    ['gRPC-Web', 'grpc-web', () => createGrpcWebTransport({ baseUrl: web(), httpVersion: '1.1' })],
  ] as const)('a server stream over %s: each item sent, with when', async (_name, protocol, transport) => {
    expect(await collect(client(transport()).follow({ id: 'lobby' }))).toEqual(['one', 'two']);
    expectLobbyStreamJournaled(protocol);
  });

  test('a bidi call over Connect (h2c): what came in and what went out, in order', async () => {
    async function* lines(): AsyncGenerator<Message> {
      yield { room: 'r', text: 'hi' };
      yield { room: 'r', text: 'bye' };
    }
    expect(await collect(client(createConnectTransport({ baseUrl: web(), httpVersion: '2' })).talk(lines()))).toEqual(['echo hi', 'echo bye']);
    expectEchoTalkJournaled();
  });

  test('a long stream over Connect keeps the first 100 messages and counts the others', async () => {
    expect(await collect(client(createConnectTransport({ baseUrl: web(), httpVersion: '1.1' })).follow({ id: 'busy' }))).toHaveLength(130);
    const [entry] = stack.requests();
    expect(entry?.response?.messages).toHaveLength(100);
    expect(entry?.response?.droppedMessages).toBe(30);
  });
});

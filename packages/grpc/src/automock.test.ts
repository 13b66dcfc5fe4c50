import { fileURLToPath } from 'node:url';
import * as grpcJs from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { compile, createStack, type Stack, scenarioDefinitionOf } from '@mockstack/core';
import { type GrpcServices, grpc, scenario } from '@mockstack/dsl';
import protobuf from 'protobufjs';
import { AutoMocker } from './automock.js';
import { grpcAdapter } from './index.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const KITCHEN = 'test.kitchen.v1.Kitchen';
const definition = grpcJs.loadPackageDefinition(
  loadSync(`${fixtures}kitchen.proto`, { longs: String, enums: String, defaults: true, includeDirs: [fixtures] }),
);
const Kitchen = ((definition.test as Record<string, Record<string, Record<string, unknown>>>).kitchen?.v1?.Kitchen ?? null) as new (
  address: string,
  credentials: grpcJs.ChannelCredentials,
) => grpcJs.Client & Record<string, (...args: unknown[]) => unknown>;

type Msg = Record<string, unknown>;

/** A stack of the kitchen protos with no handlers (everything auto-mocked), and a client. */
async function start(seed: number, options: { autoMock?: boolean; menu?: 'unimplemented' } = {}) {
  const services: GrpcServices<never> = options.menu ? { [KITCHEN]: { Menu: grpc.unimplemented('menus are not mocked') } } : {};
  const s = scenario(`auto-${seed}`, { seed }).services({ kitchen: grpc({ proto: `${fixtures}kitchen.proto`, autoMock: options.autoMock ?? true }, services) });
  const def = scenarioDefinitionOf(s);
  if (!def) throw new Error('not a scenario');
  const stack = createStack(await compile(def, { adapters: [grpcAdapter], file: fileURLToPath(import.meta.url) }), { adapters: [grpcAdapter] });
  const [served] = await stack.listen();
  const client = new Kitchen(`127.0.0.1:${served?.port}`, grpcJs.credentials.createInsecure());
  return { stack, client };
}

function unary(client: InstanceType<typeof Kitchen>, method: string, request: object): Promise<{ error: grpcJs.ServiceError | null; value?: Msg }> {
  return new Promise((resolve) =>
    (client[method] as (r: object, cb: (e: grpcJs.ServiceError | null, v?: Msg) => void) => void)(request, (error, value) =>
      resolve({ error, ...(value && { value }) }),
    ),
  );
}

function collect(call: grpcJs.ClientReadableStream<Msg>): Promise<Msg[]> {
  const messages: Msg[] = [];
  call.on('data', (m: Msg) => messages.push(m));
  return new Promise((resolve, reject) => {
    call.on('error', reject);
    call.on('end', () => resolve(messages));
  });
}

const running: { stack: Stack; client: grpcJs.Client }[] = [];
let a: Awaited<ReturnType<typeof start>>;
let same: Awaited<ReturnType<typeof start>>;
let other: Awaited<ReturnType<typeof start>>;

beforeAll(async () => {
  a = await start(11);
  same = await start(11);
  other = await start(12);
  running.push(a, same, other);
});

afterAll(async () => {
  for (const { stack, client } of running) {
    client.close();
    await stack.close();
  }
});

describe('auto-mocks of every call kind', () => {
  test('the same seed gives the same message, another seed another one; the journal says auto-mock', async () => {
    const first = await unary(a.client, 'PlaceOrder', { dish: 'soup', quantity: 2 });
    expect(first.value).toMatchObject({ dish: 'soup', quantity: 2 });
    expect(typeof first.value?.ticketId).toBe('string');
    expect((await unary(same.client, 'PlaceOrder', { dish: 'soup', quantity: 2 })).value).toEqual(first.value);
    expect((await unary(other.client, 'PlaceOrder', { dish: 'soup', quantity: 2 })).value).not.toEqual(first.value);
    expect(a.stack.engine.journal.list()[0]).toMatchObject({ rule: `contract:${KITCHEN}/PlaceOrder`, status: 'OK' });
  });

  test('server streaming sends several messages', async () => {
    const messages = await collect((a.client.Track as (r: object) => grpcJs.ClientReadableStream<Msg>)({ ticketId: 't1' }));
    expect(messages.length).toBe(3);
    expect(messages.every((m) => m.ticketId === 't1')).toBe(true);
  });

  test('client streaming answers once after every message', async () => {
    const value = await new Promise<Msg | undefined>((resolve, reject) => {
      const call = (a.client.Batch as (cb: (e: grpcJs.ServiceError | null, v?: Msg) => void) => grpcJs.ClientWritableStream<object>)((e, v) =>
        e ? reject(e) : resolve(v),
      );
      call.write({ dish: 'a' });
      call.write({ dish: 'b' });
      call.end();
    });
    expect(((value?.dishes ?? []) as string[]).length).toBeGreaterThan(0);
  });

  test('bidi answers each message', async () => {
    const call = (a.client.Chat as () => grpcJs.ClientDuplexStream<object, Msg>)();
    const done = collect(call);
    call.write({ text: 'one' });
    call.write({ text: 'two' });
    call.end();
    expect((await done).map((m) => m.text)).toEqual(['one', 'two']);
  });
});

describe('UNIMPLEMENTED instead of auto-mocks', () => {
  test('autoMock: false answers UNIMPLEMENTED for methods without rules', async () => {
    const off = await start(1, { autoMock: false });
    running.push(off);
    const r = await unary(off.client, 'Menu', { restaurantId: 'r' });
    expect(r.error?.code).toBe(grpcJs.status.UNIMPLEMENTED);
    expect(r.error?.details).toContain('auto-mocks are off');
    expect(off.stack.engine.journal.list()[0]).toMatchObject({ status: 'UNIMPLEMENTED' });
  });

  test('grpc.unimplemented() for one method', async () => {
    const one = await start(1, { menu: 'unimplemented' });
    running.push(one);
    expect((await unary(one.client, 'Menu', { restaurantId: 'r' })).error?.code).toBe(grpcJs.status.UNIMPLEMENTED);
    expect((await unary(one.client, 'PlaceOrder', { dish: 'x' })).error).toBeNull();
  });
});

describe('answers a client can act on (AutoMocker alone)', () => {
  const struct = protobuf.common.get('google/protobuf/struct.proto');
  const root = protobuf.parse(`
    syntax = "proto3";
    package shop.v1;
    import "google/protobuf/struct.proto";
    message Payment { string id = 1; }
    message ReadOptions { bytes transaction = 1; bool new_transaction = 2; }
    message ReadRequest { repeated string keys = 1; ReadOptions options = 2; }
    message ReadResponse {
      repeated string found = 1;
      repeated string deferred = 2;
      bytes transaction = 3;
      Payment payment = 4;
      google.protobuf.Value value = 5;
    }
    service Shop { rpc Read(ReadRequest) returns (ReadResponse); }
  `).root;
  if (struct?.nested) root.addJSON(struct.nested);
  root.resolveAll();
  const response = root.lookupType('shop.v1.ReadResponse');
  const answer = (request: object): Record<string, unknown> => new AutoMocker(1).message(response, 'shop.v1.Shop/Read', request);

  test('a transaction id only when the request began one; a message field named transaction like any other', () => {
    const plain = answer({ keys: ['k'], options: { newTransaction: false } });
    expect(plain.transaction).toBeUndefined();
    expect(answer({ keys: ['k'], options: { newTransaction: true } }).transaction).toEqual(expect.any(String));
    const payments = protobuf.parse('syntax = "proto3"; package p; message Transaction { string id = 1; } message R { Transaction transaction = 1; }').root;
    payments.resolveAll();
    expect(new AutoMocker(1).message(payments.lookupType('p.R'), 'p.S/Get', {}).transaction).toEqual({ id: expect.any(String) });
  });

  test('no deferred work to ask for again, and a Value holds a value', () => {
    const reply = answer({ keys: ['k'] });
    expect(reply.deferred).toBeUndefined();
    expect((reply.found as string[]).length).toBeGreaterThan(0);
    expect(reply.value).not.toHaveProperty('nullValue');
    expect(Object.keys(reply.value as object)).toHaveLength(1);
  });

  test('nothing rejected, dropped or failed: a partial success is left out, the counts are 0', () => {
    const batch = protobuf.parse(`
      syntax = "proto3"; package b;
      message PartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
      message Result { int32 failed_count = 1; uint32 droppedItems = 2; int32 accepted = 3; repeated int32 rejected_codes = 4; }
      message ExportResponse { PartialSuccess partial_success = 1; Result result = 2; int64 rejected_data_points = 3; }
    `).root;
    batch.resolveAll();
    const reply = new AutoMocker(1).message(batch.lookupType('b.ExportResponse'), 'b.S/Export', {});
    // Field names as protobufjs gives them (lowerCamelCase).
    expect(Object.keys(reply)).toEqual(['result']);
    expect(reply.result).toEqual({ accepted: expect.any(Number) });
  });

  test('a date and a time of day are ones a client can make a date of (google.type.Date, TimeOfDay)', () => {
    const types = protobuf.parse(`
      syntax = "proto3"; package google.type;
      message Date { int32 year = 1; int32 month = 2; int32 day = 3; }
      message TimeOfDay { int32 hours = 1; int32 minutes = 2; int32 seconds = 3; int32 nanos = 4; }
      message Schedule { Date start_date = 1; TimeOfDay opens = 2; int32 day_of_month = 3; int32 day_of_week = 4; }
    `).root;
    types.resolveAll();
    const schedule = types.lookupType('google.type.Schedule');
    for (let seed = 1; seed <= 100; seed++) {
      const { startDate, opens, dayOfMonth, dayOfWeek } = new AutoMocker(seed).message(schedule, 'google.type.S/Get', {}) as Record<
        string,
        Record<string, number>
      >;
      const { year = 0, month = 0, day = 0 } = startDate ?? {};
      expect(new Date(Date.UTC(year, month - 1, day)).getUTCDate()).toBe(day);
      expect(month).toBeGreaterThanOrEqual(1);
      expect([opens?.hours, opens?.minutes, opens?.seconds].every((n) => n !== undefined && n >= 0 && n < 60 && (opens?.hours ?? 0) < 24)).toBe(true);
      expect(dayOfMonth).toBeLessThanOrEqual(28);
      expect(dayOfWeek).toBeLessThanOrEqual(7);
    }
  });

  test('a copy of google.protobuf.Value in an API’s own package holds a value; a bool saying the call succeeded is true', () => {
    const qdrant = protobuf.parse(`
      syntax = "proto3"; package qdrant;
      enum NullValue { NULL_VALUE = 0; }
      message Value { oneof kind { NullValue null_value = 1; double double_value = 2; string string_value = 4; } }
      message CollectionOperationResponse { bool result = 1; double time = 2; Value value = 3; }
    `).root;
    qdrant.resolveAll();
    for (let seed = 1; seed <= 20; seed++) {
      const reply = new AutoMocker(seed).message(qdrant.lookupType('qdrant.CollectionOperationResponse'), 'qdrant.Collections/Create', {});
      expect(reply.result).toBe(true);
      expect(reply.value).not.toHaveProperty('nullValue');
    }
  });
});

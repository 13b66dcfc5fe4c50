import { describe, expect, test } from '@jest/globals';
import protobuf from 'protobufjs';
import { BadMessage, decoder, encode, ShapeError } from './codec.js';

const root = new protobuf.Root();
root.loadSync(['google/protobuf/timestamp.proto', 'google/protobuf/duration.proto', 'google/protobuf/wrappers.proto', 'google/protobuf/struct.proto']);
protobuf.parse(
  `syntax = "proto3";
  package t;
  import "google/protobuf/timestamp.proto";
  import "google/protobuf/duration.proto";
  import "google/protobuf/wrappers.proto";
  import "google/protobuf/struct.proto";
  enum Kind { KIND_UNSPECIFIED = 0; BIG = 1; }
  message Item { string sku = 1; int64 count = 2; }
  message Everything {
    string name = 1;
    Kind kind = 2;
    repeated Item items = 3;
    map<string, int32> stock = 4;
    google.protobuf.Timestamp at = 5;
    google.protobuf.Duration ttl = 6;
    google.protobuf.StringValue nickname = 7;
    google.protobuf.Struct extra = 8;
    oneof choice { string a = 9; int32 b = 10; }
    bytes blob = 11;
    double ratio = 12;
  }`,
  root,
);
root.resolveAll();
const Everything = root.lookupType('t.Everything');
const decode = decoder(Everything);

describe('encode: well-known types from their natural JSON', () => {
  test('Timestamp from an ISO string or Date, Duration from "1.5s", wrappers from a value, Struct from JSON', () => {
    const buffer = encode(Everything, {
      name: 'n',
      kind: 'BIG',
      items: [{ sku: 'A', count: '12345678901234' }],
      stock: { A: 3 },
      at: '2026-01-02T03:04:05.250Z',
      ttl: '1.5s',
      nickname: 'nick',
      extra: { nested: { list: [1, 'two', null, true] } },
      a: 'x',
      blob: Buffer.from('hi').toString('base64'),
      ratio: 0.5,
    });
    const back = decode(buffer) as Record<string, unknown>;
    expect(back).toMatchObject({
      name: 'n',
      kind: 'BIG',
      items: [{ sku: 'A', count: '12345678901234' }],
      stock: { A: 3 },
      at: { seconds: String(Date.parse('2026-01-02T03:04:05Z') / 1000), nanos: 250_000_000 },
      ttl: { seconds: '1', nanos: 500_000_000 },
      nickname: { value: 'nick' },
      a: 'x',
      choice: 'a',
      blob: Buffer.from('hi').toString('base64'),
    });
    const extra = back.extra as { fields: { nested: { structValue: { fields: { list: { listValue: { values: unknown[] } } } } } } };
    expect(extra.fields.nested.structValue.fields.list.listValue.values).toHaveLength(4);
  });

  test('a decoded message encodes back unchanged (oneof names and defaults are accepted)', () => {
    const once = decode(encode(Everything, { name: 'n', b: 3 }));
    expect(decode(encode(Everything, once))).toEqual(once);
  });
});

describe('encode: a wrong shape names the field', () => {
  const wrong = (value: unknown): string => {
    try {
      encode(Everything, value);
    } catch (error) {
      expect(error).toBeInstanceOf(ShapeError);
      return (error as Error).message;
    }
    throw new Error('encoded');
  };

  test.each([
    [{ name: 3 }, 'field name: expected a string, got number 3'],
    [{ kind: 'HUGE' }, 'field kind: "HUGE" is not a value of enum t.Kind (KIND_UNSPECIFIED, BIG)'],
    [{ items: [{ sku: 'A' }, { count: 'many' }] }, 'field items[1].count: expected an integer (int64; a number or a string of digits), got "many"'],
    [{ items: { sku: 'A' } }, 'field items: is repeated, so expected an array, got an object'],
    [{ stock: { A: 1.5 } }, 'field stock["A"]: expected an integer (int32), got number 1.5'],
    [{ colour: 'red' }, 'field colour: t.Everything has no such field (it has name, kind, items'],
    [{ a: 'x', b: 1 }, 'field choice: only one of a, b may be set (oneof choice)'],
    [{ at: 'yesterday' }, 'field at: "yesterday" is not a date'],
    [{ items: [{ sku: ['A'] }] }, 'field items[0].sku: expected a string, got an array'],
    [[{ name: 'n' }], '(message): expected a t.Everything object, got an array'],
  ])('%j → %s', (value, message) => {
    expect(wrong(value)).toContain(message);
  });
});

describe('decode', () => {
  test('a truncated or malformed buffer is a BadMessage, never a throw', () => {
    const good = encode(Everything, { name: 'a long enough name' });
    expect(decode(good.subarray(0, good.length - 3))).toBeInstanceOf(BadMessage);
    expect(decode(Buffer.from([0x0f, 0xff]))).toBeInstanceOf(BadMessage);
    expect((decode(Buffer.from([0x0f])) as BadMessage).reason).toContain('is not a valid t.Everything');
  });

  test('strings decode as UTF-8 from a Buffer or a plain Uint8Array (as Connect hands them)', () => {
    const good = encode(Everything, { name: 'café ☕ 𝄞', items: [{ sku: 'ü' }] });
    expect(decode(good)).toMatchObject({ name: 'café ☕ 𝄞', items: [{ sku: 'ü' }] });
    expect(decode(new Uint8Array(good))).toMatchObject({ name: 'café ☕ 𝄞', items: [{ sku: 'ü' }] });
    const truncated = good.subarray(0, 6);
    expect((decode(truncated) as BadMessage).reason).toContain('index out of range');
  });
});

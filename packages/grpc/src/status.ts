import * as grpc from '@grpc/grpc-js';
import type { Code, Fault } from '@mockstack/core';
import type protobuf from 'protobufjs';
import { encode, structOf } from './codec.js';

/** Every core Code as a gRPC status number (exhaustive: a new Code fails to compile here). */
export const grpcStatusOfCode: Readonly<Record<Code, grpc.status>> = {
  CANCELLED: grpc.status.CANCELLED,
  UNKNOWN: grpc.status.UNKNOWN,
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  DEADLINE_EXCEEDED: grpc.status.DEADLINE_EXCEEDED,
  NOT_FOUND: grpc.status.NOT_FOUND,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  ABORTED: grpc.status.ABORTED,
  OUT_OF_RANGE: grpc.status.OUT_OF_RANGE,
  UNIMPLEMENTED: grpc.status.UNIMPLEMENTED,
  INTERNAL: grpc.status.INTERNAL,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  DATA_LOSS: grpc.status.DATA_LOSS,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
};

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

/** Metadata from `{ name: value }`; names ending in `-bin` take a Buffer or base64 text. */
export function metadataOf(record: Readonly<Record<string, string | Buffer>> | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (!record) return metadata;
  for (const [key, value] of Object.entries(record)) {
    const name = key.toLowerCase();
    if (name.endsWith('-bin')) metadata.set(name, Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'base64'));
    else metadata.set(name, String(value));
  }
  return metadata;
}

/**
 * A Fault as a gRPC status: code, message, trailers from `headers`, and a `google.rpc.Status`
 * in `grpc-status-details-bin` carrying `details` (typed with `'@type'`, or plain JSON as a
 * google.protobuf.Struct) and `retryAfter` as a google.rpc.RetryInfo.
 */
export function statusOfFault(fault: Fault, root: protobuf.Root, statusType: protobuf.Type): grpc.StatusObject {
  const code = grpcStatusOfCode[fault.code];
  const metadata = metadataOf(fault.headers);
  const details: { type_url: string; value: Buffer }[] = [];
  const list = fault.details === undefined ? [] : Array.isArray(fault.details) ? fault.details : [fault.details];
  for (const detail of list) details.push(anyOf(detail, root));
  if (fault.retryAfter !== undefined) {
    details.push(anyOf({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: { seconds: Math.round(fault.retryAfter), nanos: 0 } }, root));
  }
  if (details.length) {
    const status = statusType.encode(statusType.fromObject({ code, message: fault.message, details })).finish();
    metadata.set(STATUS_DETAILS_KEY, Buffer.from(status));
  }
  return { code, details: fault.message, metadata };
}

function anyOf(detail: unknown, root: protobuf.Root): { type_url: string; value: Buffer } {
  if (typeof detail === 'object' && detail !== null && typeof (detail as { '@type'?: unknown })['@type'] === 'string') {
    const { '@type': typeUrl, ...fields } = detail as Record<string, unknown> & { '@type': string };
    const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const type = root.lookupType(name);
    return { type_url: typeUrl.includes('/') ? typeUrl : `type.googleapis.com/${name}`, value: encode(type, fields) };
  }
  const struct = root.lookupType('google.protobuf.Struct');
  const json = typeof detail === 'object' && detail !== null && !Array.isArray(detail) ? (detail as Record<string, unknown>) : { value: detail };
  return { type_url: 'type.googleapis.com/google.protobuf.Struct', value: Buffer.from(struct.encode(struct.fromObject(structOf(json))).finish()) };
}

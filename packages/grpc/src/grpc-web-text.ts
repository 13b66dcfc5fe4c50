import { Code, ConnectError } from '@connectrpc/connect';
import type { UniversalServerRequest, UniversalServerResponse } from '@connectrpc/connect/protocol';

/*
 * gRPC-Web's text format (application/grpc-web-text): the binary gRPC-Web frames, base64-encoded. It is the
 * default mode of the official grpc-web client (protoc-gen-grpc-web `mode=grpcwebtext`) and what Envoy
 * translates; Connect serves only the binary format, so the text is translated around it.
 */

const TEXT_TYPE = /^application\/grpc-web-text(?=$|[+;])/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether a request is in gRPC-Web's text format. */
export function isGrpcWebText(request: UniversalServerRequest): boolean {
  return TEXT_TYPE.test(request.header.get('content-type') ?? '');
}

/** The request as binary gRPC-Web: its content type without `-text`, its body decoded from base64. */
export function fromGrpcWebText(request: UniversalServerRequest): UniversalServerRequest {
  const header = new Headers(request.header);
  header.set('content-type', (header.get('content-type') ?? '').replace(TEXT_TYPE, 'application/grpc-web'));
  return { ...request, header, body: decodeBase64(request.body as AsyncIterable<Uint8Array>) };
}

/** A binary gRPC-Web answer in the text format: its content type with `-text`, each chunk of its body base64 (as Envoy sends it). */
export function toGrpcWebText(response: UniversalServerResponse): UniversalServerResponse {
  const header = new Headers(response.header);
  const type = header.get('content-type');
  if (type) header.set('content-type', type.replace(/^application\/grpc-web(?!-text)/i, 'application/grpc-web-text'));
  return { ...response, header, ...(response.body && { body: encodeBase64(response.body) }) };
}

async function* encodeBase64(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) if (chunk.byteLength) yield Buffer.from(Buffer.from(chunk).toString('base64'), 'latin1');
}

/**
 * Base64 in whole 4-character groups as they arrive. A client may send several padded segments one after
 * another (one per message), so each padded group ends a segment; Node's decoder would stop at the first `=`.
 */
async function* decodeBase64(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending = '';
  for await (const chunk of body) {
    const text = Buffer.from(chunk).toString('latin1').replace(/\s+/g, '');
    if (/[^A-Za-z0-9+/=]/.test(text)) throw notBase64('it holds characters base64 does not have');
    pending += text;
    const whole = pending.length - (pending.length % 4);
    if (whole === 0) continue;
    yield decodeGroups(pending.slice(0, whole));
    pending = pending.slice(whole);
  }
  if (pending) throw notBase64(`it ends with ${pending.length} character(s) short of a 4-character group`);
}

function decodeGroups(text: string): Buffer {
  const segments = text.match(/[^=]*=*/g)?.filter(Boolean) ?? [];
  return Buffer.concat(
    segments.map((segment) => {
      if (!BASE64.test(segment) || segment.length % 4 !== 0) throw notBase64('its padding (=) is not at the end of a 4-character group');
      return Buffer.from(segment, 'base64');
    }),
  );
}

function notBase64(why: string): ConnectError {
  return new ConnectError(`the gRPC-Web text request body is not base64: ${why}`, Code.InvalidArgument);
}

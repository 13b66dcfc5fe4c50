import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createUnzip } from 'node:zlib';
import type { preParsingHookHandler } from 'fastify';

/** The codings a request body may come in, each a decoder (`createUnzip` reads gzip and zlib-wrapped deflate alike). */
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createUnzip,
  'x-gzip': createUnzip,
  deflate: createUnzip,
  br: createBrotliDecompress,
};

/** A decoded body stream as fastify reads it: `receivedEncodedLength` is what its Content-Length is checked against. */
type DecodedBody = Transform & { receivedEncodedLength: number };

/**
 * A route's `preParsing` hook: a request body sent compressed (`content-encoding: gzip`, `deflate` or
 * `br`, as Elasticsearch's client with `compression`, the AWS SDK's request compression or OpenTelemetry
 * exporters send them) is parsed, validated, matched and journaled decoded, as WireMock does. The
 * service's body limit holds for the decoded size. Registered on routes of methods that carry bodies only:
 * the hook runner costs every request it is on.
 */
export const decodeRequestBody: preParsingHookHandler = (request, _reply, payload, done) => {
  const header = request.headers['content-encoding'];
  if (header === undefined) return done(null, payload);
  // `gzip, br` was gzipped, then brotli-compressed: undone last first.
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
  if (codings.length === 0) return done(null, payload);
  const unknown = codings.find((coding) => DECODERS[coding] === undefined);
  if (unknown !== undefined) {
    const error = new Error(
      `request content-encoding "${unknown}" is not one this mock decodes (gzip, deflate, br): send the body uncompressed or in one of those`,
    );
    return done(Object.assign(error, { statusCode: 415, code: 'UNSUPPORTED_CONTENT_ENCODING' }));
  }
  let body: Readable = payload;
  let received = 0;
  payload.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  for (const coding of codings) {
    const decoder = (DECODERS[coding] as () => Transform)();
    body.on('error', (error) => decoder.destroy(error));
    body = body.pipe(decoder);
  }
  body.on('error', (error: Error & { statusCode?: number; code?: unknown }) => {
    // zlib's own errors (Z_DATA_ERROR; brotli's ERR__…): a body that is not what its header says. A client that left keeps its error.
    if (typeof error.code !== 'string' || !/^(Z_|ERR__)/.test(error.code)) return;
    error.message = `request body cannot be decoded as its content-encoding (${header}) says: ${error.message}`;
    error.statusCode = 400;
  });
  // fastify compares the Content-Length with what arrived on the wire, not with the decoded size.
  Object.defineProperty(body, 'receivedEncodedLength', { get: () => received });
  done(null, body as DecodedBody);
};

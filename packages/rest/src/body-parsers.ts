import { Buffer } from 'node:buffer';
import { withBodyText } from '@mockstack/core';
import busboy from 'busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseForm, TEXT } from './form.js';

/** One file of a multipart/form-data body, as handlers see it (`body.avatar.data` is its bytes). */
export interface UploadedFile {
  filename: string;
  mimeType: string;
  size: number;
  data: Buffer;
}

/**
 * The request body parsers of a REST service beyond fastify's `application/json`: every `+json`
 * type as JSON, forms with nesting and repeats, multipart parts and files, text as a string and
 * anything else (octet-stream, images, protobuf…) as the raw bytes, so a handler can echo them.
 */
export function addBodyParsers(app: FastifyInstance, bodyLimit: number): void {
  // An empty body with a JSON content type is no body: clients send `content-type: application/json` on
  // every request, DELETEs and GETs included (fastify's own parser refuses it with a 400).
  const json = app.getDefaultJsonParser('error', 'error');
  // The text parsed is kept with the body (see bodyText): matchers of the text as sent read it.
  const jsonOrNothing: typeof json = (request, text, done) =>
    text === '' ? done(null, undefined) : json(request, text, (error, parsed) => done(error, error ? undefined : withBodyText(parsed, String(text))));
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, jsonOrNothing);
  app.addContentTypeParser(/^application\/[^;,\s]+\+json\b/i, { parseAs: 'string' }, jsonOrNothing);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, text, done) =>
    done(null, withBodyText(parseForm(String(text)), String(text))),
  );
  app.addContentTypeParser('multipart/form-data', (request, payload, done) => {
    parseMultipart(request, payload, bodyLimit).then(
      (body) => done(null, body),
      (error: Error) => done(error, undefined),
    );
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, bytes, done) => {
    const buffer = bytes as Buffer;
    if (buffer.length === 0) return done(null, undefined);
    const type = request.headers['content-type'];
    // `*/*` names no type: clients that copy a documented `*/*` (Kubernetes' request bodies) send JSON under it.
    if (type !== undefined && /^\s*\*\/\*\s*(?:;|$)/.test(type)) return done(null, jsonOrBytes(buffer));
    done(null, type === undefined || TEXT.test(type) ? buffer.toString('utf8') : buffer);
  });
}

/** The body as JSON when it is JSON, else its bytes. */
function jsonOrBytes(buffer: Buffer): unknown {
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch {
    return buffer;
  }
}

/** A 4xx the adapter's error handler answers (fastify's own codes where it has one). */
function clientError(status: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode: status, code });
}

function parseMultipart(request: FastifyRequest, payload: NodeJS.ReadableStream, bodyLimit: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { fileSize: bodyLimit, fields: 1000, files: 100 } });
    } catch (error) {
      reject(clientError(400, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', `multipart body cannot be read: ${(error as Error).message}`));
      return;
    }
    const fields: [string, string][] = [];
    const files: [string, UploadedFile][] = [];
    let size = 0;
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      payload.unpipe(parser);
      payload.resume();
      reject(error);
    };
    const tooLarge = () => clientError(413, 'FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large');
    parser.on('field', (name, value) => {
      size += value.length;
      if (size > bodyLimit) fail(tooLarge());
      else fields.push([name, value]);
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > bodyLimit) fail(tooLarge());
        else chunks.push(chunk);
      });
      stream.on('limit', () => fail(tooLarge()));
      stream.on('end', () => {
        const data = Buffer.concat(chunks);
        files.push([name, { filename: info.filename ?? name, mimeType: info.mimeType, size: data.length, data }]);
      });
    });
    parser.on('error', (error: Error) => fail(clientError(400, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', `multipart body cannot be read: ${error.message}`)));
    parser.on('close', () => {
      if (failed) return;
      // Field names nest and repeat as in forms; files join them under their part names.
      const body = parseForm(new URLSearchParams(fields).toString());
      for (const [name, file] of files) {
        const existing = body[name];
        body[name] = existing === undefined ? file : Array.isArray(existing) ? [...existing, file] : [existing, file];
      }
      resolve(body);
    });
    payload.pipe(parser);
  });
}

import { readFileSync } from 'node:fs';
import http from 'node:http';
import { resolve } from 'node:path';

/** A request of a corpus case and what mountebank 2.9.1 answered it (recorded from a real `mb`). */
export interface CorpusRequest {
  method: string;
  target: string;
  headers?: Record<string, string>;
  body?: string;
  expect: {
    status?: number;
    body?: string;
    bodyBase64?: string;
    headers?: Record<string, string>;
    /** The client's error when the connection broke (a fault). */
    error?: string;
    atLeastMs?: number;
  };
}

export interface CorpusCase {
  name: string;
  /** Where in Mountebank's documentation the case comes from. */
  from: string;
  imposter: { port: number; stubs?: unknown[] } & Record<string, unknown>;
  requests: CorpusRequest[];
}

/** The cases of test/fixtures/mountebank/<file> (see its `source`). */
export function corpus(file: string): CorpusCase[] {
  const document = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/mountebank', file), 'utf8')) as { cases: CorpusCase[] };
  return document.cases;
}

/** Whether a case asks for what mockstack refuses (JavaScript). */
export function refusedByMockstack(imposter: unknown): RegExp | undefined {
  const text = JSON.stringify(imposter);
  if (/"(inject|decorate|shellTransform)"/.test(text)) return /not run by mockstack/;
  return undefined;
}

/** What a server answered a request: status, body (base64 when not text), headers, or the client's error. */
export interface Answer {
  status?: number | undefined;
  body?: string;
  bodyBase64?: string;
  headers?: http.IncomingHttpHeaders;
  error?: string;
  ms: number;
}

/** Sends a corpus request over a fresh connection, as the recording did. */
export function send(port: number, request: CorpusRequest): Promise<Answer> {
  return new Promise((done) => {
    const started = Date.now();
    const body = request.body;
    const headers = { ...(request.headers ?? {}), ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}), connection: 'close' };
    const req = http.request({ host: '127.0.0.1', port, method: request.method, path: request.target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        const binary = !Buffer.from(text, 'utf8').equals(bytes);
        done({
          status: res.statusCode,
          headers: res.headers,
          ...(binary ? { bodyBase64: bytes.toString('base64') } : { body: text }),
          ms: Date.now() - started,
        });
      });
      res.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message, ms: Date.now() - started }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message, ms: Date.now() - started }));
    if (body) req.write(body);
    req.end();
  });
}

/** The parts of an answer mountebank's recorded one is compared on. */
export function comparable(answer: Answer, expected: CorpusRequest['expect']): Record<string, unknown> {
  if (expected.error !== undefined) return { broken: answer.error !== undefined };
  return {
    status: answer.status,
    ...(expected.bodyBase64 !== undefined ? { bodyBase64: answer.bodyBase64 } : { body: answer.body }),
    ...(expected.headers && { headers: Object.fromEntries(Object.keys(expected.headers).map((name) => [name, answer.headers?.[name]])) }),
    ...(expected.atLeastMs !== undefined && { atLeastMs: Math.min(answer.ms, expected.atLeastMs) }),
  };
}

/** The recorded answer in the same form. */
export function expectedOf(expected: CorpusRequest['expect']): Record<string, unknown> {
  if (expected.error !== undefined) return { broken: true };
  const { error: _error, ...rest } = expected;
  return rest;
}

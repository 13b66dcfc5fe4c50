import { escapeRegExp } from '@mockstack/core';
import protobuf from 'protobufjs';
import type { LoadedProtos } from './protos.js';

/** One `google.api.http` binding of a unary method: `GET /v1/{name=shelves/*}` and where the request's fields come from. */
interface HttpBinding {
  method: string;
  /** The URL path, its variables captured in order. */
  pattern: RegExp;
  /** The request field (path: `book.name`) each captured variable sets. */
  variables: string[];
  /** `*`: the body is the request; a field name: the body is that field; undefined: no body. */
  body: string | undefined;
  /** `response_body`: the field of the response sent as the body, instead of the whole response. */
  responseBody: string | undefined;
  /** The method's Connect path (`/pkg.Service/Method`), the call the request becomes. */
  connectPath: string;
  requestType: protobuf.Type;
}

/** A request matched to a binding: the Connect call it becomes. */
export interface TranscodedCall {
  connectPath: string;
  /** The request message as proto3 JSON. */
  message: Record<string, unknown>;
  responseBody: string | undefined;
}

/** What a request that matched a binding cannot be made into (a body that is not JSON): answered 400 with the message. */
export class TranscodingError extends Error {}

const VERBS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * HTTP/JSON transcoding of a gRPC service (AIP-127, what grpc-gateway, Envoy and Google's REST APIs serve): each
 * unary method with a `google.api.http` option is also served at its HTTP path, the request message made from
 * the path's variables, the query string and the JSON body as the binding says, and answered with the response
 * as JSON (errors as `{ "error": { code, message, status } }`).
 */
export class HttpTranscoding {
  readonly #bindings: HttpBinding[] = [];

  constructor(protos: LoadedProtos) {
    for (const method of protos.methods.values()) {
      if (method.kind !== 'unary') continue;
      const rpc = protos.root.lookupService(method.service).methods[method.name];
      for (const option of (rpc?.parsedOptions ?? []) as Record<string, unknown>[]) {
        const rule = option['(google.api.http)'];
        if (typeof rule !== 'object' || rule === null) continue;
        const additional = (rule as { additional_bindings?: unknown }).additional_bindings;
        for (const each of [rule, ...(Array.isArray(additional) ? additional : additional ? [additional] : [])]) {
          const binding = bindingOf(each as Record<string, unknown>, method.path, method.requestType);
          if (binding) this.#bindings.push(binding);
        }
      }
    }
  }

  get size(): number {
    return this.#bindings.length;
  }

  /** The binding `method` and `url` match, as the call to make once the body (JSON text, or '') is read; undefined: none. */
  match(method: string, url: string): ((body: string) => TranscodedCall) | undefined {
    const [path = '', search = ''] = url.split('?', 2);
    for (const binding of this.#bindings) {
      if (binding.method !== method) continue;
      const found = binding.pattern.exec(path);
      if (!found) continue;
      return (body) => callOf(binding, found.slice(1), new URLSearchParams(search), body);
    }
    return undefined;
  }
}

function bindingOf(rule: Record<string, unknown>, connectPath: string, requestType: protobuf.Type): HttpBinding | undefined {
  const verb = VERBS.find((v) => typeof rule[v] === 'string');
  const custom = rule.custom as { kind?: unknown; path?: unknown } | undefined;
  const method = verb ? verb.toUpperCase() : typeof custom?.kind === 'string' ? custom.kind.toUpperCase() : undefined;
  const template = verb ? (rule[verb] as string) : typeof custom?.path === 'string' ? custom.path : undefined;
  if (!method || !template) return undefined;
  const { pattern, variables } = compileTemplate(template);
  const body = typeof rule.body === 'string' && rule.body !== '' ? rule.body : undefined;
  const responseBody = typeof rule.response_body === 'string' && rule.response_body !== '' ? rule.response_body : undefined;
  return { method, pattern, variables, body, responseBody, connectPath, requestType };
}

/**
 * A path template (`/v1/{name=shelves/*\/books/*}:move`) as a regular expression capturing its variables:
 * `*` is one segment, `**` the rest of the path, a variable without a pattern one segment.
 */
export function compileTemplate(template: string): { pattern: RegExp; variables: string[] } {
  const variables: string[] = [];
  let source = '';
  for (let at = 0; at < template.length; ) {
    if (template[at] === '{') {
      const end = template.indexOf('}', at);
      const [field = '', segments = '*'] = template.slice(at + 1, end < 0 ? undefined : end).split('=', 2);
      variables.push(field.trim());
      source += `(${segmentsSource(segments)})`;
      at = end < 0 ? template.length : end + 1;
    } else {
      const next = template.indexOf('{', at);
      source += segmentsSource(template.slice(at, next < 0 ? undefined : next));
      at = next < 0 ? template.length : next;
    }
  }
  return { pattern: new RegExp(`^${source}$`), variables };
}

function segmentsSource(text: string): string {
  return text
    .split('/')
    .map((segment) => (segment === '**' ? '.+' : segment === '*' ? '[^/]+' : escapeRegExp(segment)))
    .join('/');
}

function callOf(binding: HttpBinding, values: string[], query: URLSearchParams, text: string): TranscodedCall {
  let body: unknown;
  if (binding.body !== undefined && text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new TranscodingError(
        `the request body is not JSON (${(error as Error).message}); send the ${binding.body === '*' ? 'request message' : `"${binding.body}" field`} as JSON`,
      );
    }
  }
  const message: Record<string, unknown> = binding.body === '*' && typeof body === 'object' && body !== null ? { ...(body as Record<string, unknown>) } : {};
  if (binding.body !== undefined && binding.body !== '*' && body !== undefined) setField(message, binding.body, body);
  for (const [i, field] of binding.variables.entries()) setField(message, field, decodedSegment(values[i] ?? ''));
  // Query parameters set the fields the path and the body leave (none when the body is the whole request).
  if (binding.body !== '*') {
    for (const name of new Set(query.keys())) {
      if (binding.variables.includes(name) || name === binding.body) continue;
      const field = fieldAt(binding.requestType, name);
      const given = query.getAll(name).map((value) => (field?.type === 'bool' ? value === 'true' : value));
      setField(message, name, field?.repeated ? given : given[given.length - 1]);
    }
  }
  return { connectPath: binding.connectPath, message, responseBody: binding.responseBody };
}

function decodedSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new TranscodingError(`the path has a malformed escape (${text}); encode reserved characters as %XX`);
  }
}

/** Sets `path` (`book.name`) of a JSON message, making the objects on the way. */
function setField(message: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let at = message;
  for (const key of keys) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  if (last !== '__proto__') at[last] = value;
}

/** The field `path` names in `type` (proto or JSON names), if there is one. */
function fieldAt(type: protobuf.Type, path: string): protobuf.Field | undefined {
  let current: protobuf.Type | undefined = type;
  let field: protobuf.Field | undefined;
  for (const name of path.split('.')) {
    field = current?.fieldsArray.find((f) => f.name === name || f.name === protobuf.util.camelCase(name) || protobuf.util.camelCase(f.name) === name);
    if (!field) return undefined;
    field.resolve();
    current = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
  }
  return field;
}

/** What a transcoded call answers with: the response as proto3 JSON, or its `response_body` field (by JSON or proto name). */
export function answerOf(call: TranscodedCall, response: Record<string, unknown>): unknown {
  const field = call.responseBody;
  return field === undefined ? response : (response[protobuf.util.camelCase(field)] ?? response[field] ?? null);
}

/** Connect's error codes (`not_found`) as google.rpc.Code names (`NOT_FOUND`), for the error body Google's REST APIs send. */
export function googleErrorBody(status: number, connectError: unknown): { error: { code: number; message: string; status: string } } {
  const { code, message } = (typeof connectError === 'object' && connectError !== null ? connectError : {}) as { code?: unknown; message?: unknown };
  return {
    error: {
      code: status,
      message: typeof message === 'string' ? message : '',
      status: typeof code === 'string' ? code.toUpperCase() : 'UNKNOWN',
    },
  };
}

import { type CoreRequest, makeWebhook, type Webhook } from '@mockstack/core';
import { type ApiOperation, generateValue, getPointer, isObject, type JsonObject, type OpenApi, seedFor } from '@mockstack/openapi';

/** An operation's OpenAPI `callbacks` made into the webhooks one request fires (see `callbacksOf`). */
export type CallbackMaker = (request: CoreRequest) => Webhook[];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The operation's `callbacks` (OpenAPI 3.0/3.1/3.2) as webhooks to fire after a 2xx answer: for each
 * callback and each operation of its path item, a call to the URL its runtime expression names
 * (`{$request.body#/callbackUrl}`, `{$request.query.hook}`, `{$request.header.x-hook}`,
 * `{$request.path.id}`, `{$url}`, `{$method}`), whose body is the callback's request example or a value
 * generated from its schema (seeded). Undefined when the operation has none.
 *
 * Only the URL the request names is called: an expression the request does not fill leaves the URL
 * unresolved, and the call is journaled as not sent.
 */
export function callbacksOf(operation: ApiOperation, api: OpenApi, seed: { value: number }): CallbackMaker | undefined {
  const callbacks = api.resolve(operation.node.callbacks);
  if (!isObject(callbacks)) return undefined;
  const calls: Call[] = [];
  for (const [name, callbackNode] of Object.entries(callbacks)) {
    const callback = api.resolve(callbackNode);
    if (!isObject(callback)) continue;
    for (const [expression, item] of Object.entries(callback))
      calls.push(...callsOf(api, item, `callback ${name}`, expression, `${operation.pointer}/callbacks/${name}`));
  }
  return makerOf(calls, api, seed);
}

/**
 * An OpenAPI 3.1 document's top-level webhook `name` fired at `url` (a URL, or a runtime expression
 * template like `{$request.body#/notifyUrl}`) after an operation answers 2xx; undefined when the document
 * has no such webhook.
 */
export function documentWebhookOf(name: string, url: string, api: OpenApi, seed: { value: number }): CallbackMaker | undefined {
  const webhooks = api.resolve(api.document.webhooks);
  if (!isObject(webhooks) || !(name in webhooks)) return undefined;
  return makerOf(callsOf(api, webhooks[name], `webhook ${name}`, url, `/webhooks/${name}`), api, seed) ?? (() => []);
}

/** The document's top-level webhook names (3.1). */
export function documentWebhookNames(api: OpenApi): string[] {
  const webhooks = api.resolve(api.document.webhooks);
  return isObject(webhooks) ? Object.keys(webhooks) : [];
}

interface Call {
  name: string;
  expression: string;
  method: string;
  schema: unknown;
  example: unknown;
  pointer: string;
}

/** One call per operation of a callback's (or webhook's) path item. */
function callsOf(api: OpenApi, itemNode: unknown, name: string, expression: string, pointer: string): Call[] {
  const item = api.resolve(itemNode);
  if (!isObject(item)) return [];
  const calls: Call[] = [];
  for (const method of METHODS) {
    const op = api.resolve(item[method]);
    if (!isObject(op)) continue;
    const { schema, example } = jsonRequestOf(op, api);
    calls.push({ name, expression, method: method.toUpperCase(), schema, example, pointer: `${pointer}/${method}` });
  }
  return calls;
}

function makerOf(calls: readonly Call[], api: OpenApi, seed: { value: number }): CallbackMaker | undefined {
  if (calls.length === 0) return undefined;
  return (request) =>
    calls.map((call) =>
      makeWebhook({
        url: expand(call.expression, request),
        method: call.method,
        name: `${call.name} ${call.method} ${call.expression}`,
        body:
          call.example !== undefined
            ? call.example
            : call.schema === undefined
              ? undefined
              : generateValue(call.schema, { seed: seedFor(seed.value, call.pointer), resolve: api.resolve, direction: 'request' }),
      }),
    );
}

/** The JSON request body of a callback operation: its example, or its schema. */
function jsonRequestOf(op: JsonObject, api: OpenApi): { schema: unknown; example: unknown } {
  const body = api.resolve(op.requestBody);
  if (!isObject(body) || !isObject(body.content)) return { schema: undefined, example: undefined };
  const [, media] = Object.entries(body.content).find(([type]) => /json/i.test(type)) ?? Object.entries(body.content)[0] ?? [];
  if (!isObject(media)) return { schema: undefined, example: undefined };
  const examples = isObject(media.examples) ? Object.values(media.examples).map((e) => api.resolve(e)) : [];
  const first = examples.find((e) => isObject(e) && 'value' in e) as JsonObject | undefined;
  return { schema: media.schema, example: media.example ?? first?.value };
}

/** A callback URL template with each `{$…}` runtime expression filled from the request (left as written when it cannot be). */
function expand(template: string, request: CoreRequest): string {
  return template.replace(/\{(\$[^}]+)\}/g, (whole, expression: string) => {
    const value = evaluate(expression, request);
    return value === undefined ? whole : value;
  });
}

function evaluate(expression: string, request: CoreRequest): string | undefined {
  if (expression === '$method') return request.target.split(' ')[0];
  if (expression === '$url') return request.target.split(' ')[1];
  const body = /^\$request\.body(#.*)?$/.exec(expression);
  if (body) {
    const value = body[1] ? getPointer(request.body, body[1]) : request.body;
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  }
  const part = /^\$request\.(query|header|path)\.(.+)$/.exec(expression);
  if (!part) return undefined;
  const [, where, name] = part as unknown as [string, 'query' | 'header' | 'path', string];
  const value = where === 'query' ? request.query[name] : where === 'path' ? request.params[name] : request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

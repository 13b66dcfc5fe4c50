import type { ApiOperation, OpenApi } from './document.js';
import { isJsonMediaType } from './document.js';
import { generateValue, seedFor, valueFits } from './generate.js';
import { isObject, type JsonObject } from './pointer.js';

/** An error answer in the shape the document declares for it. */
export interface DocumentedError {
  status: number;
  contentType: string;
  body: unknown;
}

/** Where providers put an error's text, most telling first. */
const MESSAGE_FIELDS = ['message', 'error_description', 'errorMessage', 'error_message', 'detail', 'details', 'description', 'title', 'error', 'msg', 'reason'];
const STATUS_FIELDS = new Set(['status', 'statusCode', 'status_code', 'code', 'httpStatus', 'http_status']);

/**
 * An error answer shaped by the operation's own documented error response, so a client that reads
 * its provider's error key (`{ error: { type, message } }`) reads ours: the response documented
 * for `status` (for 422 a documented 400 and the other way round, as providers pick one of them),
 * else `4XX`, else `default`, else (for a client error, answered with its own status) another 4xx. Its JSON schema is filled with generated values, the message put in
 * the natural string field (`message`, `error_description`, `detail`…) and the status in a numeric
 * status field; `extra` fields (the violations) are added where the schema allows more properties.
 * Undefined when the operation declares no such JSON error body.
 */
export function documentedError(api: OpenApi, operation: ApiOperation, status: number, message: string, extra: JsonObject = {}): DocumentedError | undefined {
  const documented = Object.keys(operation.responses);
  const alternative = status === 422 ? '400' : status === 400 ? '422' : undefined;
  const candidates = [String(status), alternative, `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'];
  // Else the shape of another client error it documents (OpenAI's operations document only 429, with the `{ error: { message } }` its SDK reads).
  const shapeOnly = status >= 400 && status < 500 ? documented.filter((key) => /^4(?:\d\d|XX)$/i.test(key) && !candidates.includes(key)) : [];
  for (const key of [...candidates, ...shapeOnly]) {
    if (key === undefined || !documented.includes(key)) continue;
    const response = api.resolve(operation.responses[key]);
    const content = isObject(response) && isObject(response.content) ? response.content : {};
    const type = Object.keys(content).find(isJsonMediaType);
    const media = type ? api.resolve(content[type]) : undefined;
    if (!type || !isObject(media) || media.schema === undefined) continue;
    const answered = /^\d{3}$/.test(key) && !shapeOnly.includes(key) ? Number(key) : status;
    const value = generateValue(media.schema, {
      seed: seedFor(1, 'error', operation.method, operation.path, key),
      resolve: api.resolve,
      direction: 'response',
      failure: true,
    });
    const body =
      typeof value === 'string' ? (valueFits(media.schema, message, api.resolve) ? message : value) : place(value, media.schema, api, message, answered);
    // Details the provider's shape has no field for go beside it where the schema leaves room.
    const root = api.resolve(media.schema);
    if (isObject(body) && isObject(root) && root.additionalProperties !== false && root.unevaluatedProperties !== false) Object.assign(body, extra);
    return { status: answered, contentType: type === '*/*' ? 'application/json' : type, body };
  }
  return undefined;
}

/**
 * The generated error with `message` in its best string field (searched breadth first) and the status in
 * numeric status fields, each only where the field's schema takes it (NDHM's `code` is an enum of its own
 * error numbers, not the HTTP status).
 */
function place(value: unknown, schema: unknown, api: OpenApi, message: string, status: number): unknown {
  if (!isObject(value)) return value;
  const queue: { node: JsonObject; schema: unknown }[] = [{ node: value, schema }];
  let best: { holder: JsonObject; key: string; rank: number } | undefined;
  for (let depth = 0; queue.length && depth < 4; depth++) {
    for (const { node, schema: nodeSchema } of queue.splice(0)) {
      for (const [key, field] of Object.entries(node)) {
        const fieldSchema = propertySchema(api, nodeSchema, key);
        const takes = (v: unknown) => fieldSchema === undefined || valueFits(fieldSchema, v, api.resolve);
        if (typeof field === 'string') {
          const rank = MESSAGE_FIELDS.indexOf(key);
          if (rank !== -1 && (!best || rank < best.rank) && takes(message)) best = { holder: node, key, rank };
        } else if (typeof field === 'number' && STATUS_FIELDS.has(key)) {
          if (takes(status)) node[key] = status;
        } else if (isObject(field)) queue.push({ node: field, schema: fieldSchema });
      }
    }
    if (best) break;
  }
  if (best) best.holder[best.key] = message;
  return value;
}

/** The schema of an object schema's property `key`, looked for in its allOf parts too; undefined if not declared. */
function propertySchema(api: OpenApi, schema: unknown, key: string, depth = 0): unknown {
  const resolved = api.resolve(schema);
  if (!isObject(resolved) || depth > 8) return undefined;
  if (isObject(resolved.properties) && resolved.properties[key] !== undefined) return resolved.properties[key];
  for (const part of Array.isArray(resolved.allOf) ? resolved.allOf : []) {
    const found = propertySchema(api, part, key, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

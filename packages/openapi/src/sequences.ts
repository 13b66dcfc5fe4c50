import { isObject } from './pointer.js';

/** How the items of a sequence media type are written one after another. */
export type SequenceWriter = (items: readonly unknown[]) => string;

/**
 * A body that is a sequence of items, each described by an OpenAPI 3.2 `itemSchema`: server-sent
 * events, JSON Lines (NDJSON) and JSON text sequences (RFC 7464). Undefined for any other type.
 */
export function sequenceWriter(type: string): SequenceWriter | undefined {
  const media = (type.split(';')[0] ?? '').trim().toLowerCase();
  if (media === 'text/event-stream') return (items) => items.map(serverSentEvent).join('');
  if (JSON_LINES.has(media)) return (items) => items.map((item) => `${JSON.stringify(item)}\n`).join('');
  if (media === 'application/json-seq') return (items) => items.map((item) => `\u001e${JSON.stringify(item)}\n`).join('');
  return undefined;
}

/**
 * What the items of a sequence media type are generated from: 3.2's `itemSchema` (for server-sent
 * events, an event's fields), or, as documents before 3.2 describe a stream (OpenAI's chat
 * completions, Anthropic's messages, Ollama's JSON Lines), a `schema` of one object: each item, for
 * server-sent events each event's data. Undefined for any other media type, or a `schema` of the
 * whole body (a string).
 */
export function sequenceItemsOf(type: string, media: unknown, resolve: (node: unknown) => unknown): SequenceItems | undefined {
  if (!isObject(media) || sequenceWriter(type) === undefined) return undefined;
  if (media.itemSchema !== undefined) return { schema: media.itemSchema, eventData: false };
  const schema = resolve(media.schema);
  const isOneObject =
    isObject(schema) &&
    (schema.type === 'object' || (schema.type === undefined && [schema.properties, schema.oneOf, schema.anyOf, schema.allOf].some((k) => k !== undefined)));
  return isOneObject ? { schema: media.schema, eventData: /^text\/event-stream\b/i.test(type.trim()) } : undefined;
}

export interface SequenceItems {
  schema: unknown;
  /** Each item is the data of a server-sent event (named by its `type`, when it has one), not the event's fields. */
  eventData: boolean;
}

const JSON_LINES = new Set(['application/jsonl', 'application/x-ndjson', 'application/x-jsonlines', 'application/jsonlines']);

/**
 * One event as `text/event-stream` writes it: its `event`, `id` and `retry` fields, then its `data`
 * (an object as JSON, several lines as several `data:` lines), and the blank line that ends it. An item
 * that is not an object is the event's data.
 */
function serverSentEvent(item: unknown): string {
  const fields = isObject(item) ? item : { data: item };
  const lines: string[] = [];
  for (const name of ['event', 'id', 'retry']) {
    const value = fields[name];
    if (value !== undefined && value !== null) lines.push(`${name}: ${String(value).replace(/[\r\n]+/g, ' ')}`);
  }
  const data = fields.data;
  if (data !== undefined) for (const line of (typeof data === 'string' ? data : JSON.stringify(data)).split(/\r?\n/)) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

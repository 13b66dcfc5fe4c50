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

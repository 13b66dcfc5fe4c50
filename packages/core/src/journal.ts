import { boundedCopy, TRUNCATED } from './bounded.js';
import type { Code } from './code.js';
import { JsonText } from './json-text.js';
import { firstDifference } from './match.js';
import type { CoreRequest, Headers, Query } from './model.js';

/** Why no rule answered: the nearest rule and what it wanted, in words. */
export interface MissReport {
  message: string;
  nearest?: { rule: string; source?: string | undefined; wanted: string[]; missed: string[] } | undefined;
  /** Every rule (or operation) considered, with what it wants. */
  candidates: string[];
  hint: string;
}

/** One message of a streaming call, received (`in`) or sent (`out`), with when it went. */
export interface StreamMessage {
  /** Milliseconds after the call arrived. */
  atMs: number;
  direction: 'in' | 'out';
  message: unknown;
}

/** Messages of one streaming call the journal keeps: the first ones, the others counted. */
export const STREAM_MESSAGE_LIMIT = 100;

/**
 * The messages of a streaming call (gRPC client, server and bidi streams) as they come and go, with
 * their timing, for its journal entry: the first `STREAM_MESSAGE_LIMIT` kept (by reference, as
 * bodies are), the rest counted. An adapter makes one per call and hands it to `engine.record`.
 */
export class StreamMessages {
  readonly kept: StreamMessage[] = [];
  dropped = 0;
  sent = 0;

  /** `startedAt`: `performance.now()` when the call arrived. */
  constructor(readonly startedAt: number) {}

  add(direction: 'in' | 'out', message: unknown): void {
    if (direction === 'out') this.sent++;
    if (this.kept.length >= STREAM_MESSAGE_LIMIT) this.dropped++;
    else this.kept.push({ atMs: Math.round((performance.now() - this.startedAt) * 100) / 100, direction, message });
  }
}

/** What the stack answered, as far as the engine or the adapter knows it. */
export interface JournalResponse {
  /** The status as the protocol says it (as on the entry). */
  status: number | string;
  /** Response headers (HTTP) or metadata (gRPC) a rule set. */
  headers?: Record<string, string> | undefined;
  /** gRPC trailers a rule set. */
  trailers?: Record<string, string> | undefined;
  /**
   * The body or message; larger than `RESPONSE_BODY_LIMIT` bytes of JSON it is cut to a preview. Kept
   * by reference (copying every answer would cost each request): a handler that answered with live
   * state shows that state as it is when read. An adapter that serialised the body itself may journal
   * that text instead (`JsonText`): it is read as the body it encodes.
   */
  body?: unknown;
  /** Set when the body was cut: its size in bytes of JSON. */
  truncatedBytes?: number | undefined;
  /** A streaming call's messages both ways, with their timing (the first ones, up to `RESPONSE_BODY_LIMIT` bytes of JSON). */
  messages?: StreamMessage[] | undefined;
  /** Messages of the call not kept (over `STREAM_MESSAGE_LIMIT` or the byte limit). */
  droppedMessages?: number | undefined;
}

/** Bytes of JSON of a response body the journal hands out whole; larger bodies become a preview. */
export const RESPONSE_BODY_LIMIT = 64 * 1024;

/** One request of any protocol, matched or not. */
export interface JournalEntry {
  id: number;
  time: string;
  protocol: string;
  service: string;
  operation: string;
  target: string;
  request: { params: Record<string, string>; query: Query; headers: Headers; body: unknown };
  /** Id of the rule that answered; null when none did. */
  rule: string | null;
  /** The status as the protocol says it: 200, 404, `UNAVAILABLE`, `OK`… */
  status: number | string;
  code?: Code | undefined;
  miss?: MissReport | undefined;
  error?: string | undefined;
  /** Errors the rule's handler left behind for this request (a rejection nobody handled, a throw in its timer). */
  strayErrors?: string[] | undefined;
  durationMs: number;
  variants: string[];
  response?: JournalResponse | undefined;
}

export interface JournalFilter {
  service?: string | undefined;
  operation?: string | undefined;
  protocol?: string | undefined;
  matched?: boolean | undefined;
  /** Partial match on the request body, as rules do. */
  body?: unknown;
  /** Only entries with an id above this (for polling). */
  after?: number | undefined;
  limit?: number | undefined;
}

/** What a record keeps of an answer. */
type Answer = Omit<JournalResponse, 'status' | 'truncatedBytes'>;

/**
 * What few records have: a query, an answer with more than a body, a code, a miss report, an error.
 * One object for them all, made only when one is there (an empty query is none).
 */
interface Uncommon {
  query: Query | undefined;
  answer: Answer | undefined;
  code: Code | undefined;
  miss: MissReport | undefined;
  error: string | undefined;
}

function isEmpty(query: Query): boolean {
  for (const _ in query) return false;
  return true;
}

/** Epoch milliseconds that arrival times are counted from (this module's load, whole seconds). */
const ARRIVALS_FROM = Math.floor(Date.now() / 1000) * 1000;

/**
 * One request as the engine journals it, on the request path: the request's parts by reference and
 * the arrival time as a number. The ISO `time` and the nested `request` are made only when read
 * (formatting a date costs as much as a tenth of a static answer); `Journal.list` gives plain copies.
 */
export class JournalRecord implements JournalEntry {
  id = 0;
  readonly protocol: string;
  readonly service: string;
  readonly operation: string;
  readonly target: string;
  readonly params: Record<string, string>;
  readonly headers: Headers;
  body: unknown;
  /**
   * The answer's body, and what few requests have besides (see Uncommon), kept as lean as the journal
   * can: a record keeps objects alive for as long as it is kept, and the garbage collector copies each
   * of them again and again meanwhile (most of what journaling costs a request), each field included.
   * An answer that is a body alone (an outcome `{ kind, rule, body }`) is kept as that body.
   */
  readonly #answerBody: unknown;
  readonly #uncommon: Uncommon | undefined;
  /**
   * Milliseconds from ARRIVALS_FROM to the arrival, whole, and the duration in hundredths of a
   * millisecond: small integers, kept in the record itself (a fractional number or an epoch time is an
   * object of its own, one more for the garbage collector to copy per request the journal keeps).
   */
  readonly #arrival: number;
  readonly #hundredths: number;
  strayErrors: string[] | undefined = undefined;
  /** Estimated bytes the journal holds for this entry (set when journaled). */
  bytes = 0;

  constructor(
    request: CoreRequest,
    /** Epoch milliseconds when the request arrived (kept whole: `time` has milliseconds). */
    arrivedAt: number,
    durationMs: number,
    readonly rule: string | null,
    readonly status: number | string,
    code: Code | undefined,
    miss: MissReport | undefined,
    error: string | undefined,
    readonly variants: string[],
    answer?: Answer | undefined,
  ) {
    this.protocol = request.protocol;
    this.service = request.service;
    this.operation = request.operation;
    this.target = request.target;
    this.params = request.params;
    this.headers = request.headers;
    this.body = request.body;
    // Floored after the subtraction: unoptimised code boxes a difference of two fractional numbers as a
    // heap number even when it is whole, where Math.floor gives a small integer as one (no object).
    this.#arrival = Math.floor(arrivedAt - ARRIVALS_FROM);
    this.#hundredths = Math.round(durationMs * 100);
    const bodyAlone =
      answer !== undefined &&
      answer.headers === undefined &&
      answer.trailers === undefined &&
      answer.messages === undefined &&
      answer.droppedMessages === undefined;
    this.#answerBody = bodyAlone ? answer.body : undefined;
    const query = isEmpty(request.query) ? undefined : request.query;
    const fuller = bodyAlone ? undefined : answer;
    this.#uncommon =
      query === undefined && fuller === undefined && code === undefined && miss === undefined && error === undefined
        ? undefined
        : { query, answer: fuller, code, miss, error };
  }

  get query(): Query {
    return this.#uncommon?.query ?? {};
  }

  /** What the engine or the adapter knows was answered: headers, trailers, body, a stream's messages. */
  get answer(): Answer | undefined {
    return this.#uncommon?.answer ?? (this.#answerBody === undefined ? undefined : { body: this.#answerBody });
  }

  get code(): Code | undefined {
    return this.#uncommon?.code;
  }

  get miss(): MissReport | undefined {
    return this.#uncommon?.miss;
  }

  get error(): string | undefined {
    return this.#uncommon?.error;
  }

  /** Epoch milliseconds when the request arrived (whole). */
  get arrivedAt(): number {
    return ARRIVALS_FROM + this.#arrival;
  }

  /** How long the request took, in milliseconds with two decimals. */
  get durationMs(): number {
    return this.#hundredths / 100;
  }

  /** A record of an entry journaled elsewhere (another replica of a shared store), as it was listed there. */
  static of(entry: JournalEntry): JournalRecord {
    const { protocol, service, operation, target, request } = entry;
    const parts = { protocol, service, operation, target, ...request } as unknown as CoreRequest;
    const { headers, trailers, body } = entry.response ?? {};
    const record = new JournalRecord(
      parts,
      Date.parse(entry.time),
      entry.durationMs,
      entry.rule,
      entry.status,
      entry.code,
      entry.miss,
      entry.error,
      entry.variants,
      entry.response ? { headers, trailers, body } : undefined,
    );
    record.strayErrors = entry.strayErrors;
    return record;
  }

  /** Keeps the first `max` bytes of a body of `size` bytes, as text ending with a marker. */
  truncateBody(size: number, max: number): void {
    let text: string;
    if (typeof this.body === 'string') text = this.body;
    else if (this.body instanceof Uint8Array) text = new TextDecoder('latin1').decode(this.body.subarray(0, max));
    else {
      try {
        text = JSON.stringify(this.body) ?? '';
      } catch {
        text = '';
      }
    }
    this.body = `${text.slice(0, max)}…${TRUNCATED}: the body has ${size} bytes; the journal keeps ${max} (journal body limit)`;
  }

  get time(): string {
    return new Date(this.arrivedAt).toISOString();
  }

  /** The request's parts; the body as a copy no deeper than MAX_DEPTH (what reads it, JSON included, may recurse). */
  get request(): JournalEntry['request'] {
    return { params: this.params, query: this.query, headers: this.headers, body: boundedCopy(this.body) };
  }

  /** What was answered; the body is bounded (see `RESPONSE_BODY_LIMIT`). */
  get response(): JournalResponse {
    const response: JournalResponse = { status: this.status };
    const answer = this.answer;
    if (!answer) return response;
    if (answer.headers) response.headers = answer.headers;
    if (answer.trailers) response.trailers = answer.trailers;
    if (answer.messages) Object.assign(response, boundedMessages(answer.messages, answer.droppedMessages ?? 0));
    const body = answer.body;
    if (body === undefined) return response;
    if (body instanceof JsonText) {
      const bytes = body.bytes;
      if (bytes <= RESPONSE_BODY_LIMIT) response.body = body.value();
      else {
        response.body = `${body.text.slice(0, 1024)}…`;
        response.truncatedBytes = bytes;
      }
      return response;
    }
    const json = safeJson(body);
    const bytes = json === undefined ? 0 : utf8.encode(json).length;
    if (json === undefined || bytes <= RESPONSE_BODY_LIMIT) response.body = body;
    else {
      response.body = `${json.slice(0, 1024)}…`;
      response.truncatedBytes = bytes;
    }
    return response;
  }

  toJSON(): JournalEntry {
    const { id, time, protocol, service, operation, target, request, rule, status, code, miss, error, strayErrors, durationMs, variants, response } = this;
    return { id, time, protocol, service, operation, target, request, rule, status, code, miss, error, strayErrors, durationMs, variants, response };
  }
}

export interface JournalLimits {
  /** Entries kept at most (the newest); 0 keeps none (`--no-journal`). Default 1,000. */
  entries?: number | undefined;
  /** Estimated bytes of all entries kept at most; the oldest go first. Default 64 MB. */
  bytes?: number | undefined;
  /** A body larger than this is journaled cut to this size, with a marker saying so. Default 64 KB. */
  bodyBytes?: number | undefined;
}

export const DEFAULT_JOURNAL_LIMITS = { entries: 1000, bytes: 64 * 1024 * 1024, bodyBytes: 64 * 1024 } as const;

/** What an entry costs besides its body (its fields, headers, the record object), estimated. */
const ENTRY_OVERHEAD_BYTES = 1024;

/** What a journal listener hears: an entry kept, entries removed, or every entry gone. */
export type JournalEvent = { type: 'entry'; record: JournalRecord } | { type: 'removed'; ids: number[] } | { type: 'cleared' };

/** A record of requests bounded by count and by bytes: the newest entries are kept. */
export class Journal {
  readonly capacity: number;
  readonly maxBytes: number;
  readonly maxBodyBytes: number;
  /** Oldest first from #head; slots before #head are dropped entries, compacted now and then. */
  #records: (JournalRecord | undefined)[] = [];
  #head = 0;
  #bytes = 0;
  #nextId = 1;
  #listeners = new Set<(event: JournalEvent) => void>();

  constructor(limits: JournalLimits | number = {}) {
    const { entries, bytes, bodyBytes } = typeof limits === 'number' ? { entries: limits, bytes: undefined, bodyBytes: undefined } : limits;
    this.capacity = Math.max(0, entries ?? DEFAULT_JOURNAL_LIMITS.entries);
    this.maxBytes = Math.max(0, bytes ?? DEFAULT_JOURNAL_LIMITS.bytes);
    this.maxBodyBytes = Math.max(0, bodyBytes ?? DEFAULT_JOURNAL_LIMITS.bodyBytes);
  }

  /** Estimated bytes of the entries kept now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Keeps a record (its body cut to `maxBodyBytes`) and numbers it; the oldest go while over a limit. */
  record(record: JournalRecord): JournalRecord {
    record.id = this.#nextId++;
    if (this.capacity === 0) return record;
    const bodyBytes = bodySize(record);
    if (bodyBytes > this.maxBodyBytes) record.truncateBody(bodyBytes, this.maxBodyBytes);
    record.bytes = ENTRY_OVERHEAD_BYTES + Math.min(bodyBytes, this.maxBodyBytes);
    this.#records.push(record);
    this.#bytes += record.bytes;
    while (this.#records.length - this.#head > 1 && (this.#records.length - this.#head > this.capacity || this.#bytes > this.maxBytes)) {
      this.#bytes -= (this.#records[this.#head] as JournalRecord).bytes;
      this.#records[this.#head++] = undefined;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#records.length) {
      this.#records = this.#records.slice(this.#head);
      this.#head = 0;
    }
    if (this.#listeners.size > 0) this.#emit({ type: 'entry', record });
    return record;
  }

  /**
   * Calls `listener` for each entry kept from now on, and when entries are removed or cleared (the
   * dashboard's live feed). A listener that throws is dropped. Returns the unsubscribe function.
   */
  subscribe(listener: (event: JournalEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: JournalEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        this.#listeners.delete(listener);
      }
    }
  }

  /** Entries oldest first, filtered; `limit` keeps the newest. Plain objects, made per call. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    return this.#find(filter).map((r) => r.toJSON());
  }

  count(filter: JournalFilter = {}): number {
    return this.#find(filter).length;
  }

  /** The newest record that `test` accepts, searching back from the last one. */
  newest(test: (record: JournalRecord) => boolean): JournalRecord | undefined {
    for (let i = this.#records.length - 1; i >= this.#head; i--) {
      const record = this.#records[i] as JournalRecord;
      if (test(record)) return record;
    }
    return undefined;
  }

  /** Removes the entries `test` picks (ids are kept); returns how many went. */
  remove(test: (entry: JournalEntry) => boolean): number {
    const kept: JournalRecord[] = [];
    const removed: number[] = [];
    for (let i = this.#head; i < this.#records.length; i++) {
      const record = this.#records[i] as JournalRecord;
      if (test(record)) {
        removed.push(record.id);
        this.#bytes -= record.bytes;
      } else kept.push(record);
    }
    this.#records = kept;
    this.#head = 0;
    if (removed.length > 0 && this.#listeners.size > 0) this.#emit({ type: 'removed', ids: removed });
    return removed.length;
  }

  /** Empties the journal; ids start again from 1. */
  clear(): void {
    this.#records = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#nextId = 1;
    if (this.#listeners.size > 0) this.#emit({ type: 'cleared' });
  }

  #find(filter: JournalFilter): JournalRecord[] {
    const found: JournalRecord[] = [];
    for (let i = this.#head; i < this.#records.length; i++) {
      const record = this.#records[i] as JournalRecord;
      if (matchesFilter(record, filter)) found.push(record);
    }
    return filter.limit !== undefined ? found.slice(-filter.limit) : found;
  }
}

/**
 * A body's size in bytes, cheaply: a string's or a buffer's length, else the request's
 * content-length (a parsed JSON body), else 0 (a decoded gRPC message: bounded by the protocol's own limit).
 */
function bodySize(record: JournalRecord): number {
  const body = record.body;
  if (typeof body === 'string') return body.length;
  if (body instanceof Uint8Array) return body.byteLength;
  if (typeof body !== 'object' || body === null) return 0;
  const length = record.headers['content-length'];
  return typeof length === 'string' ? Number(length) || 0 : 0;
}

const utf8 = new TextEncoder();

/** The messages that fit in `RESPONSE_BODY_LIMIT` bytes of JSON, the first first; the others counted as dropped. */
function boundedMessages(messages: StreamMessage[], dropped: number): Pick<JournalResponse, 'messages' | 'droppedMessages'> {
  let bytes = 0;
  let fit = 0;
  for (const m of messages) {
    bytes += utf8.encode(safeJson(m.message) ?? '').length;
    if (bytes > RESPONSE_BODY_LIMIT) break;
    fit++;
  }
  const left = dropped + messages.length - fit;
  return { messages: fit === messages.length ? messages : messages.slice(0, fit), ...(left > 0 && { droppedMessages: left }) };
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return undefined;
  }
}

function matchesFilter(record: JournalRecord, filter: JournalFilter): boolean {
  if (filter.service !== undefined && record.service !== filter.service) return false;
  if (filter.operation !== undefined && record.operation !== filter.operation) return false;
  if (filter.protocol !== undefined && record.protocol !== filter.protocol) return false;
  if (filter.matched !== undefined && (record.rule !== null) !== filter.matched) return false;
  if (filter.after !== undefined && record.id <= filter.after) return false;
  if (filter.body !== undefined && firstDifference(filter.body, record.body, true, '$') !== undefined) return false;
  return true;
}

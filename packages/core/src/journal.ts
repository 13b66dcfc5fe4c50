import type { Code } from './code.js';
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
   * state shows that state as it is when read.
   */
  body?: unknown;
  /** Set when the body was cut: its size in bytes of JSON. */
  truncatedBytes?: number | undefined;
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
  readonly query: Query;
  readonly headers: Headers;
  readonly body: unknown;
  readonly durationMs: number;

  constructor(
    request: CoreRequest,
    /** Epoch milliseconds when the request arrived. */
    readonly arrivedAt: number,
    durationMs: number,
    readonly rule: string | null,
    readonly status: number | string,
    readonly code: Code | undefined,
    readonly miss: MissReport | undefined,
    readonly error: string | undefined,
    readonly variants: string[],
    readonly answer?: Omit<JournalResponse, 'status' | 'truncatedBytes'> | undefined,
  ) {
    this.protocol = request.protocol;
    this.service = request.service;
    this.operation = request.operation;
    this.target = request.target;
    this.params = request.params;
    this.query = request.query;
    this.headers = request.headers;
    this.body = request.body;
    this.durationMs = Math.round(durationMs * 100) / 100;
  }

  get time(): string {
    return new Date(this.arrivedAt).toISOString();
  }

  get request(): JournalEntry['request'] {
    return { params: this.params, query: this.query, headers: this.headers, body: this.body };
  }

  /** What was answered; the body is bounded (see `RESPONSE_BODY_LIMIT`). */
  get response(): JournalResponse {
    const response: JournalResponse = { status: this.status };
    if (!this.answer) return response;
    if (this.answer.headers) response.headers = this.answer.headers;
    if (this.answer.trailers) response.trailers = this.answer.trailers;
    if (this.answer.body === undefined) return response;
    const json = safeJson(this.answer.body);
    const bytes = json === undefined ? 0 : utf8.encode(json).length;
    if (json === undefined || bytes <= RESPONSE_BODY_LIMIT) response.body = this.answer.body;
    else {
      response.body = `${json.slice(0, 1024)}…`;
      response.truncatedBytes = bytes;
    }
    return response;
  }

  toJSON(): JournalEntry {
    const { id, time, protocol, service, operation, target, request, rule, status, code, miss, error, durationMs, variants, response } = this;
    return { id, time, protocol, service, operation, target, request, rule, status, code, miss, error, durationMs, variants, response };
  }
}

/** A bounded record of requests: the newest `capacity` entries are kept. */
export class Journal {
  readonly capacity: number;
  #records: JournalRecord[] = [];
  #start = 0;
  #nextId = 1;

  constructor(capacity = 1000) {
    this.capacity = Math.max(1, capacity);
  }

  /** Keeps a record and numbers it. */
  record(record: JournalRecord): JournalRecord {
    record.id = this.#nextId++;
    if (this.#records.length < this.capacity) this.#records.push(record);
    else {
      this.#records[this.#start] = record;
      this.#start = (this.#start + 1) % this.capacity;
    }
    return record;
  }

  /** Entries oldest first, filtered; `limit` keeps the newest. Plain objects, made per call. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    return this.#find(filter).map((r) => r.toJSON());
  }

  count(filter: JournalFilter = {}): number {
    return this.#find(filter).length;
  }

  /** Removes the entries `test` picks (ids are kept); returns how many went. */
  remove(test: (entry: JournalEntry) => boolean): number {
    const kept = [...this.#records.slice(this.#start), ...this.#records.slice(0, this.#start)].filter((r) => !test(r));
    const removed = this.#records.length - kept.length;
    this.#records = kept;
    this.#start = 0;
    return removed;
  }

  /** Empties the journal; ids start again from 1. */
  clear(): void {
    this.#records = [];
    this.#start = 0;
    this.#nextId = 1;
  }

  #find(filter: JournalFilter): JournalRecord[] {
    const ordered = [...this.#records.slice(this.#start), ...this.#records.slice(0, this.#start)];
    const found = ordered.filter((r) => matchesFilter(r, filter));
    return filter.limit !== undefined ? found.slice(-filter.limit) : found;
  }
}

const utf8 = new TextEncoder();

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

import { boundedCopy } from './bounded.js';
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
  strayErrors: string[] | undefined = undefined;

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

  /** The request's parts; the body as a copy no deeper than MAX_DEPTH (what reads it, JSON included, may recurse). */
  get request(): JournalEntry['request'] {
    return { params: this.params, query: this.query, headers: this.headers, body: boundedCopy(this.body) };
  }

  toJSON(): JournalEntry {
    const { id, time, protocol, service, operation, target, request, rule, status, code, miss, error, strayErrors, durationMs, variants } = this;
    return { id, time, protocol, service, operation, target, request, rule, status, code, miss, error, strayErrors, durationMs, variants };
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

  /** The newest record that `test` accepts, searching back from the last one. */
  newest(test: (record: JournalRecord) => boolean): JournalRecord | undefined {
    for (let i = this.#records.length - 1; i >= 0; i--) {
      const record = this.#records[(this.#start + i) % this.#records.length] as JournalRecord;
      if (test(record)) return record;
    }
    return undefined;
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

function matchesFilter(record: JournalRecord, filter: JournalFilter): boolean {
  if (filter.service !== undefined && record.service !== filter.service) return false;
  if (filter.operation !== undefined && record.operation !== filter.operation) return false;
  if (filter.protocol !== undefined && record.protocol !== filter.protocol) return false;
  if (filter.matched !== undefined && (record.rule !== null) !== filter.matched) return false;
  if (filter.after !== undefined && record.id <= filter.after) return false;
  if (filter.body !== undefined && firstDifference(filter.body, record.body, true, '$') !== undefined) return false;
  return true;
}

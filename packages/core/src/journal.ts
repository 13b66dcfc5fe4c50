import type { Code } from './code.js';
import { firstDifference } from './match.js';
import type { Headers, Query } from './model.js';

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

/** A bounded record of requests: the newest `capacity` entries are kept. */
export class Journal {
  readonly capacity: number;
  #entries: JournalEntry[] = [];
  #start = 0;
  #nextId = 1;

  constructor(capacity = 1000) {
    this.capacity = Math.max(1, capacity);
  }

  /** Keeps an entry; one made with `id: 0` is numbered in place (no copy on the request path). */
  record(entry: Omit<JournalEntry, 'id'> | JournalEntry): JournalEntry {
    let full: JournalEntry;
    if ('id' in entry) {
      full = entry;
      full.id = this.#nextId++;
    } else full = { id: this.#nextId++, ...entry };
    if (this.#entries.length < this.capacity) this.#entries.push(full);
    else {
      this.#entries[this.#start] = full;
      this.#start = (this.#start + 1) % this.capacity;
    }
    return full;
  }

  /** Entries oldest first, filtered; `limit` keeps the newest. */
  list(filter: JournalFilter = {}): JournalEntry[] {
    const ordered = [...this.#entries.slice(this.#start), ...this.#entries.slice(0, this.#start)];
    const found = ordered.filter((e) => matchesFilter(e, filter));
    return filter.limit !== undefined ? found.slice(-filter.limit) : found;
  }

  count(filter: JournalFilter = {}): number {
    return this.list(filter).length;
  }

  /** Empties the journal; ids start again from 1. */
  clear(): void {
    this.#entries = [];
    this.#start = 0;
    this.#nextId = 1;
  }
}

function matchesFilter(entry: JournalEntry, filter: JournalFilter): boolean {
  if (filter.service !== undefined && entry.service !== filter.service) return false;
  if (filter.operation !== undefined && entry.operation !== filter.operation) return false;
  if (filter.protocol !== undefined && entry.protocol !== filter.protocol) return false;
  if (filter.matched !== undefined && (entry.rule !== null) !== filter.matched) return false;
  if (filter.after !== undefined && entry.id <= filter.after) return false;
  if (filter.body !== undefined && firstDifference(filter.body, entry.request.body, true, '$') !== undefined) return false;
  return true;
}

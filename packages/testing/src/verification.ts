import { firstDifference, type Journal, type JournalEntry } from '@mockstack/core';

export interface ReceivedQuery {
  /** Only requests to this service. */
  service?: string;
  /** The request body must contain this (partial match, as rules do). */
  body?: unknown;
  /** Exactly this many matching requests (default: at least one). */
  times?: number;
}

export interface Verification {
  pass: boolean;
  count: number;
  /** A readable account for a failing assertion: what was expected and what came in. */
  message: string;
}

/**
 * Checks the journal for requests to an operation (`POST /orders`, `checkout.payments.v1.PaymentService/Authorize`,
 * `mutation AddToCart`), optionally with a body, and explains the closest miss.
 */
export function verifyReceived(journal: Journal, operation: string, query: ReceivedQuery = {}): Verification {
  const calls = journal.list({ operation, service: query.service });
  const matching = query.body === undefined ? calls : calls.filter((e) => firstDifference(query.body, e.request.body, true, '$') === undefined);
  const count = matching.length;
  const pass = query.times === undefined ? count > 0 : count === query.times;
  const wanted = `${operation}${query.service ? ` on ${query.service}` : ''}${query.body === undefined ? '' : ` with a body containing ${JSON.stringify(query.body)}`}`;
  const expected = query.times === undefined ? 'at least once' : `${query.times} time(s)`;
  const lines = [`expected ${wanted} ${expected}; it was received ${count} time(s).`];
  if (!pass && query.body !== undefined && calls.length > count) {
    lines.push(`${calls.length} call(s) to ${operation} had other bodies:`);
    for (const call of calls.slice(-5))
      lines.push(`  #${call.id} ${describe(call)}: ${firstDifference(query.body, call.request.body, true, '$') ?? 'matches'}`);
  }
  if (!pass && calls.length === 0) {
    const others = [...new Set(journal.list().map((e) => `${e.service} ${e.operation}`))];
    lines.push(others.length ? `Requests received: ${others.join(', ')}.` : 'No requests were received at all.');
  }
  return { pass, count, message: lines.join('\n') };
}

function describe(entry: JournalEntry): string {
  return `${entry.target} → ${entry.status}, body ${JSON.stringify(entry.request.body)}`;
}

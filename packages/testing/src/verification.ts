import {
  checkPatternNames,
  type Engine,
  ErrorCode,
  type JournalEntry,
  parseVerification,
  type RequestPattern,
  type Verification,
  VerificationError,
  type VerificationResult,
  verifyInOrder,
  verifyRequests,
} from '@mockstack/core';

/** Criteria besides the operation: the core vocabulary (service, body, headers, query, metadata, times/atLeast/atMost…). */
export type ReceivedQuery = Omit<Verification, 'operation'>;

/**
 * Checks the journal for requests to an operation (`POST /orders`, `checkout.payments.v1.PaymentService/Authorize`,
 * `Query.product`) matching the criteria, and explains the nearest requests on a miss. An unknown criterion, service or
 * operation throws a VerificationError with "did you mean", so a typo never passes.
 */
export function verifyReceived(engine: Engine, operation: string | Verification, query: ReceivedQuery = {}): VerificationResult {
  const verification = parseVerification(typeof operation === 'string' ? { ...query, operation } : operation);
  checkPatternNames(verification, engine.model, engine.journal, engine.addedRules);
  return verifyRequests(engine.journal, verification);
}

/** Checks that requests matching each pattern came in this order (others may come between). */
export function verifyReceivedInOrder(engine: Engine, patterns: readonly (string | RequestPattern)[]): VerificationResult {
  const checked = patterns.map((p) => {
    const pattern = parseVerification(typeof p === 'string' ? { operation: p } : p);
    if (pattern.times !== undefined || pattern.atLeast !== undefined || pattern.atMost !== undefined)
      throw new VerificationError(ErrorCode.VerifyInvalid, 'a step of an order takes no times/atLeast/atMost; verify counts with toHaveReceived');
    checkPatternNames(pattern, engine.model, engine.journal, engine.addedRules);
    return pattern;
  });
  return verifyInOrder(engine.journal, checked);
}

/** How many unmatched requests a failure message describes one by one. */
const UNMATCHED_SHOWN = 10;

/**
 * Requests no rule (nor the contract) answered, each with why it missed the nearest rule: what
 * `toHaveNoUnmatchedRequests` reports (WireMock's `findUnmatchedRequests`, MSW's `onUnhandledRequest: 'error'`).
 */
export function unmatchedRequests(engine: Engine): { pass: boolean; entries: JournalEntry[]; message: string } {
  const entries = engine.journal.list({ matched: false });
  if (entries.length === 0) return { pass: true, entries, message: 'no request went unmatched' };
  const lines = entries.slice(0, UNMATCHED_SHOWN).map((entry) => {
    const miss = entry.miss;
    const nearest = miss?.nearest;
    const why = `${miss?.message ?? 'no rule answered'}${nearest ? `; nearest ${nearest.rule}${nearest.source ? ` (${nearest.source})` : ''}: ${nearest.missed.join('; ')}` : ''}`;
    return `  #${entry.id} ${entry.service} ${entry.target}: ${why}${miss?.hint ? `\n      ${miss.hint}` : ''}`;
  });
  const more = entries.length > UNMATCHED_SHOWN ? `\n  … and ${entries.length - UNMATCHED_SHOWN} more (stack.requests({ matched: false }) lists them)` : '';
  return { pass: false, entries, message: `${entries.length} request(s) went unmatched:\n${lines.join('\n')}${more}` };
}

import {
  checkPatternNames,
  type Engine,
  ErrorCode,
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

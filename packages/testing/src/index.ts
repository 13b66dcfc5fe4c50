export type { RequestPattern, Verification, VerificationResult } from '@mockstack/core';
export { matchers } from './matchers.js';
export { type StartOptions, startStack, type TestStack } from './start-stack.js';
export { type ReceivedQuery, unmatchedRequests, verifyReceived, verifyReceivedInOrder } from './verification.js';

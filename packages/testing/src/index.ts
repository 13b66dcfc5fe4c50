export { matchers } from './matchers.js';
export { type StartOptions, startStack, type TestStack } from './start-stack.js';
export { type ReceivedQuery, type Verification, verifyReceived } from './verification.js';

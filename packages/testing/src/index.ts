export { type StartOptions, startStack, type TestStack } from './start-stack.js';

export {
  type BodyCondition,
  type BodyFiles,
  type MatchValue,
  type ParsedStub,
  parseStub,
  type StubAnswer,
  type StubMatch,
  type StubUrl,
  type TextTest,
  type WiremockStub,
} from './stub.js';

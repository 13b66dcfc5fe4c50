export { projectRoot, resolveContractPath } from '@mockstack/core/platform';
export type {
  Adapter,
  AdapterContext,
  ContractFileKind,
  ContractServeOptions,
  ExpandContext,
  GenerateContext,
  GeneratedTypes,
  HttpHandler,
  InitCodeContext,
  InitContext,
  InitService,
  InitStub,
  ProjectContractFiles,
  ProtocolTooling,
  ServiceAddress,
  ServiceServer,
  StaticCheck,
  StaticRule,
  UpgradeHandler,
} from './adapter.js';
export { bodyText, sentBodyText, withBodyText } from './body-text.js';
export { boundedCopy, deeperThan, MAX_DEPTH, preview, TRUNCATED } from './bounded.js';
export { Code, codes, isCode } from './code.js';
export { type CompileOptions, compile, compileAddedRules, isMachineStates, isRuleDefinition, scenarioDefinitionOf } from './compile.js';
export { CorsOriginPolicy, parseCorsOrigins } from './cors-origins.js';
export { checkDelay, parseDuration, resolveDelay, sleep } from './delay.js';
export {
  type Completion,
  type ContractDefault,
  DEFAULT_HANDLER_TIMEOUT_MS,
  Engine,
  type EngineOptions,
  type HandlerGuard,
  type Outcome,
  type StateShapeChange,
  type WebhookSender,
} from './engine.js';
export { displayPath, ErrorCode, formatSource, MockstackError, type Problem, ScenarioCompileError } from './errors.js';
export { escapeRegExp } from './escape-regexp.js';
export { answerHeadersOf, decodeBody, type ForwardedAnswer, type ForwardRequest, fetchInitOf, forwardHttp } from './forward.js';
export { EXTENSION_HTTP_METHODS, ROUTE_METHODS } from './http-methods.js';
export { codeOfHttpStatus, faultStatusAndHeaders, httpStatusOfCode } from './http-status.js';
export {
  DEFAULT_JOURNAL_LIMITS,
  Journal,
  type JournalEntry,
  type JournalEvent,
  type JournalFilter,
  type JournalLimits,
  type JournalResponse,
  type MissReport,
  RESPONSE_BODY_LIMIT,
  STREAM_MESSAGE_LIMIT,
  type StreamMessage,
  StreamMessages,
} from './journal.js';
export { JsonText } from './json-text.js';
export { defaultLimits, type GivenLimits, limitsOf, type ServerLimits } from './limits.js';
export { type Logger, silentLogger } from './logger.js';
export { isLoopbackHost, isLoopbackOrigin } from './loopback.js';
export { compileMatchers, describeValue, firstDifference, type Matcher } from './match.js';
export * from './model.js';
export { editDistance, nearest } from './nearest.js';
export { PAUSE, pauseOf, sendPaced } from './paced.js';
export { isRecord, parseJsonOrUndefined } from './plain-data.js';
export { hashString, SeededRandom } from './random.js';
export { defaultRedactedHeaders, defaultRedactedQuery, REDACTED, Redactor, type RedactSetting } from './redact.js';
export {
  type FallThrough,
  FRAMING_HEADERS,
  fallThroughMarker,
  isFallThrough,
  isFault,
  isReply,
  isSequence,
  makeFault,
  makeReply,
  makeSequence,
  makeWebhook,
} from './reply.js';
export { captureSource, declareAuthoredBundle, firstUserFrame } from './source.js';
export { type AddRulesOptions, createStack, Stack, type StackOptions } from './stack.js';
export { type MaybePromise, MemoryStore, type Store, type StoreBinding, StoreUnavailableError } from './store.js';
export { type Http2Setting, type TlsFiles, type TlsMaterial, type TlsSetting, tlsOf } from './tls.js';
export {
  CompiledPattern,
  type CountExpectation,
  checkPatternNames,
  findRequests,
  type NearRequest,
  parseVerification,
  type RequestPattern,
  type Verification,
  VerificationError,
  type VerificationResult,
  verificationCriteria,
  verifyInOrder,
  verifyRequests,
} from './verify.js';
export type { UpstreamWebSocket, WebSocketConnection, WebSocketData, WebSocketEndpoint } from './websocket.js';

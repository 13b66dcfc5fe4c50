export { type MappingsFolder, type WiremockRoutesOptions, wiremockAdminRoutes } from './admin-routes.js';
export { WiremockMappingInvalid, WiremockMappingMalformed, WiremockNotFound, WiremockSaveUnavailable } from './errors.js';
export { type LiveMapping, LiveMappings, type WiremockHost } from './live-mappings.js';
export { type LiveStub, type LiveStubContext, liveStub, proxyOptionsOf, type RestRoute, type RouteFinder, WIREMOCK_START_STATE } from './live-stub.js';
export {
  ADMIN_ON_PORT,
  isMappingsDocument,
  type MappingsFile,
  type MappingsService,
  mappingsService,
  REFUSED_MAPPINGS,
  type RefusedMapping,
} from './mappings-service.js';
export type { MatcherCondition, WiremockMatcher } from './matchers.js';
export { isWiremockPattern, loggedRequestOf, metadataTest, serveEventOf, wiremockRequestTest } from './requests.js';
export { matchersOf, matching, type WiremockMatchers, wiremock } from './scenario.js';
export {
  type BodyCondition,
  type BodyFiles,
  type MatchValue,
  type ParsedStub,
  parseStub,
  type StubAnswer,
  type StubMatch,
  type StubUrl,
  type StubWebhook,
  type TextTest,
  type WiremockStub,
} from './stub.js';

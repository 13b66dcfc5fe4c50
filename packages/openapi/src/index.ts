export { type AjvInstance, createAjv, uncoercedAjvOf } from './ajv.js';
export {
  type ApiOperation,
  type ApiParameter,
  type DocumentProblem,
  type HttpMethod,
  type LoadOptions,
  loadOpenApi,
  type OpenApi,
  OpenApiDocumentError,
  type OpenApiVersion,
  routeParamName,
  type SecurityScheme,
  serverUrlsOf,
  toRoute,
} from './document.js';
export { type DocumentedError, documentedError } from './error-shape.js';
export { type ExampleDispatch, exampleDispatchOf, type ResponseExample } from './example-dispatch.js';
export { type GenerateOptions, generateValue, seedFor } from './generate.js';
export { bodyCursorsOf, cursorParametersOf, forwardCursor, linkToNextPage } from './last-page.js';
export { getPointer, isObject, type JsonObject, toPointer } from './pointer.js';
export { type RequestParts, RequestValidator, type Violation } from './request-validation.js';
export {
  type ContractResponse,
  isPreferenceProblem,
  type Preference,
  type PreferenceProblem,
  parsePrefer,
  ResponseMaker,
} from './responses.js';
export { type Direction, SchemaSet, typedEnum } from './schemas.js';
export { isXmlMediaType, toXml } from './xml.js';

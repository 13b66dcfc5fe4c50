/** Typed contracts: `mockstack gen` (types from protos, GraphQL SDL and OpenAPI) and `mockstack check`. */

export { type CheckOptions, type CheckProblem, type CheckResult, check, formatJson, formatJunit, formatText } from './check.js';
export {
  contractKinds,
  findContracts,
  GENERATED_DIR,
  GENERATED_FILE,
  type GenerateOptions,
  type GenerateResult,
  generate,
  generatedFile,
  isStale,
} from './generate.js';
export { checkStaticAnswers, checkStaticResponses, graphqlValue, type StaticResponsesResult, type Violation } from './static-responses.js';

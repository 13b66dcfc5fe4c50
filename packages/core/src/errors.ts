import { displayPath } from '@mockstack/core/platform';
import type { SourceLocation } from './model.js';

/**
 * Every error mockstack raises for a user carries one of these stable codes.
 * Codes are documented in the README under "Error codes"; never rename one.
 */
export const ErrorCode = {
  ScenarioLoad: 'MOCKSTACK_ERR_SCENARIO_LOAD',
  ScenarioNotFound: 'MOCKSTACK_ERR_SCENARIO_NOT_FOUND',
  ScenarioInvalid: 'MOCKSTACK_ERR_SCENARIO_INVALID',
  SourceKind: 'MOCKSTACK_ERR_SOURCE_KIND',
  ScenarioCompile: 'MOCKSTACK_ERR_SCENARIO_COMPILE',
  VariantUnknown: 'MOCKSTACK_ERR_VARIANT_UNKNOWN',
  PortInUse: 'MOCKSTACK_ERR_PORT_IN_USE',
  ContractLoad: 'MOCKSTACK_ERR_CONTRACT_LOAD',
  /** A contract given to `mockstack up` by its address could not be downloaded (unreachable, not 2xx, too large). */
  ContractDownload: 'MOCKSTACK_ERR_CONTRACT_DOWNLOAD',
  /** A response breaks its contract (reported by `mockstack check`). */
  ContractViolation: 'MOCKSTACK_ERR_CONTRACT_VIOLATION',
  /** A scenario rule names an operation its contract (e.g. an OpenAPI document) does not have. */
  OperationUnknown: 'MOCKSTACK_ERR_OPERATION_UNKNOWN',
  AdapterMissing: 'MOCKSTACK_ERR_ADAPTER_MISSING',
  /** Two adapters given to the runner serve the same protocol name (`RunOptions.protocols`). */
  ProtocolDuplicate: 'MOCKSTACK_ERR_PROTOCOL_DUPLICATE',
  /** `mockstack init` would overwrite an existing file (without --force). */
  InitFileExists: 'MOCKSTACK_ERR_INIT_FILE_EXISTS',
  /** `mockstack init` found no contract to write a scenario from. */
  InitNoContracts: 'MOCKSTACK_ERR_INIT_NO_CONTRACTS',
  /** A verification (admin `/verify`, `stack.verify`, `toHaveReceived`) names a criterion the vocabulary does not have. */
  VerifyUnknownCriterion: 'MOCKSTACK_ERR_VERIFY_UNKNOWN_CRITERION',
  /** A verification names a service or operation the scenario neither serves nor received. */
  VerifyUnknownOperation: 'MOCKSTACK_ERR_VERIFY_UNKNOWN_OPERATION',
  /** A verification criterion has a value of the wrong kind (e.g. `times: -1`). */
  VerifyInvalid: 'MOCKSTACK_ERR_VERIFY_INVALID',
  /** A state or machines document sent to the admin API does not fit the scenario. */
  AdminStateInvalid: 'MOCKSTACK_ERR_ADMIN_STATE_INVALID',
  /** `mockstack gen` found no contract to type (none in protos/, schemas/ or named by a scenario). */
  GenNoContracts: 'MOCKSTACK_ERR_GEN_NO_CONTRACTS',
  /** `mockstack record` was given a target it cannot record (not a URL, an unknown scheme, gRPC without protos). */
  RecordTarget: 'MOCKSTACK_ERR_RECORD_TARGET',
  /** `mockstack import` cannot tell what a file is, or cannot read it as the format it names. */
  ImportFormat: 'MOCKSTACK_ERR_IMPORT_FORMAT',
  /** An option given to `startStack` / `runScenario` has a value it cannot take (e.g. `handlerTimeout: 0`). */
  OptionInvalid: 'MOCKSTACK_ERR_OPTION_INVALID',
  /** A service's `tls` setting cannot be served: a certificate or key file unreadable or not PEM, or not resolved by the runner. */
  TlsInvalid: 'MOCKSTACK_ERR_TLS_INVALID',
  /** The shared store (`--store redis://…`) cannot be reached; requests that need it are answered UNAVAILABLE until it is back. */
  StoreUnavailable: 'MOCKSTACK_ERR_STORE_UNAVAILABLE',
  /** `--store` / `store` names a store mockstack does not know (it takes `memory` or `redis://host:port/db`). */
  StoreUnknown: 'MOCKSTACK_ERR_STORE_UNKNOWN',
  /** mockstack/msw: a service has no base URL to intercept (no port, no `baseUrl`), or one that is not a URL. */
  MswBaseUrl: 'MOCKSTACK_ERR_MSW_BASE_URL',
  /** mockstack/msw: the handlers were asked for their engine before the scenario compiled (`await handlers.ready`). */
  MswNotReady: 'MOCKSTACK_ERR_MSW_NOT_READY',
  /** A rule added while the stack serves (`stack.use`, the admin API's mappings) does not compile, or names an operation its service lacks. */
  RuleInvalid: 'MOCKSTACK_ERR_RULE_INVALID',
  /** A WireMock stub mapping sent to the admin API is malformed, names no REST service, or asks for what mockstack cannot honour. */
  WiremockMappingInvalid: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_INVALID',
  /** A WireMock mapping id (or scenario name) sent to the admin API names none there is. */
  WiremockMappingUnknown: 'MOCKSTACK_ERR_WIREMOCK_MAPPING_UNKNOWN',
  /** `POST /__admin/mappings/save` has no folder to write to (WireMock's `mappings`, beside its files folder), or cannot write there. */
  WiremockSaveUnavailable: 'MOCKSTACK_ERR_WIREMOCK_SAVE_UNAVAILABLE',
  /** A Mountebank imposter or stub (admin API `/imposters`, `mockstack import`) is malformed, for no REST service, or asks for what mockstack cannot honour. */
  MountebankImposterInvalid: 'MOCKSTACK_ERR_MOUNTEBANK_IMPOSTER_INVALID',
  /** A Mountebank imposter port or stub index sent to the admin API names none there is. */
  MountebankImposterUnknown: 'MOCKSTACK_ERR_MOUNTEBANK_IMPOSTER_UNKNOWN',
  /** A Mountebank imposters file given to `mockstack up` is malformed or asks for what mockstack cannot honour. */
  MountebankFileInvalid: 'MOCKSTACK_ERR_MOUNTEBANK_FILE_INVALID',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A problem found in a scenario, pointing at where the author wrote it. */
export interface Problem {
  message: string;
  source?: SourceLocation | undefined;
}

/** Base class of every user-facing mockstack error. */
export class MockstackError extends Error {
  readonly code: ErrorCode;
  readonly source: SourceLocation | undefined;
  /** When the error gathers several problems, each with its own place (tools such as `check` list them one per line). */
  readonly problems: readonly Problem[];

  constructor(
    code: ErrorCode,
    message: string,
    options: { source?: SourceLocation | undefined; cause?: unknown; problems?: readonly Problem[] | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MockstackError';
    this.code = code;
    this.source = options.source;
    this.problems = options.problems ?? [];
  }

  /** `file:line:col: message [CODE]`, the form editors and CI logs link. */
  format(): string {
    const where = this.source ? `${formatSource(this.source)}: ` : '';
    return `${where}${this.message} [${this.code}]`;
  }
}

/** A scenario that compiled with one or more problems; each names its file and line. */
export class ScenarioCompileError extends MockstackError {
  constructor(scenario: string, problems: readonly Problem[]) {
    const lines = problems.map((p) => `  - ${p.source ? `${formatSource(p.source)}: ` : ''}${p.message}`);
    super(ErrorCode.ScenarioCompile, `scenario "${scenario}" has ${problems.length} problem(s):\n${lines.join('\n')}`, {
      source: problems[0]?.source,
      problems,
    });
    this.name = 'ScenarioCompileError';
  }

  override format(): string {
    return `${this.message}\n[${this.code}]`;
  }
}

/** `file:line:col`, the file as displayPath shows it. */
/**
 * An error's message as a clause of a message of ours (`cannot reach X: <clause>. Start …`): without the
 * final period a library's message may end with (ioredis: 'Connection is closed.'), so that none is doubled.
 */
export function messageClause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/([^.])\.\s*$/, '$1');
}

export function formatSource(source: SourceLocation): string {
  return `${displayPath(source.file)}:${source.line}:${source.column}`;
}

export { displayPath };

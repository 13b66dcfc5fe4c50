export { mountebankAdminRoutes, mountebankErrorAnswer } from './admin-routes.js';
export { answerOf, responseCycle } from './answers.js';
export { badData, type MountebankError, MountebankFileInvalid, MountebankInvalid, MountebankNotFound } from './errors.js';
export {
  type CheckOptions,
  type CopyBehavior,
  checkImposter,
  FAULTS,
  type ImposterCheck,
  type MountebankImposter,
  type MountebankIs,
  type MountebankResponse,
  type MountebankStub,
  predicateProblems,
  refusing,
  responseProblems,
  stubProblems,
  waitMs,
} from './imposter.js';
export { impostersOf, impostersServices, imposterWhere, isImpostersDocument } from './imposters-file.js';
export { type ImposterView, type LiveImposter, LiveImposters, type MountebankHost, type SavedRequest } from './live-imposters.js';
export { FIELDS, type MountebankRequest, meets, meetsAll, OPERATORS } from './predicates.js';
export {
  generatedPredicates,
  type MountebankProxy,
  type PredicateGenerator,
  type ProxiedAnswer,
  recordedResponse,
  withRecorded,
} from './proxy-recording.js';
export { mountebankRequestOf } from './request.js';
export { type ImposterInput, type ImposterRulesOptions, imposterRules, METHODS, type ProxyRecording, type ServiceRoute } from './rules.js';

export { mountebank } from './scenario.js';

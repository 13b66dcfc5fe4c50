export { mountebankAdminRoutes, mountebankErrorAnswer } from './admin-routes.js';
export { answerOf, responseCycle } from './answers.js';
export { badData, type MountebankError, MountebankInvalid, MountebankNotFound } from './errors.js';
export {
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
export { type ImposterView, type LiveImposter, LiveImposters, type MountebankHost, type SavedRequest } from './live-imposters.js';
export { FIELDS, type MountebankRequest, meets, meetsAll, OPERATORS } from './predicates.js';
export { mountebankRequestOf } from './request.js';
export { type ImposterInput, type ImposterRulesOptions, imposterRules, METHODS, type ServiceRoute } from './rules.js';

import { imposterRules } from './rules.js';

/**
 * Mountebank's imposters in a scenario: `mountebank.rules(imposter)` serves an imposter's stubs as a
 * REST service's rules (what `mockstack import` writes for an `mb save` file).
 *
 * @example
 * imposter4545: rest({ port: 4545 }, mountebank.rules({ protocol: 'http', stubs: [{ responses: [{ is: { body: 'hi' } }] }] }))
 */
export const mountebank = { rules: imposterRules } as const;

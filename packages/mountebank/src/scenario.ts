import { imposterRules } from './rules.js';

export type { ImposterInput } from './rules.js';

/**
 * Mountebank's imposters in a scenario: `mountebank.rules(imposter)` serves an imposter's stubs as a
 * REST service's rules (what `mockstack import` writes for an `mb save` file). This entry has no admin
 * API in it, so scenarios that import `mockstack` type-check without it.
 *
 * @example
 * imposter4545: rest({ port: 4545 }, mountebank.rules({ protocol: 'http', stubs: [{ responses: [{ is: { body: 'hi' } }] }] }))
 */
export const mountebank = { rules: imposterRules } as const;

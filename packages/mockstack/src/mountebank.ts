/**
 * mockstack/mountebank: Mountebank's imposters in a scenario, served with Mountebank's meaning (what
 * `mockstack import imposters.json` writes). An entry of its own, so that the XML libraries its `xpath`
 * predicates need are read only by the scenarios that use it.
 *
 * @example
 * import { rest, scenario } from 'mockstack';
 * import { mountebank } from 'mockstack/mountebank';
 * export default scenario('imposters').services({
 *   imposter4545: rest({ port: 4545 }, mountebank.rules({ protocol: 'http', stubs: [{ responses: [{ is: { body: 'hi' } }] }] })),
 * });
 */
export { type ImposterInput, mountebank } from '@mockstack/mountebank/scenario';

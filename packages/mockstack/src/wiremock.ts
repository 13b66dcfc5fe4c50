/**
 * mockstack/wiremock: WireMock's matchers in a scenario, evaluated as WireMock does (XML and XPath,
 * and/or/not, hasExactly/includes, dates, numbers, multipart): what `mockstack import` writes for a
 * mapping whose matchers the DSL has no form for. An entry of its own, so that the XML libraries it
 * holds are read only by the scenarios that use it.
 *
 * @example
 * import { rest } from 'mockstack';
 * import { wiremock } from 'mockstack/wiremock';
 * rest.post('/soap/orders', { match: { when: wiremock.matching({ bodyPatterns: [{ matchesXPath: '//GetOrder[@id="7"]' }] }) } }, 'order 7');
 */
export { type WiremockMatchers, wiremock } from '@mockstack/wiremock/scenario';

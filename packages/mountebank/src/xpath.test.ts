import { meets } from './predicates.js';
import { selectXPath, xpathProblem } from './xpath.js';

const order = `<order xmlns:p="urn:pay"><id>ord_1</id><line sku="MUG"/><line sku="CAP"/><p:card>visa</p:card><empty/></order>`;
const xml = (body: string) => ({ method: 'POST', path: '/', query: {}, headers: {}, body });

test('selectXPath gives each node’s text, a number or boolean, or undefined when nothing or no XML', () => {
  expect(selectXPath(order, { selector: '//id' })).toEqual(['ord_1']);
  expect(selectXPath(order, { selector: '//line/@sku' })).toEqual(['MUG', 'CAP']);
  expect(selectXPath(order, { selector: 'count(//line)' })).toBe(2);
  expect(selectXPath(order, { selector: 'boolean(//nothing)' })).toBe(false);
  expect(selectXPath(order, { selector: '//p:card', ns: { p: 'urn:pay' } })).toEqual(['visa']);
  expect(selectXPath(order, { selector: '//empty' })).toEqual(['undefined']); // Mountebank's text of an empty element
  expect(selectXPath(order, { selector: '//ID' })).toBeUndefined(); // XML names keep their case
  expect(selectXPath(order, { selector: '//q:card', ns: { p: 'urn:pay' } })).toBeUndefined(); // an unbound prefix
  expect(selectXPath('not <xml', { selector: '//id' })).toBeUndefined();
  expect(selectXPath('', { selector: '//id' })).toBeUndefined();
});

test('xpathProblem names a selector that does not compile and a malformed ns', () => {
  expect(xpathProblem({ selector: '//id' })).toBeUndefined();
  expect(xpathProblem({ selector: '//[' })).toMatch(/^malformed xpath selector "\/\/\[": XPath parse error/);
  expect(xpathProblem({ selector: '//a', ns: { a: 1 } })).toMatch(/'ns' maps namespace prefixes to URIs/);
  expect(xpathProblem('//id')).toMatch(/'xpath' must be \{ "selector"/);
});

test('xpath predicates lower-case the selector and the XML unless caseSensitive, as Mountebank', () => {
  expect(meets({ equals: { body: 'ORD_1' }, xpath: { selector: '//ID' } }, xml(order))).toBe(true);
  expect(meets({ equals: { body: 'ord_1' }, xpath: { selector: '//ID' }, caseSensitive: true }, xml(order))).toBe(false);
  expect(meets({ equals: { body: 'cap' }, xpath: { selector: '//line/@sku' } }, xml(order))).toBe(true); // any node
  expect(meets({ deepEquals: { body: ['cap', 'mug'] }, xpath: { selector: '//line/@sku' } }, xml(order))).toBe(true); // all
  expect(meets({ equals: { body: 2 }, xpath: { selector: 'count(//line)' } }, xml(order))).toBe(true);
  expect(meets({ exists: { body: false }, xpath: { selector: '//nothing' } }, xml(order))).toBe(true);
  expect(meets({ exists: { body: true }, xpath: { selector: '//id' } }, xml('{"id": 1}'))).toBe(false);
});

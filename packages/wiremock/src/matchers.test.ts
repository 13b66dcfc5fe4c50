import { compileMatcher, compileValuesMatcher } from './matchers.js';

/** The matcher compiled (its problems failing the test), as a test of values. */
const matcher = (json: unknown) => {
  const problems: string[] = [];
  const test = compileMatcher(json, problems, 'body');
  expect(problems).toEqual([]);
  return test as (value: string | undefined) => boolean;
};
const problemsOf = (json: unknown) => {
  const problems: string[] = [];
  compileMatcher(json, problems, 'body');
  return problems;
};

test('equalToXml compares structure: whitespace, comments, attribute order and namespace prefixes do not count', () => {
  const soap = matcher({
    equalToXml: '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><getOrder id="1" lang="en"/></s:Body></s:Envelope>',
  });
  expect(
    soap(`<?xml version="1.0"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <!-- a comment -->
  <soapenv:Body>
    <getOrder lang="en" id="1"></getOrder>
  </soapenv:Body>
</soapenv:Envelope>`),
  ).toBe(true);
  expect(soap('<s:Envelope xmlns:s="http://other"><s:Body><getOrder id="1" lang="en"/></s:Body></s:Envelope>')).toBe(false);
  expect(soap('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><getOrder id="2" lang="en"/></s:Body></s:Envelope>')).toBe(false);
  // Malformed XML in a request does not match (and does not throw).
  expect(soap('<s:Envelope><unclosed></s:Envelope>')).toBe(false);
  expect(soap(undefined)).toBe(false);
});

test('equalToXml: siblings of different names in any order, same-named ones in order unless ignoreOrderOfSameNode', () => {
  expect(matcher({ equalToXml: '<a><b/><c/></a>' })('<a><c/><b/></a>')).toBe(true);
  expect(matcher({ equalToXml: '<body><entry>1</entry><entry>2</entry></body>' })('<body><entry>2</entry><entry>1</entry></body>')).toBe(false);
  expect(
    matcher({ equalToXml: '<body><entry>1</entry><entry>2</entry></body>', ignoreOrderOfSameNode: true })('<body><entry>2</entry><entry>1</entry></body>'),
  ).toBe(true);
});

test('equalToXml placeholders and exempted comparisons', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: XMLUnit's placeholder syntax, not a template.
  const ignoringId = matcher({ equalToXml: '<message><id>${xmlunit.ignore}</id><content>Hello</content></message>', enablePlaceholders: true });
  expect(ignoringId('<message><id>123456</id><content>Hello</content></message>')).toBe(true);
  expect(ignoringId('<message><id>123456</id><content>Bye</content></message>')).toBe(false);
  const custom = matcher({
    equalToXml: '<message><id>[[xmlunit.isNumber]]</id></message>',
    enablePlaceholders: true,
    placeholderOpeningDelimiterRegex: '\\[\\[',
    placeholderClosingDelimiterRegex: ']]',
  });
  expect(custom('<message><id>42</id></message>')).toBe(true);
  expect(custom('<message><id>x</id></message>')).toBe(false);
  expect(matcher({ equalToXml: '<thing>Hello</thing>', exemptedComparisons: ['TEXT_VALUE'] })('<thing>Bye</thing>')).toBe(true);
});

test('matchesXPath: selects something, with namespaces, or passes a nested matcher', () => {
  const todo = '<todo-list><todo-item>Do the washing</todo-item><todo-item>Dry</todo-item><todo-item>Iron</todo-item></todo-list>';
  expect(matcher({ matchesXPath: '/todo-list[count(todo-item) = 3]' })(todo)).toBe(true);
  expect(matcher({ matchesXPath: '/todo-list[count(todo-item) = 2]' })(todo)).toBe(false);
  expect(matcher({ matchesXPath: { expression: '//todo-item/text()', contains: 'wash' } })(todo)).toBe(true);
  expect(matcher({ matchesXPath: { expression: '//todo-item', equalToXml: '<todo-item>Do the washing</todo-item>' } })(todo)).toBe(true);
  const namespaced = matcher({
    matchesXPath: '/stuff:outer/more:inner[.=111]',
    xPathNamespaces: { stuff: 'http://stuff.example.com', more: 'http://more.example.com' },
  });
  expect(namespaced('<a:outer xmlns:a="http://stuff.example.com" xmlns:b="http://more.example.com"><b:inner>111</b:inner></a:outer>')).toBe(true);
  expect(namespaced('<a:outer xmlns:a="http://stuff.example.com" xmlns:b="http://more.example.com"><b:inner>112</b:inner></a:outer>')).toBe(false);
  expect(matcher({ matchesXPath: '/todo-list' })('not xml at all')).toBe(false);
  // XML names are case-sensitive (xmldom claims HTML support, which would make the xpath library ignore case).
  expect(matcher({ matchesXPath: '/TODO-LIST' })(todo)).toBe(false);
});

test('and, or, not, numbers', () => {
  const both = matcher({ and: [{ matches: '[a-z]+' }, { contains: 'magicvalue' }] });
  expect([both('xmagicvaluex'), both('magic'), both(undefined)]).toEqual([true, false, false]);
  const orAbsent = matcher({ or: [{ matches: '[a-z]+' }, { absent: true }] });
  expect([orAbsent('abc'), orAbsent(undefined), orAbsent('ABC')]).toEqual([true, true, false]);
  const notLower = matcher({ not: { matches: '[a-z]+' } });
  expect([notLower('ABC'), notLower('abc')]).toEqual([true, false]);
  expect([matcher({ greaterThanNumber: '1' })('2'), matcher({ greaterThanNumber: 1 })('1'), matcher({ lessThanEqualNumber: 5 })('x')]).toEqual([
    true,
    false,
    false,
  ]);
});

test('hasExactly and includes test all the values', () => {
  const compile = (json: unknown) => {
    const problems: string[] = [];
    const test = compileValuesMatcher(json, problems, 'query parameter id');
    expect(problems).toEqual([]);
    return test as (values: string[] | undefined) => boolean;
  };
  const exactly = compile({ hasExactly: [{ equalTo: '1' }, { contains: '2' }, { doesNotContain: '3' }] });
  expect([exactly(['1', '22', '4']), exactly(['1', '22', '4', '5']), exactly(['1', '22']), exactly(undefined)]).toEqual([true, false, false, false]);
  const including = compile({ includes: [{ equalTo: '1' }, { equalTo: '2' }] });
  expect([including(['3', '2', '1']), including(['1'])]).toEqual([true, false]);
  // One value's matcher: any value may match it.
  expect(compile({ equalTo: 'b' })(['a', 'b'])).toBe(true);
});

test('dates: literal, now with offsets, formats, truncation', () => {
  expect(matcher({ after: '2021-05-01T00:00:00Z' })('2021-06-01T10:00:00Z')).toBe(true);
  expect(matcher({ after: '2021-05-01T00:00:00Z' })('Tue, 01 Jun 2021 15:16:17 GMT')).toBe(true);
  expect(matcher({ before: '2021-05-01T00:00:00Z' })('2021-06-01T10:00:00+02:00')).toBe(false);
  expect(matcher({ before: 'now +3 days' })(new Date(Date.now() + 86_400_000).toISOString())).toBe(true);
  expect(matcher({ before: 'now', expectedOffset: 2, expectedOffsetUnit: 'months' })(new Date(Date.now() + 40 * 86_400_000).toISOString())).toBe(true);
  expect(matcher({ equalToDateTime: '2021-06-24T00:00:00', actualFormat: 'dd/MM/yyyy' })('24/06/2021')).toBe(true);
  expect(matcher({ equalToDateTime: '2020-03-01T00:00:00Z', truncateActual: 'first day of month' })('2020-03-17T10:11:12Z')).toBe(true);
  expect(matcher({ equalToDateTime: '2020-03-01T00:00:00Z', truncateActual: 'first day of month' })('2020-04-01T00:00:00Z')).toBe(false);
  expect(matcher({ after: '2021-05-01T00:00:00Z' })('not a date')).toBe(false);
  expect(
    matcher({ matchesJsonPath: { expression: '$.date', and: [{ before: '2022-01-01T00:00:00' }, { after: '2020-01-01T00:00:00' }] } })(
      '{"date":"2021-01-01T00:00:00"}',
    ),
  ).toBe(true);
});

test('what is wrong in a matcher is said, with what to do', () => {
  expect(problemsOf({ equalToXml: '<a><b></a>' })).toEqual([
    expect.stringMatching(/^body: equalToXml is not well-formed XML \(.*\); send the expected document/),
  ]);
  expect(problemsOf({ matchesXPath: '//[' })).toEqual([expect.stringContaining('body: the XPath "//[" does not compile')]);
  expect(problemsOf({ before: 'tomorrow-ish' })).toEqual([expect.stringContaining('before "tomorrow-ish" is neither a date/time')]);
  expect(problemsOf({ after: 'now', truncateExpected: 'end of days' })).toEqual([
    expect.stringContaining('truncateExpected "end of days" is not a truncation; use one of first second of minute'),
  ]);
  expect(problemsOf({ equalToSomething: 'x' })).toEqual([expect.stringContaining('equalToSomething is not a matcher mockstack evaluates (equalTo, contains')]);
  expect(problemsOf({ and: [{ matches: '(' }] })).toEqual([expect.stringContaining('body and[0]: the regex "(" does not compile')]);
  expect(problemsOf({ equalToXml: '<a/>', namespaceAwareness: 'LEGACY' })).toEqual([expect.stringContaining('namespaceAwareness "LEGACY" is not evaluated')]);
});

test("equalToJson reads json-unit's placeholders as WireMock 3.13.2 does (each case answered the same by the jar)", () => {
  /** `${json-unit.<name>}`, written so that no linter takes it for a template. */
  const unit = (name: string) => `$\{json-unit.${name}}`;
  const person = matcher({
    equalToJson: `{"name":"${unit('any-string')}","age":"${unit('any-number')}","code":"${unit('regex')}[A-Z]{3}","x":"${unit('ignore')}","ok":"${unit('any-boolean')}"}`,
  });
  expect(person('{"name":"a","age":3,"code":"ABC","x":null,"ok":true}')).toBe(true);
  expect(person('{"name":"a","age":3.5,"code":"ABC","x":{},"ok":false}')).toBe(true);
  expect(person('{"name":1,"age":3,"code":"ABC","x":1,"ok":true}')).toBe(false);
  expect(person('{"name":"a","age":"3","code":"ABC","x":1,"ok":true}')).toBe(false);
  expect(person('{"name":"a","age":3,"code":"ABCD","x":1,"ok":true}')).toBe(false);
  // ignore takes any value, not none; and no more fields than written without ignoreExtraElements.
  expect(person('{"name":"a","age":3,"code":"ABC","ok":true}')).toBe(false);
  expect(person('{"name":"a","age":3,"code":"ABC","x":[1],"ok":false,"extra":1}')).toBe(false);
  expect(matcher({ equalToJson: { id: `${unit('any-string')}` }, ignoreExtraElements: true })('{"id":"1","more":2}')).toBe(true);
  expect(problemsOf({ equalToJson: `{"a":"${unit('matches:custom')}"}` })).toEqual([
    `body: the placeholder ${unit('matches:custom')} is not evaluated; these are: ${unit('any-string')}, ${unit('any-number')}, ${unit('any-boolean')}, ${unit('ignore')}, ${unit('regex')}…`,
  ]);
  expect(problemsOf({ equalToJson: `{"a":"${unit('regex')}(["}` })[0]).toMatch(/^body: the placeholder .*: its regex does not compile in JavaScript/);
});

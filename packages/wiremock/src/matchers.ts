import { type CoreRequest, firstDifference, isRecord, parseJsonOrUndefined } from '@mockstack/core';
import { bodyText, valueAt } from './conditions.js';
import { dateTimeTest } from './date-times.js';
import { parseXml, XML_COMPARISONS, type XmlEqualityOptions, xmlEquals, xmlProblem, xpathProblem, xpathValues } from './xml.js';

/**
 * WireMock's matchers of a value, evaluated as WireMock evaluates them: the logical ones (`and`, `or`,
 * `not`), the multi-value ones (`hasExactly`, `includes`), dates and times, numbers, XML (`equalToXml`,
 * `matchesXPath`) and the text ones they nest. Each is compiled once from its JSON; what is wrong in it
 * is listed in words (and nothing is compiled), so a mapping with it is refused rather than served.
 */

/** A WireMock matcher as its JSON: `{ "equalTo": "x" }`, `{ "and": [...] }`, `{ "matchesXPath": "/a" }`… */
export type WiremockMatcher = Record<string, unknown>;

/** A test of one value: a path parameter, a query parameter's or header's value, the body's text (undefined: absent). */
export type ValueTest = (value: string | undefined) => boolean;

/** A test of all the values of a query parameter or header (undefined: absent). */
export type ValuesTest = (values: readonly string[] | undefined) => boolean;

/** Where a matcher applies: a path parameter, query parameter or header by name, the body, or the parts of a multipart body. */
export interface MatcherCondition {
  on: 'params' | 'query' | 'headers' | 'body' | 'multipart';
  /** The parameter's or header's name (none for the body). */
  name?: string;
  matcher: WiremockMatcher;
}

/** Every matcher of one value mockstack evaluates, as messages list them. */
export const VALUE_MATCHER_NAMES = [
  'equalTo',
  'contains',
  'doesNotContain',
  'matches',
  'doesNotMatch',
  'absent',
  'and',
  'or',
  'not',
  'before',
  'after',
  'equalToDateTime',
  'equalToNumber',
  'greaterThanNumber',
  'greaterThanEqualNumber',
  'lessThanNumber',
  'lessThanEqualNumber',
  'equalToJson',
  'matchesJsonPath',
  'equalToXml',
  'matchesXPath',
] as const;

/** The keys that may go with a matcher's own (its options). */
const OPTION_KEYS = new Set([
  'caseInsensitive',
  'actualFormat',
  'truncateExpected',
  'truncateActual',
  'expectedOffset',
  'expectedOffsetUnit',
  'applyTruncationLast',
  'enablePlaceholders',
  'placeholderOpeningDelimiterRegex',
  'placeholderClosingDelimiterRegex',
  'exemptedComparisons',
  'ignoreOrderOfSameNode',
  'namespaceAwareness',
  'xPathNamespaces',
  'ignoreArrayOrder',
  'ignoreExtraElements',
]);

const NUMBER_TESTS: Readonly<Record<string, (actual: number, expected: number) => boolean>> = {
  equalToNumber: (a, e) => a === e,
  greaterThanNumber: (a, e) => a > e,
  greaterThanEqualNumber: (a, e) => a >= e,
  lessThanNumber: (a, e) => a < e,
  lessThanEqualNumber: (a, e) => a <= e,
};

/** json-unit's placeholders, as WireMock's equalToJson reads them: each a test of the value in its place. */
const PLACEHOLDERS: Readonly<Record<string, (actual: unknown) => boolean>> = {
  'any-string': (actual) => typeof actual === 'string',
  'any-number': (actual) => typeof actual === 'number',
  'any-boolean': (actual) => typeof actual === 'boolean',
  ignore: () => true,
};

/**
 * An equalToJson value with json-unit's placeholders (`"${json-unit.any-string}"`, `"${json-unit.regex}[0-9]+"`…)
 * made into what firstDifference tests values with (a predicate named by the placeholder, a regex).
 */
function withPlaceholders(value: unknown, problem: (text: string) => void): unknown {
  if (Array.isArray(value)) return value.map((item) => withPlaceholders(item, problem));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withPlaceholders(item, problem)]));
  if (typeof value !== 'string' || !value.startsWith('${json-unit.')) return value;
  const [, name = '', rest = ''] = /^\$\{json-unit\.([^}]*)\}([\s\S]*)$/.exec(value) ?? [];
  if (name === 'regex') {
    try {
      return new RegExp(`^(?:${rest})$`);
    } catch (error) {
      problem(`the placeholder ${value}: its regex does not compile in JavaScript: ${(error as Error).message}`);
      return value;
    }
  }
  const test = PLACEHOLDERS[name];
  if (test && rest === '') return test;
  problem(
    `the placeholder ${value} is not evaluated; these are: ${Object.keys(PLACEHOLDERS)
      .map((n) => `\${json-unit.${n}}`)
      .join(', ')}, \${json-unit.regex}…`,
  );
  return value;
}

/**
 * A WireMock matcher of one value as a test; undefined with `problems` (each prefixed by `where`) when
 * it is malformed or not one mockstack evaluates.
 */
export function compileMatcher(matcher: unknown, problems: string[], where: string): ValueTest | undefined {
  const before = problems.length;
  const problem = (text: string) => problems.push(`${where}: ${text}`);
  if (!isRecord(matcher)) {
    problem(`a matcher is an object such as { "equalTo": "x" }; got ${JSON.stringify(matcher)}`);
    return undefined;
  }
  const names = Object.keys(matcher).filter((key) => !OPTION_KEYS.has(key) && key !== 'expression');
  const name = names[0];
  if (names.length !== 1 || name === undefined) {
    problem(
      names.length === 0
        ? `${JSON.stringify(matcher)} names no matcher (one of ${VALUE_MATCHER_NAMES.join(', ')})`
        : `${JSON.stringify(matcher)} names ${names.join(' and ')}: give one matcher (combine several with "and" or "or")`,
    );
    return undefined;
  }
  const value = matcher[name];
  const text = (): string | undefined => {
    if (typeof value === 'string') return value;
    problem(`${name} must be a string; got ${JSON.stringify(value)}`);
    return undefined;
  };
  const regex = (source: string): RegExp | undefined => {
    try {
      return new RegExp(`^(?:${source})$`);
    } catch (error) {
      problem(`the regex ${JSON.stringify(source)} does not compile in JavaScript: ${(error as Error).message}`);
      return undefined;
    }
  };
  let test: ValueTest | undefined;
  switch (name) {
    case 'equalTo': {
      const expected = text();
      if (expected === undefined) break;
      test = matcher.caseInsensitive ? (v) => v !== undefined && v.toLowerCase() === expected.toLowerCase() : (v) => v === expected;
      break;
    }
    case 'contains':
    case 'doesNotContain': {
      const part = text();
      if (part === undefined) break;
      test = name === 'contains' ? (v) => v?.includes(part) === true : (v) => v !== undefined && !v.includes(part);
      break;
    }
    case 'matches':
    case 'doesNotMatch': {
      const source = text();
      const whole = source === undefined ? undefined : regex(source);
      if (!whole) break;
      test = name === 'matches' ? (v) => v !== undefined && whole.test(v) : (v) => v !== undefined && !whole.test(v);
      break;
    }
    case 'absent':
      if (typeof value !== 'boolean') problem(`absent must be true or false; got ${JSON.stringify(value)}`);
      else test = (v) => (v === undefined) === value;
      break;
    case 'and':
    case 'or': {
      if (!Array.isArray(value) || value.length === 0) {
        problem(`${name} must be a list of matchers (e.g. [{ "matches": "[a-z]+" }, { "contains": "x" }])`);
        break;
      }
      const operands = value.map((operand, i) => compileMatcher(operand, problems, `${where} ${name}[${i}]`));
      if (operands.some((operand) => operand === undefined)) break;
      const all = operands as ValueTest[];
      test = name === 'and' ? (v) => all.every((operand) => operand(v)) : (v) => all.some((operand) => operand(v));
      break;
    }
    case 'not': {
      const inner = compileMatcher(value, problems, `${where} not`);
      if (inner) test = (v) => !inner(v);
      break;
    }
    case 'before':
    case 'after':
    case 'equalToDateTime': {
      const dateProblems: string[] = [];
      test = dateTimeTest(matcher, dateProblems);
      for (const text of dateProblems) problem(text);
      break;
    }
    case 'equalToNumber':
    case 'greaterThanNumber':
    case 'greaterThanEqualNumber':
    case 'lessThanNumber':
    case 'lessThanEqualNumber': {
      const expected = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      const compare = NUMBER_TESTS[name] as (actual: number, expected: number) => boolean;
      if (Number.isNaN(expected)) problem(`${name} must be a number; got ${JSON.stringify(value)}`);
      else test = (v) => v !== undefined && v.trim() !== '' && !Number.isNaN(Number(v)) && compare(Number(v), expected);
      break;
    }
    case 'equalToJson': {
      const json = typeof value === 'string' ? parseJsonOrUndefined(value) : value;
      const expected = json === undefined ? undefined : withPlaceholders(json, problem);
      if (json === undefined) problem(`equalToJson must be JSON; got ${JSON.stringify(value)}`);
      else {
        const partial = matcher.ignoreExtraElements === true || matcher.ignoreArrayOrder === true;
        test = (v) => {
          const actual = v === undefined ? undefined : parseJsonOrUndefined(v);
          return actual !== undefined && firstDifference(expected, actual, partial, '$') === undefined;
        };
      }
      break;
    }
    case 'matchesJsonPath':
      test = jsonPathTest(value, problem, problems, where);
      break;
    case 'equalToXml':
      test = xmlEqualityTest(matcher, problem);
      break;
    case 'matchesXPath':
      test = xpathTest(value, matcher.xPathNamespaces, problem, problems, where);
      break;
    default:
      problem(`${name} is not a matcher mockstack evaluates (${VALUE_MATCHER_NAMES.join(', ')} are)`);
  }
  return problems.length > before ? undefined : test;
}

/**
 * A WireMock matcher of all the values of a query parameter or header: `hasExactly` (as many values
 * as matchers, each matcher matching one of them), `includes` (each matcher matching one of them), or
 * a matcher of one value (any value matching it; with none, it is tested on absent).
 */
export function compileValuesMatcher(matcher: unknown, problems: string[], where: string): ValuesTest | undefined {
  if (isRecord(matcher) && ('hasExactly' in matcher || 'includes' in matcher)) {
    const name = 'hasExactly' in matcher ? 'hasExactly' : 'includes';
    const list = matcher[name];
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${where}: ${name} must be a list of matchers (e.g. [{ "equalTo": "1" }, { "equalTo": "2" }])`);
      return undefined;
    }
    const before = problems.length;
    const tests = list.map((item, i) => compileMatcher(item, problems, `${where} ${name}[${i}]`));
    if (problems.length > before) return undefined;
    const all = tests as ValueTest[];
    return (values) =>
      values !== undefined && (name === 'includes' || values.length === all.length) && all.every((test) => values.some((value) => test(value)));
  }
  const test = compileMatcher(matcher, problems, where);
  return test && ((values) => (values === undefined || values.length === 0 ? test(undefined) : values.some((value) => test(value))));
}

/** `$.a.b[0]`, `$['a b']` as keys and indexes; undefined for filters, wildcards and recursive descent. */
export function plainJsonPath(expression: string): (string | number)[] | undefined {
  const match = /^\$((?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\['[^']+'\])*)$/.exec(expression.trim());
  if (!match) return undefined;
  return [...(match[1] ?? '').matchAll(/\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']+)'\]/g)].map(([, key, index, quoted]) =>
    index !== undefined ? Number(index) : ((key ?? quoted) as string),
  );
}

/** `matchesJsonPath` on a plain path: the value is there, or (with a nested matcher) its text passes it. */
function jsonPathTest(value: unknown, problem: (text: string) => void, problems: string[], where: string): ValueTest | undefined {
  const expression = typeof value === 'string' ? value : isRecord(value) ? value.expression : undefined;
  const path = typeof expression === 'string' ? plainJsonPath(expression) : undefined;
  if (!path) {
    problem(`matchesJsonPath ${JSON.stringify(expression)} is not a plain path such as $.order.id (filters, wildcards and .. are not evaluated)`);
    return undefined;
  }
  const { expression: _, ...nested } = isRecord(value) ? value : {};
  const inner = Object.keys(nested).length ? compileMatcher(nested, problems, `${where} matchesJsonPath ${expression}`) : undefined;
  if (Object.keys(nested).length && !inner) return undefined;
  return (v) => {
    const json = v === undefined ? undefined : parseJsonOrUndefined(v);
    const at = valueAt(json, path);
    if (!inner) return at !== undefined;
    return inner(at === undefined ? undefined : bodyText(at));
  };
}

/** `equalToXml` with its options, checked. */
function xmlEqualityTest(matcher: WiremockMatcher, problem: (text: string) => void): ValueTest | undefined {
  const { equalToXml } = matcher;
  if (typeof equalToXml !== 'string') {
    problem(`equalToXml must be XML text; got ${JSON.stringify(equalToXml)}`);
    return undefined;
  }
  const malformed = xmlProblem(equalToXml);
  if (malformed !== undefined) {
    problem(`equalToXml is not well-formed XML (${malformed}); send the expected document as a string, e.g. "<order><id>1</id></order>"`);
    return undefined;
  }
  const options: XmlEqualityOptions = {};
  if (matcher.enablePlaceholders === true) {
    const delimiter = (key: 'placeholderOpeningDelimiterRegex' | 'placeholderClosingDelimiterRegex', fallback: string) => {
      const source = matcher[key] ?? fallback;
      try {
        return new RegExp(String(source));
      } catch (error) {
        problem(`${key} ${JSON.stringify(source)} does not compile: ${(error as Error).message}`);
        return /$^/;
      }
    };
    options.placeholders = { open: delimiter('placeholderOpeningDelimiterRegex', '\\$\\{'), close: delimiter('placeholderClosingDelimiterRegex', '\\}') };
  }
  const { exemptedComparisons, namespaceAwareness } = matcher;
  if (exemptedComparisons !== undefined) {
    const known = new Set<string>(XML_COMPARISONS);
    const list = Array.isArray(exemptedComparisons) ? exemptedComparisons : [];
    const unknown = list.filter((item) => !known.has(String(item)));
    if (!Array.isArray(exemptedComparisons) || unknown.length)
      problem(`exemptedComparisons must list comparisons among ${XML_COMPARISONS.join(', ')}; got ${JSON.stringify(exemptedComparisons)}`);
    else options.exempted = new Set(list as (typeof XML_COMPARISONS)[number][]);
  }
  if (matcher.ignoreOrderOfSameNode === true) options.ignoreOrderOfSameNode = true;
  if (namespaceAwareness === 'NONE') options.namespaceAwareness = 'NONE';
  else if (namespaceAwareness !== undefined && namespaceAwareness !== 'STRICT')
    problem(`namespaceAwareness ${JSON.stringify(namespaceAwareness)} is not evaluated (STRICT, the default, and NONE are)`);
  const expected = parseXml(equalToXml);
  return expected && ((v) => v !== undefined && v !== '' && xmlEquals(expected, v, options));
}

/** `matchesXPath`: the XPath selects something, or (`{ expression, <matcher> }`) one of what it selects passes the matcher. */
function xpathTest(value: unknown, namespaces: unknown, problem: (text: string) => void, problems: string[], where: string): ValueTest | undefined {
  const expression = typeof value === 'string' ? value : isRecord(value) ? value.expression : undefined;
  if (typeof expression !== 'string') {
    problem(`matchesXPath must be an XPath ("/order/id") or { "expression": "…", "equalTo": "…" }; got ${JSON.stringify(value)}`);
    return undefined;
  }
  if (namespaces !== undefined && !(isRecord(namespaces) && Object.values(namespaces).every((uri) => typeof uri === 'string'))) {
    problem(
      `xPathNamespaces must map prefixes to namespace URIs (e.g. { "soap": "http://schemas.xmlsoap.org/soap/envelope/" }); got ${JSON.stringify(namespaces)}`,
    );
    return undefined;
  }
  const bound = namespaces as Record<string, string> | undefined;
  const broken = xpathProblem(expression, bound);
  if (broken !== undefined) {
    problem(`the XPath ${JSON.stringify(expression)} does not compile (${broken})`);
    return undefined;
  }
  const { expression: _, ...nested } = isRecord(value) ? value : {};
  const inner = Object.keys(nested).length ? compileMatcher(nested, problems, `${where} matchesXPath ${expression}`) : undefined;
  if (Object.keys(nested).length && !inner) return undefined;
  return (v) => {
    const selected = v === undefined ? undefined : xpathValues(v, expression, bound);
    if (!selected) return false;
    return inner ? selected.some((text) => inner(text)) : selected.length > 0;
  };
}

/** A request body as the text WireMock's body patterns read (JSON for parsed bodies, bytes as UTF-8). */
export function requestBodyText(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return bodyText(body);
}

/** One part of a multipart body as WireMock's part patterns see it: its headers (lower-case names) and its body as text. */
interface BodyPart {
  headers: Record<string, string>;
  body: string;
}

/**
 * A WireMock multipart pattern (`{ matchingType: ANY | ALL, headers, bodyPatterns }`) as a test of a
 * request: it is multipart/form-data and any (or all) of its parts pass the part's matchers. The REST
 * adapter keeps each part's name, file name, type and content, not its raw headers: Content-Disposition
 * is tested as clients write it (`form-data; name="info"; filename="a.json"`), other part headers are refused.
 */
export function compileMultipartPattern(pattern: unknown, problems: string[], where: string): ((request: CoreRequest) => boolean) | undefined {
  const before = problems.length;
  if (!isRecord(pattern)) {
    problems.push(`${where}: a multipart pattern is an object such as { "matchingType": "ANY", "headers": {…}, "bodyPatterns": […] }`);
    return undefined;
  }
  const { matchingType = 'ANY', headers = {}, bodyPatterns = [], name: _, ...rest } = pattern;
  if (matchingType !== 'ANY' && matchingType !== 'ALL') problems.push(`${where}: matchingType must be ANY or ALL; got ${JSON.stringify(matchingType)}`);
  for (const key of Object.keys(rest)) problems.push(`${where}: ${key} is not read (matchingType, headers and bodyPatterns are)`);
  const headerTests: [string, ValueTest][] = [];
  if (!isRecord(headers)) problems.push(`${where}: headers must be an object of matchers`);
  else
    for (const [header, matcher] of Object.entries(headers)) {
      if (header.toLowerCase() !== 'content-disposition') {
        problems.push(
          `${where}: the part header ${header} is not kept by the REST adapter (Content-Disposition is, as form-data; name="…"; filename="…"): match the part by its name and body instead`,
        );
        continue;
      }
      const test = compileMatcher(matcher, problems, `${where} header ${header}`);
      if (test) headerTests.push([header.toLowerCase(), test]);
    }
  const bodyTests = Array.isArray(bodyPatterns) ? bodyPatterns.map((matcher, i) => compileMatcher(matcher, problems, `${where} bodyPatterns[${i}]`)) : [];
  if (!Array.isArray(bodyPatterns)) problems.push(`${where}: bodyPatterns must be a list of matchers`);
  if (problems.length > before) return undefined;
  const passes = (part: BodyPart) =>
    headerTests.every(([header, test]) => test(part.headers[header])) && bodyTests.every((test) => (test as ValueTest)(part.body));
  return (request) => {
    const type = request.headers['content-type'];
    if (!/^\s*multipart\//i.test(String(type ?? ''))) return false;
    const parts = partsOf(request.body);
    return matchingType === 'ALL' ? parts.length > 0 && parts.every(passes) : parts.some(passes);
  };
}

/** The parts of a multipart body as the REST adapter parsed it (fields by name, nested by `a[b]`, repeated as lists; files with their name, type and bytes). */
function partsOf(body: unknown): BodyPart[] {
  const parts: BodyPart[] = [];
  const visit = (name: string, value: unknown) => {
    if (Array.isArray(value)) for (const item of value) visit(name, item);
    else if (isRecord(value) && typeof value.filename === 'string' && value.data instanceof Uint8Array)
      parts.push({
        headers: {
          'content-disposition': `form-data; name="${name}"; filename="${value.filename}"`,
          ...(typeof value.mimeType === 'string' && { 'content-type': value.mimeType }),
        },
        body: new TextDecoder().decode(value.data),
      });
    else if (isRecord(value)) for (const [key, inner] of Object.entries(value)) visit(`${name}[${key}]`, inner);
    else parts.push({ headers: { 'content-disposition': `form-data; name="${name}"` }, body: String(value) });
  };
  if (isRecord(body)) for (const [name, value] of Object.entries(body)) visit(name, value);
  return parts;
}

/** The matchers of conditions as one test of a request; throws an Error naming each problem (they are checked when a stub is read). */
export function conditionsTest(conditions: readonly MatcherCondition[]): (request: CoreRequest) => boolean {
  const problems: string[] = [];
  const tests = conditions.map(({ on, name, matcher }): ((request: CoreRequest) => boolean) => {
    const where = on === 'body' ? 'body pattern' : `${on === 'query' ? 'query parameter' : on === 'headers' ? 'header' : 'path parameter'} ${name}`;
    if (on === 'body') {
      const test = compileMatcher(matcher, problems, where);
      return (request) => test?.(requestBodyText(request.body) ?? '') ?? false;
    }
    if (on === 'multipart') {
      const test = compileMultipartPattern(matcher, problems, 'multipart pattern');
      return (request) => test?.(request) ?? false;
    }
    const test = compileValuesMatcher(matcher, problems, where);
    const key = on === 'headers' ? (name ?? '').toLowerCase() : (name ?? '');
    return (request) => {
      const value = on === 'params' ? request.params[key] : on === 'query' ? request.query[key] : request.headers[key];
      return test?.(value === undefined ? undefined : Array.isArray(value) ? value : [value]) ?? false;
    };
  });
  if (problems.length) throw new Error(problems.join('; '));
  return (request) => tests.every((test) => test(request));
}

// WireMock's response templating (Handlebars with its request model and helpers), loaded by `template` on first use.
import type { CoreRequest, Reply } from '@mockstack/core';
// A subpath: this file is bundled apart (see packages/mockstack/bundle.mjs), and needs no more of core.
import { bodyText } from '@mockstack/core/body-text';
import Handlebars from 'handlebars';
import { JSONPath } from 'jsonpath-plus';
import type { TemplateAnswer } from './template.js';

type Render = (context: object) => string;
type HelperOptions = Handlebars.HelperOptions;

/** Compiles a template answer once; the function renders it for a request. */
export function compileTemplateAnswer(
  answer: TemplateAnswer,
  reply: (parts: { status: number; headers: Record<string, string> | undefined; body: unknown }) => Reply,
): (request: CoreRequest) => Reply {
  const compile = (text: string): Render => templates.compile(text, { noEscape: false, strict: false });
  const headers = Object.entries(answer.headers ?? {}).map(([name, value]) => [name, compile(value)] as const);
  const body = answer.body;
  const renderBody = body === undefined ? undefined : typeof body === 'string' ? compile(body) : compileJson(body, compile);
  return (request) => {
    const context = { request: requestModel(request) };
    return reply({
      status: answer.status ?? 200,
      headers: headers.length ? Object.fromEntries(headers.map(([name, render]) => [name, render(context)])) : undefined,
      body: renderBody?.(context),
    });
  };
}

/**
 * A JSON body (WireMock's jsonBody) whose strings are templates, each rendered on its own: the same
 * text as rendering the JSON's text, without a template's quotes (`"$.name"`) breaking its string.
 */
function compileJson(value: unknown, compile: (text: string) => Render): (context: object) => unknown {
  if (typeof value === 'string') return value.includes('{{') ? compile(value) : () => value;
  if (Array.isArray(value)) {
    const items = value.map((item) => compileJson(item, compile));
    return (context) => items.map((render) => render(context));
  }
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).map(([key, field]) => [key, compileJson(field, compile)] as const);
    return (context) => Object.fromEntries(fields.map(([key, render]) => [key, render(context)]));
  }
  return () => value;
}

/** WireMock's `request` as templates name it. */
function requestModel(request: CoreRequest): Record<string, unknown> {
  const space = request.target.indexOf(' ');
  const method = space > 0 ? request.target.slice(0, space) : '';
  const url = space > 0 ? request.target.slice(space + 1) : request.target;
  const path = url.split('?')[0] ?? '';
  const segments = path
    .split('/')
    .filter((segment) => segment !== '')
    .map(decoded);
  const headers = lowerCased(request.headers);
  const host = typeof headers.host === 'string' ? headers.host : 'localhost';
  return {
    method,
    url,
    // `{{request.path}}` is the path; `.[n]` its segments, `.<name>` the route's parameters.
    path: { ...Object.fromEntries(segments.map((segment, i) => [String(i), segment])), ...request.params, toString: () => path },
    pathSegments: segments,
    query: Object.fromEntries(Object.entries(request.query).map(([name, value]) => [name, multiValue(value)])),
    headers: caseInsensitive(Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, multiValue(value)]))),
    cookies: cookiesOf(headers.cookie),
    body: bodyText(request.body),
    baseUrl: `http://${host}`,
    host: host.replace(/:\d+$/, ''),
    port: Number(/:(\d+)$/.exec(host)?.[1] ?? 80),
    scheme: 'http',
  };
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function lowerCased(headers: CoreRequest['headers']): Record<string, string | string[] | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** One value, or several: `{{x}}` is the first, `{{x.[1]}}` the second (a repeated query parameter or header). */
function multiValue(value: string | string[] | undefined): unknown {
  if (!Array.isArray(value)) return value ?? '';
  return { ...Object.fromEntries(value.map((v, i) => [String(i), v])), length: value.length, toString: () => value[0] ?? '' };
}

/** Header names in any case (`request.headers.Content-Type`), as HTTP has them. */
function caseInsensitive(values: Record<string, unknown>): Record<string, unknown> {
  const find = (name: string | symbol) => (typeof name === 'string' ? name.toLowerCase() : undefined);
  return new Proxy(values, {
    get: (target, name) => {
      const key = find(name);
      return key === undefined ? undefined : target[key];
    },
    has: (target, name) => {
      const key = find(name);
      return key !== undefined && key in target;
    },
    getOwnPropertyDescriptor: (target, name) => {
      const key = find(name);
      return key !== undefined && key in target ? { value: target[key], enumerable: true, configurable: true, writable: true } : undefined;
    },
  });
}

function cookiesOf(header: string | string[] | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const pair of (Array.isArray(header) ? header.join(';') : (header ?? '')).split(';')) {
    const equals = pair.indexOf('=');
    if (equals > 0) cookies[pair.slice(0, equals).trim()] = decoded(pair.slice(equals + 1).trim());
  }
  return cookies;
}

// ---------------------------------------------------------------------------------------------
// Helpers, as WireMock names and reads them

const templates = Handlebars.create();

/** The options object Handlebars passes last; the arguments before it. */
function split(args: unknown[]): { values: unknown[]; options: HelperOptions } {
  return { values: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}

/** A condition helper: the block (or its `else`) when used as one, else the boolean. */
function condition(test: (...values: unknown[]) => boolean) {
  return function (this: unknown, ...args: unknown[]): unknown {
    const { values, options } = split(args);
    const result = test(...values);
    if (options.fn) return result ? options.fn(this) : options.inverse(this);
    return result;
  };
}

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const number = (value: unknown): number => Number(text(value));

/**
 * A value a helper gives: an object or list is itself to other helpers (`{{size (jsonPath x '$.lines')}}`)
 * and its JSON where a template writes it (a non-enumerable toString: JSON and key counts leave it out).
 */
function written(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && Object.isExtensible(value))
    Object.defineProperty(value, 'toString', { value: () => JSON.stringify(value), enumerable: false, configurable: true });
  return value;
}

function jsonOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

templates.registerHelper('jsonPath', function (this: unknown, target: unknown, path: unknown, options: HelperOptions) {
  const json = jsonOf(target);
  const found = json === undefined || json === null ? undefined : JSONPath({ path: text(path), json: json as object, wrap: false });
  const value = found === undefined ? options.hash.default : found;
  if (options.fn) return value === undefined ? options.inverse(this) : options.fn(value);
  return value === undefined ? '' : written(value);
});

templates.registerHelper('parseJson', function (this: unknown, value: unknown, options: HelperOptions) {
  const parsed = jsonOf(value);
  return options.fn ? options.fn(parsed) : parsed;
});

templates.registerHelper('toJson', (value: unknown) => JSON.stringify(value ?? null));

templates.registerHelper('regexExtract', function (this: Record<string, unknown>, ...args: unknown[]) {
  const { values, options } = split(args);
  const [value, pattern, name] = values;
  const match = new RegExp(text(pattern)).exec(text(value));
  if (!match) return options.hash.default ?? '';
  // With a variable name, its groups are kept for the rest of the template: `{{regexExtract x '(\w+)-(\d+)' 'parts'}}{{parts.1}}`.
  if (typeof name === 'string') {
    this[name] = match.length > 1 ? match.slice(1) : [match[0]];
    return '';
  }
  return match[0];
});

const ALPHABETIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const NUMERIC = '0123456789';
const RANDOM_CHARACTERS: Record<string, string> = {
  ALPHABETIC,
  NUMERIC,
  ALPHANUMERIC: ALPHABETIC + NUMERIC,
  ALPHANUMERIC_AND_SYMBOLS: `${ALPHABETIC}${NUMERIC}!@#$%^&*()-_=+[]{};:,.<>/?`,
  HEXADECIMAL: '0123456789abcdef',
};

templates.registerHelper('randomValue', (options: HelperOptions) => {
  const type = text(options.hash.type ?? 'ALPHANUMERIC').toUpperCase();
  let value: string;
  if (type === 'UUID') value = crypto.randomUUID();
  else {
    const characters = RANDOM_CHARACTERS[type] ?? (RANDOM_CHARACTERS.ALPHANUMERIC as string);
    const length = Number(options.hash.length ?? 36);
    value = Array.from({ length }, () => characters[Math.floor(Math.random() * characters.length)]).join('');
  }
  return options.hash.uppercase ? value.toUpperCase() : value;
});

templates.registerHelper('randomInt', (options: HelperOptions) => {
  const lower = Math.ceil(Number(options.hash.lower ?? 0));
  const upper = Math.floor(Number(options.hash.upper ?? 2 ** 31 - 1));
  return lower + Math.floor(Math.random() * (upper - lower + 1));
});

templates.registerHelper('randomDecimal', (options: HelperOptions) => {
  const lower = Number(options.hash.lower ?? 0);
  const upper = Number(options.hash.upper ?? 1);
  return lower + Math.random() * (upper - lower);
});

templates.registerHelper('pickRandom', (...args: unknown[]) => {
  const { values } = split(args);
  const choices = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
  return choices[Math.floor(Math.random() * choices.length)];
});

templates.registerHelper('now', (options: HelperOptions) => formatDate(shifted(new Date(), options.hash.offset), options.hash.format));

templates.registerHelper('date', (value: unknown, options: HelperOptions) => {
  const date = value instanceof Date ? value : parseDateText(value);
  return date ? formatDate(shifted(date, options.hash.offset), options.hash.format) : '';
});

templates.registerHelper('parseDate', (value: unknown, options: HelperOptions) => {
  const date = parseDateText(value, options.hash.format);
  return date ?? '';
});

templates.registerHelper('math', (left: unknown, operator: unknown, right: unknown) => {
  const a = number(left);
  const b = number(right);
  switch (text(operator)) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return Number.isInteger(a) && Number.isInteger(b) && b !== 0 ? Math.trunc(a / b) : a / b;
    case '%':
      return a % b;
    default:
      return '';
  }
});

templates.registerHelper('size', (value: unknown) => {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length;
  return 0;
});

templates.registerHelper('base64', (value: unknown, options: HelperOptions) => {
  if (options.hash.decode) return new TextDecoder().decode(Uint8Array.from(atob(text(value)), (c) => c.charCodeAt(0)));
  const encoded = btoa(String.fromCharCode(...new TextEncoder().encode(text(value))));
  // Base64 and URL encodings hold no markup: their `=` and `%` are written as they are.
  return new templates.SafeString(options.hash.padding === false ? encoded.replace(/=+$/, '') : encoded);
});

templates.registerHelper('urlEncode', (value: unknown, options: HelperOptions) =>
  options.hash.decode ? decoded(text(value).replace(/\+/g, ' ')) : new templates.SafeString(encodeURIComponent(text(value)).replace(/%20/g, '+')),
);

templates.registerHelper('upper', (value: unknown) => text(value).toUpperCase());
templates.registerHelper('lower', (value: unknown) => text(value).toLowerCase());
templates.registerHelper('capitalize', (value: unknown) => text(value).replace(/\b\w/g, (c) => c.toUpperCase()));
templates.registerHelper('capitalizeFirst', (value: unknown) => text(value).replace(/^\w/, (c) => c.toUpperCase()));
templates.registerHelper('trim', (value: unknown) => text(value).trim());
templates.registerHelper('replace', (value: unknown, find: unknown, replacement: unknown) => text(value).split(text(find)).join(text(replacement)));
templates.registerHelper('substring', (value: unknown, start: unknown, ...rest: unknown[]) => {
  const { values } = split(rest);
  return text(value).substring(number(start), values.length ? number(values[0]) : undefined);
});
templates.registerHelper('join', (...args: unknown[]) => {
  const { values } = split(args);
  const [list, separator] = values;
  return (Array.isArray(list) ? list : []).map(text).join(separator === undefined ? ',' : text(separator));
});
templates.registerHelper('defaultIfEmpty', (value: unknown, fallback: unknown) => (text(value) === '' ? fallback : value));

/** Comparisons and tests, each usable inline (`{{#if (eq a b)}}`) or as a block (`{{#eq a b}}…{{else}}…{{/eq}}`). */
const CONDITIONS: Record<string, (...values: unknown[]) => boolean> = {
  eq: (a, b) => text(a) === text(b),
  neq: (a, b) => text(a) !== text(b),
  gt: (a, b) => number(a) > number(b),
  gte: (a, b) => number(a) >= number(b),
  lt: (a, b) => number(a) < number(b),
  lte: (a, b) => number(a) <= number(b),
  and: (...values) => values.every(Boolean),
  or: (...values) => values.some(Boolean),
  not: (value) => !value,
  contains: (haystack, needle) => (Array.isArray(haystack) ? haystack.map(text).includes(text(needle)) : text(haystack).includes(text(needle))),
  matches: (value, pattern) => new RegExp(`^(?:${text(pattern)})$`).test(text(value)),
};
for (const [name, test] of Object.entries(CONDITIONS)) templates.registerHelper(name, condition(test));

// ---------------------------------------------------------------------------------------------
// Dates: WireMock's offsets ('3 days', '-1 months') and Java's date patterns ('yyyy-MM-dd'), in UTC

const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

function shifted(date: Date, offset: unknown): Date {
  const match = /^\s*(-?\d+)\s+([a-z]+?)s?\s*$/i.exec(text(offset));
  if (!match) return date;
  const amount = Number(match[1]);
  const unit = (match[2] as string).toLowerCase();
  const result = new Date(date.getTime());
  if (unit === 'month') result.setUTCMonth(result.getUTCMonth() + amount);
  else if (unit === 'year') result.setUTCFullYear(result.getUTCFullYear() + amount);
  else if (unit === 'millisecond') result.setTime(result.getTime() + amount);
  else result.setTime(result.getTime() + amount * (UNIT_MS[unit] ?? 0));
  return result;
}

function parseDateText(value: unknown, format?: unknown): Date | undefined {
  const given = text(value);
  if (format === 'epoch' || format === 'unix') {
    const n = Number(given);
    return Number.isFinite(n) ? new Date(format === 'unix' ? n * 1000 : n) : undefined;
  }
  const date = new Date(given);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `epoch` (milliseconds), `unix` (seconds), a Java date pattern, or ISO 8601 to the second by default (as WireMock writes `{{now}}`). */
function formatDate(date: Date, format: unknown): string | number {
  if (format === 'epoch') return date.getTime();
  if (format === 'unix') return Math.floor(date.getTime() / 1000);
  if (typeof format !== 'string' || format === '') return `${date.toISOString().slice(0, 19)}Z`;
  const fields: Record<string, () => string> = {
    yyyy: () => pad(date.getUTCFullYear(), 4),
    yy: () => pad(date.getUTCFullYear() % 100, 2),
    MMMM: () => MONTHS[date.getUTCMonth()] as string,
    MMM: () => (MONTHS[date.getUTCMonth()] as string).slice(0, 3),
    MM: () => pad(date.getUTCMonth() + 1, 2),
    M: () => String(date.getUTCMonth() + 1),
    dd: () => pad(date.getUTCDate(), 2),
    d: () => String(date.getUTCDate()),
    EEEE: () => DAYS[date.getUTCDay()] as string,
    EEE: () => (DAYS[date.getUTCDay()] as string).slice(0, 3),
    HH: () => pad(date.getUTCHours(), 2),
    H: () => String(date.getUTCHours()),
    hh: () => pad(date.getUTCHours() % 12 || 12, 2),
    h: () => String(date.getUTCHours() % 12 || 12),
    mm: () => pad(date.getUTCMinutes(), 2),
    m: () => String(date.getUTCMinutes()),
    ss: () => pad(date.getUTCSeconds(), 2),
    s: () => String(date.getUTCSeconds()),
    SSS: () => pad(date.getUTCMilliseconds(), 3),
    a: () => (date.getUTCHours() < 12 ? 'AM' : 'PM'),
    XXX: () => 'Z',
    X: () => 'Z',
    Z: () => '+0000',
    z: () => 'UTC',
  };
  return format.replace(/'([^']*)'|yyyy|yy|MMMM|MMM|MM|M|dd|d|EEEE|EEE|HH|H|hh|h|mm|m|ss|s|SSS|a|XXX|X|Z|z/g, (token, quoted: string | undefined) =>
    quoted !== undefined ? (quoted === '' ? "'" : quoted) : (fields[token] as () => string)(),
  );
}

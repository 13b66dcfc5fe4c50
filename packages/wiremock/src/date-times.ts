import { escapeRegExp } from '@mockstack/core';

/**
 * WireMock's date/time matchers (`before`, `after`, `equalToDateTime`) as WireMock reads them: ISO 8601
 * (zoned or local), the HTTP formats (RFC 1123, RFC 1036, asctime) or a Java pattern (`actualFormat`);
 * `now +3 days` expressions and `expectedOffset`; truncation of either side. A date is its wall-clock
 * fields (as UTC milliseconds) and, when zoned, its offset.
 */

/** A date/time as written: its wall-clock time (as if UTC) and, when zoned, its offset from UTC in minutes. */
interface DateTime {
  wall: number;
  offsetMinutes?: number;
}

/** The truncations WireMock names, as functions of a wall-clock time. */
const TRUNCATIONS: Readonly<Record<string, (wall: Date) => number>> = {
  'first second of minute': (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()),
  'first minute of hour': (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()),
  'first hour of day': (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()),
  'first day of month': (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
  'first day of next month': (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  'last day of month': (d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0),
  'first day of year': (d) => Date.UTC(d.getUTCFullYear(), 0, 1),
  'first day of next year': (d) => Date.UTC(d.getUTCFullYear() + 1, 0, 1),
  'last day of year': (d) => Date.UTC(d.getUTCFullYear(), 11, 31),
};

/** Offset units as WireMock spells them (`now +3 days`, `expectedOffsetUnit`), singular or plural, any case. */
const UNITS = ['seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;
type Unit = (typeof UNITS)[number];

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** What a date/time matcher's JSON says, checked: the comparison and how to read both sides. */
export type DateTimeTest = (actual: string | undefined) => boolean;

/**
 * A WireMock date/time matcher as a test of a value, or problems in words (a bad expected date, format,
 * truncation or unit). `now` is read per request.
 */
export function dateTimeTest(pattern: Record<string, unknown>, problems: string[]): DateTimeTest | undefined {
  const operator = (['before', 'after', 'equalToDateTime'] as const).find((key) => key in pattern);
  if (!operator) return undefined;
  const expected = pattern[operator];
  const before = problems.length;
  if (typeof expected !== 'string') problems.push(`${operator} must be a date/time ("2021-05-01T00:00:00Z") or "now +3 days"; got ${JSON.stringify(expected)}`);
  const truncation = (key: 'truncateExpected' | 'truncateActual') => {
    const value = pattern[key];
    if (value === undefined) return undefined;
    const name = typeof value === 'string' ? value.toLowerCase().replace(/_/g, ' ') : '';
    const truncate = TRUNCATIONS[name];
    if (!truncate) problems.push(`${key} ${JSON.stringify(value)} is not a truncation; use one of ${Object.keys(TRUNCATIONS).join(', ')}`);
    return truncate;
  };
  const truncateExpected = truncation('truncateExpected');
  const truncateActual = truncation('truncateActual');
  let extraOffset: { amount: number; unit: Unit } | undefined;
  if (pattern.expectedOffset !== undefined || pattern.expectedOffsetUnit !== undefined) {
    const unit = unitOf(pattern.expectedOffsetUnit);
    if (!Number.isInteger(pattern.expectedOffset) || !unit)
      problems.push(
        `expectedOffset must be a whole number and expectedOffsetUnit one of ${UNITS.join(', ')}; got ${JSON.stringify(pattern.expectedOffset)} ${JSON.stringify(pattern.expectedOffsetUnit)}`,
      );
    else extraOffset = { amount: pattern.expectedOffset as number, unit };
  }
  let readActual: (text: string) => DateTime | undefined = parseDateTime;
  if (pattern.actualFormat !== undefined) {
    const format = typeof pattern.actualFormat === 'string' ? javaFormatReader(pattern.actualFormat) : undefined;
    if (!format)
      problems.push(
        `actualFormat ${JSON.stringify(pattern.actualFormat)} is not a date format mockstack reads (Java's letters y, M, d, H, h, m, s, S, a, E, X, x, Z and 'quoted' text are)`,
      );
    else readActual = format;
  }
  const applyTruncationLast = pattern.applyTruncationLast === true;
  let expectedDate: (() => DateTime) | undefined;
  if (typeof expected === 'string') {
    const now = nowExpression(expected);
    const literal = now ? undefined : parseDateTime(expected);
    if (!now && !literal)
      problems.push(
        `${operator} ${JSON.stringify(expected)} is neither a date/time (ISO 8601 such as 2021-05-01T00:00:00Z, or an HTTP date) nor "now", "now +3 days", "now -1 months"`,
      );
    // As WireMock: a literal date is taken as written; truncateExpected and the offsets apply to `now` only.
    else
      expectedDate = () => {
        if (literal) return literal;
        const start: DateTime = { wall: Date.now(), offsetMinutes: 0 };
        const offsets = [...(now?.amount ? [now] : []), ...(extraOffset ? [extraOffset] : [])];
        const offset = (wall: number) => offsets.reduce((at, { amount, unit }) => plus(at, amount, unit), wall);
        const truncate = (wall: number) => (truncateExpected ? truncateExpected(new Date(wall)) : wall);
        return { ...start, wall: applyTruncationLast ? truncate(offset(start.wall)) : offset(truncate(start.wall)) };
      };
  }
  if (problems.length > before || !expectedDate) return undefined;
  const wanted = expectedDate;
  return (text) => {
    if (text === undefined) return false;
    const read = readActual(text.trim());
    if (!read) return false;
    // As WireMock: truncateActual truncates a zoned date only (a local one is compared as written).
    const actual = truncateActual && read.offsetMinutes !== undefined ? { ...read, wall: truncateActual(new Date(read.wall)) } : read;
    const [e, a] = comparable(wanted(), actual);
    return operator === 'before' ? a < e : operator === 'after' ? a > e : a === e;
  };
}

/**
 * Both sides as numbers to compare: instants when the expected date is zoned (a local actual date is
 * read in this machine's zone), wall-clock times when it is local (a zoned actual date loses its zone).
 */
function comparable(expected: DateTime, actual: DateTime): [number, number] {
  if (expected.offsetMinutes === undefined) return [expected.wall, actual.wall];
  const actualInstant = actual.offsetMinutes === undefined ? localInstant(actual.wall) : actual.wall - actual.offsetMinutes * 60_000;
  return [expected.wall - expected.offsetMinutes * 60_000, actualInstant];
}

/** A wall-clock time read in this machine's time zone, as an instant. */
function localInstant(wall: number): number {
  const d = new Date(wall);
  return new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()).getTime();
}

function unitOf(value: unknown): Unit | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return UNITS.find((unit) => unit === lower || unit === `${lower}s`);
}

/** `now`, `now +3 days`, `now -1 months` as an offset from now; undefined for anything else. */
function nowExpression(text: string): { amount: number; unit: Unit } | undefined {
  const match = /^\s*now\s*(?:([+-])\s*(\d+)\s*([a-z]+))?\s*$/i.exec(text);
  if (!match) return undefined;
  if (match[1] === undefined) return { amount: 0, unit: 'seconds' };
  const unit = unitOf(match[3]);
  return unit && { amount: Number(match[2]) * (match[1] === '-' ? -1 : 1), unit };
}

/** A wall-clock time plus an amount of a unit; months and years keep the day, clamped to the month's last (as java.time does). */
function plus(wall: number, amount: number, unit: Unit): number {
  const ms = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 } as const;
  if (unit !== 'months' && unit !== 'years') return wall + amount * ms[unit];
  const d = new Date(wall);
  const months = d.getUTCFullYear() * 12 + d.getUTCMonth() + (unit === 'years' ? amount * 12 : amount);
  const year = Math.floor(months / 12);
  const month = months - year * 12;
  const day = Math.min(d.getUTCDate(), new Date(Date.UTC(year, month + 1, 0)).getUTCDate());
  const result = new Date(wall);
  result.setUTCFullYear(year, month, day);
  return result.getTime();
}

/** ISO 8601 (date, date-time, zoned or local), RFC 1123, RFC 1036 or asctime; undefined when it is none of them. */
export function parseDateTime(text: string): DateTime | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[[^\]]+\])?$/i.exec(text);
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '0', zone] = iso;
    const wall = wallOf(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, '0').slice(0, 3)));
    if (wall === undefined) return undefined;
    return zone === undefined ? { wall } : { wall, offsetMinutes: zoneMinutes(zone) };
  }
  // RFC 1123 `Tue, 01 Jun 2021 15:16:17 GMT`, RFC 1036 `Tuesday, 01-Jun-21 15:16:17 GMT`, asctime `Tue Jun  1 15:16:17 2021`.
  const rfc = /^[a-z]+,\s*(\d{1,2})[ -]([a-z]{3})[ -](\d{2}|\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(GMT|UTC|Z|[+-]\d{4})$/i.exec(text);
  if (rfc) {
    const [, d, mon, y, h, mi, s, zone] = rfc as unknown as string[];
    const year = (y as string).length === 2 ? 2000 + Number(y) : Number(y);
    const wall = wallOf(year, MONTHS.indexOf((mon as string).toLowerCase()) + 1, Number(d), Number(h), Number(mi), Number(s), 0);
    return wall === undefined ? undefined : { wall, offsetMinutes: zoneMinutes(zone as string) };
  }
  const asctime = /^[a-z]{3}\s+([a-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/i.exec(text);
  if (asctime) {
    const [, mon, d, h, mi, s, y] = asctime as unknown as string[];
    const wall = wallOf(Number(y), MONTHS.indexOf((mon as string).toLowerCase()) + 1, Number(d), Number(h), Number(mi), Number(s), 0);
    return wall === undefined ? undefined : { wall, offsetMinutes: 0 };
  }
  return undefined;
}

/** The fields as UTC milliseconds, or undefined when they name no date (February 30th, hour 25). */
function wallOf(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number | undefined {
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return new Date(wall).getUTCDate() === day ? wall : undefined;
}

function zoneMinutes(zone: string): number {
  if (/^(?:Z|GMT|UTC)$/i.test(zone)) return 0;
  const [, sign, hours, minutes = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone) ?? [];
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

/**
 * A reader of dates written in a Java DateTimeFormatter pattern (`dd/MM/yyyy`, `yyyy-MM-dd'T'HH:mm:ssXXX`),
 * or undefined when the pattern uses letters it does not know. A date without a time is at midnight.
 */
function javaFormatReader(format: string): ((text: string) => DateTime | undefined) | undefined {
  const fields: string[] = [];
  let regex = '';
  for (const [whole, quoted, , letter, other] of format.matchAll(/'([^']*)'|(([A-Za-z])\3*)|(.)/g)) {
    if (quoted !== undefined) regex += quoted === '' ? "'" : escapeRegExp(quoted);
    else if (other !== undefined) regex += escapeRegExp(other);
    else {
      const part = TOKEN_PARTS[`${letter}:${Math.min(whole.length, 4)}`] ?? TOKEN_PARTS[`${letter}:*`];
      if (!part) return undefined;
      fields.push(letter as string);
      regex += `(${part})`;
    }
  }
  const whole = new RegExp(`^${regex}$`, 'i');
  return (text) => {
    const match = whole.exec(text);
    if (!match) return undefined;
    const at: Record<string, string> = {};
    fields.forEach((letter, i) => {
      at[letter] = match[i + 1] as string;
    });
    const year = at.y ?? at.u;
    if (year === undefined) return undefined;
    const month = at.M === undefined ? 1 : /^\d+$/.test(at.M) ? Number(at.M) : MONTHS.indexOf(at.M.slice(0, 3).toLowerCase()) + 1;
    let hour = Number(at.H ?? at.h ?? 0);
    if (at.a !== undefined && at.h !== undefined) hour = (hour % 12) + (at.a.toLowerCase() === 'pm' ? 12 : 0);
    const fullYear = year.length === 2 ? 2000 + Number(year) : Number(year);
    const wall = wallOf(fullYear, month, Number(at.d ?? 1), hour, Number(at.m ?? 0), Number(at.s ?? 0), Number((at.S ?? '0').padEnd(3, '0').slice(0, 3)));
    if (wall === undefined) return undefined;
    const zone = at.X ?? at.x ?? at.Z;
    return zone === undefined ? { wall } : { wall, offsetMinutes: zoneMinutes(zone) };
  };
}

/** Java pattern letters (by letter and count, `*` any count) as regex parts. */
const TOKEN_PARTS: Readonly<Record<string, string>> = {
  'y:1': '\\d{1,9}',
  'y:2': '\\d{2}',
  'y:3': '\\d{3,9}',
  'y:4': '\\d{4,9}',
  'u:*': '\\d{1,9}',
  'M:1': '\\d{1,2}',
  'M:2': '\\d{2}',
  'M:3': '[A-Za-z]{3}',
  'M:4': '[A-Za-z]+',
  'd:1': '\\d{1,2}',
  'd:2': '\\d{2}',
  'H:1': '\\d{1,2}',
  'H:2': '\\d{2}',
  'h:1': '\\d{1,2}',
  'h:2': '\\d{2}',
  'm:1': '\\d{1,2}',
  'm:2': '\\d{2}',
  's:1': '\\d{1,2}',
  's:2': '\\d{2}',
  'S:*': '\\d{1,9}',
  'a:*': '[AaPp][Mm]',
  'E:*': '[A-Za-z]+',
  'X:*': 'Z|[+-]\\d{2}(?::?\\d{2})?',
  'x:*': '[+-]\\d{2}(?::?\\d{2})?',
  'Z:*': '[+-]\\d{4}|Z',
};

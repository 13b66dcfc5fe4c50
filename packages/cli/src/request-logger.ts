import { codes, type JournalEntry, JsonText, type Logger } from '@mockstack/core';
import { pino } from 'pino';
import { BatchedOutput, DescriptorSink } from './batched-output.js';

export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  format: LogFormat;
  /** Only warnings, errors and events (reloads, variant switches, stopping); no line per request. */
  quiet: boolean;
  /** Colour on stdout and on stderr; default: what `colorSupport` says for each. */
  color?: { stdout: boolean; stderr: boolean } | undefined;
  /** The name of a rule by id (the scenario's `name:` option), shown instead of the id. */
  ruleName?: ((id: string) => string | undefined) | undefined;
  /**
   * Width of the status column: `HTTP_STATUS_WIDTH` for a stack of HTTP statuses, `GRPC_STATUS_WIDTH` (the
   * default) when gRPC status names (`FAILED_PRECONDITION`) may come. Asked when a rule's columns are made,
   * not per request; a change (a reload adding a gRPC service) is taken at the next columns made.
   */
  statusWidth?: (() => number) | undefined;
}

/**
 * The CLI's logger: one line per request (time, service, target, status, rule or "unmatched", ms),
 * as aligned text for people or JSON lines (pino) for machines. 4xx at info, 5xx at error.
 *
 * Text: requests and events (`logger.info(message, { event: 'reload' })`: reloads, variant switches,
 * stopping; printed even with --quiet) on stdout; warnings and errors on stderr, each line prefixed
 * `warning:` / `error:`. JSON: the same split, one JSON object a line on each (a request line is on stdout
 * whatever its level).
 *
 * Lines go to stdout in order with everything else the process prints, and none is lost at exit or
 * on a crash. An asynchronous destination (what this once used) sends one write to the OS at a time
 * and queues the rest: the second of two warnings logged at start-up was still queued when `up`
 * printed its ready table with console.log (synchronous), so it came out after "Ready", or not at all
 * when the process exited first. So lines are written synchronously, request lines batched per turn
 * of the event loop (see `BatchedOutput`: any other output flushes them first), info, warnings and
 * errors at once.
 */
export function createLogger(options: LoggerOptions): Logger {
  const out = stdoutBatch();
  if (options.format === 'json') {
    const log = pino({ base: null, level: 'info' }, out);
    // Pending request lines first, as in the text format.
    const problems = pino(
      { base: null, level: 'info' },
      {
        write: (line: string) => {
          out.flush();
          stderr().write(line);
        },
      },
    );
    return {
      request: (e) => {
        if (options.quiet && !isServerError(e)) return;
        const fields = {
          service: e.service,
          operation: e.operation,
          target: e.target,
          status: e.status,
          rule: e.rule ?? 'unmatched',
          ruleName: e.rule === null ? undefined : options.ruleName?.(e.rule),
          graphqlErrors: graphqlErrorCount(e) || undefined,
          ms: e.durationMs,
          id: e.id,
        };
        if (isServerError(e)) log.error({ ...fields, error: e.error }, 'request');
        else log.info(fields, 'request');
      },
      info: (message, fields) => {
        if (options.quiet && !fields?.event) return;
        log.info(fields ?? {}, message);
        out.flush();
      },
      warn: (message, fields) => problems.warn(fields ?? {}, message),
      error: (message, fields) => problems.error(fields ?? {}, message),
    };
  }
  const color = options.color ?? { stdout: colorSupport(process.stdout), stderr: colorSupport(process.stderr) };
  const paintOut = painter(color.stdout);
  const paintErr = painter(color.stderr);
  const writeNow = (line: string): void => {
    out.write(`${line}\n`);
    out.flush();
  };
  // Pending request lines first, so that a warning never overtakes them on a terminal showing both streams.
  const writeErr = (line: string): void => {
    out.flush();
    stderr().write(`${line}\n`);
  };
  const lines = options.statusWidth ? new RequestLines(paintOut, options.statusWidth) : requestLinesFor(paintOut);
  return {
    request: (e) => {
      if (options.quiet) return;
      out.write(lines.line(e, options.ruleName));
    },
    info: (message, fields) => {
      const event = typeof fields?.event === 'string' ? fields.event : undefined;
      if (event) writeNow(formatEventLine(event, message, paintOut));
      else if (!options.quiet) writeNow(message);
    },
    warn: (message) => writeErr(`${paintErr('yellow', 'warning:')} ${message}`),
    error: (message) => writeErr(`${paintErr('red', 'error:')} ${message}`),
  };
}

let stdoutLines: BatchedOutput | undefined;

let stderrLines: { write(text: string): unknown } | undefined;

/** A synchronous stderr for warnings and errors, made on first use. */
function stderr(): { write(text: string): unknown } {
  stderrLines ??= pino.destination({ sync: true, dest: 2 });
  return stderrLines;
}

/** The process's one batched stdout, made on first use. */
function stdoutBatch(): BatchedOutput {
  if (!stdoutLines) {
    const stdout = process.stdout;
    const write = stdout.write;
    const stream = {
      get writableLength(): number {
        return stdout.writableLength;
      },
      write: (bytes: Uint8Array): unknown => write.call(stdout, bytes),
    };
    stdoutLines = new BatchedOutput(new DescriptorSink(1, stream));
    stdoutLines.interleave([process.stdout, process.stderr]);
  }
  return stdoutLines;
}

/** Column widths of the request line: service, target, rule. A longer value is cut in its middle. */
const WIDTH = { service: 12, target: 40, rule: 18 } as const;

/** A status column of HTTP statuses: `200`, `404`. */
export const HTTP_STATUS_WIDTH = 4;

/**
 * A status column that takes every gRPC status name (`FAILED_PRECONDITION`, 19), so that gRPC lines keep the
 * columns of HTTP ones. Its text is made once per rule and status (see `RequestLines`): no request pays for it.
 */
export const GRPC_STATUS_WIDTH = Math.max(...codes.map((code) => code.length));

/**
 * One request as a line whose columns line up: `12:00:01.250 orders       GET /orders/ord_1  200  get order  1.2ms`.
 * GraphQL requests show their operation (`query Home`) and how many errors the answer carried; a rule with
 * a `name` shows its name.
 */
export function formatRequestLine(e: JournalEntry, ruleName?: (id: string) => string | undefined, paint: Paint = plain): string {
  const line = requestLinesFor(paint).line(e, ruleName);
  return line.slice(0, -1);
}

/** The request lines of each way of painting (a logger paints one way; tests call `formatRequestLine` with several). */
const requestLines = new Map<Paint, RequestLines>();

function requestLinesFor(paint: Paint): RequestLines {
  let lines = requestLines.get(paint);
  if (!lines) {
    lines = new RequestLines(paint);
    requestLines.set(paint, lines);
  }
  return lines;
}

/** The columns of a rule's last line that do not change from request to request, fitted and painted (see `RequestLines`). */
interface RuleColumns {
  service: string;
  status: number | string;
  rule: string;
  /** The service column and its separator. */
  serviceText: string;
  /** The status and answer columns and their separators. */
  answerText: string;
}

/**
 * Request lines made of a few flat strings that repeat from line to line, each made once: the time of
 * day (per second, and the milliseconds from a table), the service, status and answer columns (per
 * rule, made again when its status or name changes), the padding after the target, the duration with
 * the line's end (per tenth of a millisecond). The request line is on every request's path: a line is
 * then a handful of concatenations and one lookup by a string the scenario made (its hash kept), and the
 * batch it joins is written with eight pieces a line to copy instead of a dozen and more.
 */
class RequestLines {
  readonly #paint: Paint;
  /** Bounded maps: past MAX_CACHED_COLUMNS entries (a client sending ever new names) one starts over. By rule id. */
  readonly #rules = new Map<string, RuleColumns>();
  /** Requests no rule answered, by service. */
  readonly #misses = new Map<string, RuleColumns>();
  /** A gRPC call's method path as shown: its service and method without the package (`PaymentService/Authorize`; the service column says whose). */
  readonly #grpcTargets = new Map<string, string>();
  /** `1.2ms\n` by tenths of a millisecond, made when first needed (empty before), up to MAX_CACHED_DURATION. */
  readonly #durations: string[] = new Array<string>(MAX_CACHED_DURATION).fill('');
  /** The time column in two parts: `HH:MM:SS.` (painted from its start) per second, `mmm ` (painted to its end) from a table. */
  #second = Number.NaN;
  #secondText = '';
  readonly #milliseconds: readonly string[];
  readonly #paintedFrom: string;

  readonly #statusWidthNow: () => number;
  #statusWidth: number;

  constructor(paint: Paint, statusWidth: () => number = () => GRPC_STATUS_WIDTH) {
    this.#paint = paint;
    this.#statusWidthNow = statusWidth;
    this.#statusWidth = statusWidth();
    const [from = '', to = ''] = paint('dim', '\0').split('\0');
    this.#paintedFrom = from;
    this.#milliseconds = MILLISECONDS.map((ms) => `${ms}${to} `);
  }

  /** The line, ending with a newline. */
  line(e: JournalEntry, ruleName: ((id: string) => string | undefined) | undefined): string {
    const arrivedAt = Math.floor(arrivalOf(e));
    const second = Math.floor(arrivedAt / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#secondText = this.#paintedFrom + secondOfDay(second);
    }
    const columns = this.#columns(e, ruleName);
    const target = e.protocol === 'rest' ? e.target : e.protocol === 'grpc' ? this.#grpcTarget(e.target) : targetOf(e);
    const padded = target.length <= WIDTH.target ? target + (PADDING[WIDTH.target - target.length] as string) : `${fit(target, WIDTH.target)} `;
    const time = this.#secondText + (this.#milliseconds[arrivedAt - second * 1000] as string);
    return time + columns.serviceText + padded + columns.answerText + this.#end(e);
  }

  #columns(e: JournalEntry, ruleName: ((id: string) => string | undefined) | undefined): RuleColumns {
    const rule = e.rule === null ? (e.miss ? 'unmatched' : '-') : (ruleName?.(e.rule) ?? e.rule);
    const cache = e.rule === null ? this.#misses : this.#rules;
    const key = e.rule ?? e.service;
    const cached = cache.get(key);
    if (cached && cached.service === e.service && cached.status === e.status && cached.rule === rule) return cached;
    const width = this.#statusWidthNow();
    if (width !== this.#statusWidth) {
      // Every line made from now on has the new width: columns made with the old one are made again.
      this.#statusWidth = width;
      this.#rules.clear();
      this.#misses.clear();
    }
    const paint = this.#paint;
    const status = paint(statusColor(e), fit(String(e.status), width));
    const columns = {
      service: e.service,
      status: e.status,
      rule,
      serviceText: flat(fit(e.service, WIDTH.service), ' '),
      answerText: flat(status, ' ', paint(e.rule === null ? 'magenta' : 'plain', fit(rule, WIDTH.rule)), ' '),
    };
    remember(cache, key, columns);
    return columns;
  }

  #grpcTarget(path: string): string {
    let shown = this.#grpcTargets.get(path);
    if (shown === undefined) {
      shown = path.replace(/^\/?(?:\w+\.)*/, '');
      remember(this.#grpcTargets, path, shown);
    }
    return shown;
  }

  #end(e: JournalEntry): string {
    const count = Math.round(e.durationMs * 10);
    if (e.error && isServerError(e)) return `${tenths(count)}ms  ${this.#paint('red', e.error)}\n`;
    if (!(count >= 0 && count < MAX_CACHED_DURATION)) return `${tenths(count)}ms\n`;
    let text = this.#durations[count] as string;
    if (text === '') {
      text = `${tenths(count)}ms\n`;
      this.#durations[count] = text;
    }
    return text;
  }
}

function remember<Value>(cache: Map<string, Value>, key: string, value: Value): void {
  if (cache.size >= MAX_CACHED_COLUMNS) cache.clear();
  cache.set(key, value);
}

/** ' ', '  ' … : what pads the target column (up to 40 characters) and separates it from the next. */
const PADDING = Array.from({ length: WIDTH.target + 1 }, (_, n) => ' '.repeat(n + 1));

/** Columns (of rules, of services for requests no rule answered, gRPC methods) kept fitted at most. */
const MAX_CACHED_COLUMNS = 1024;

/** Durations in tenths of a millisecond kept formatted: up to a second. */
const MAX_CACHED_DURATION = 10_000;

/**
 * The parts as one flat string: a string made by concatenation is a tree of its parts, walked again
 * each time it is copied (into a batch, into the write), while `join` of several parts copies them into one.
 */
function flat(...parts: string[]): string {
  return parts.join('');
}

/** A duration in tenths of a millisecond with one decimal, as `toFixed(1)` has it (integer arithmetic: `toFixed` is a runtime call). */
function tenths(count: number): string {
  const whole = Math.floor(count / 10);
  return `${whole}.${count - whole * 10}`;
}

/** An event (a reload, a variant switch, stopping) in the request line's columns: its kind where the service goes. */
export function formatEventLine(event: string, message: string, paint: Paint = plain): string {
  return `${paint('dim', timeOfDay(Date.now()))} ${paint('cyan', fit(event, WIDTH.service))} ${message}`;
}

/** What the line names a request other than a REST or gRPC one by: a GraphQL operation with its error count, else its target. */
function targetOf(e: JournalEntry): string {
  if (e.protocol !== 'graphql' || !/^(query|mutation|subscription)\b/.test(e.operation)) return e.target;
  const errors = graphqlErrorCount(e);
  return errors ? `${e.operation} (${errors} error${errors === 1 ? '' : 's'})` : e.operation;
}

/** How many entries the `errors` of a GraphQL answer had. */
function graphqlErrorCount(e: JournalEntry): number {
  if (e.protocol !== 'graphql') return 0;
  // The answer as a journal record keeps it: the JSON sent is parsed only when it has errors at all.
  const kept = (e as { answer?: { body?: unknown } | undefined }).answer?.body;
  if (kept instanceof JsonText && !kept.mentions('"errors"')) return 0;
  const body = e.response?.body;
  const errors = body && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined;
  return Array.isArray(errors) ? errors.length : 0;
}

/** `text` padded to `width`, or cut in its middle with an ellipsis (both ends of a path or a method name say most). */
export function fit(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

function statusColor(e: JournalEntry): Color {
  if (isServerError(e)) return 'red';
  if (typeof e.status === 'number') return e.status >= 400 ? 'yellow' : 'green';
  return e.status === 'OK' ? 'green' : 'yellow';
}

function isServerError(e: JournalEntry): boolean {
  return typeof e.status === 'number' ? e.status >= 500 : !['OK', 'NOT_FOUND', 'INVALID_ARGUMENT', 'ALREADY_EXISTS', 'FAILED_PRECONDITION'].includes(e.status);
}

/** When the request arrived: the engine's journal record has it as a number (its ISO `time` is formatted when read). */
function arrivalOf(e: JournalEntry): number {
  const arrivedAt = (e as { arrivedAt?: unknown }).arrivedAt;
  return typeof arrivedAt === 'number' ? arrivedAt : Date.parse(e.time);
}

/** '000' … '999'. */
const MILLISECONDS = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0'));
let formattedSecond = Number.NaN;
let formattedSecondText = '';

/**
 * `HH:MM:SS.mmm` (UTC) of an epoch time in milliseconds, as `toISOString()` has it: the date is
 * formatted once a second, the milliseconds come from a table.
 */
export function timeOfDay(epochMs: number): string {
  // Arrival times are fractional (performance.timeOrigin + now()); a Date keeps whole milliseconds.
  const ms = Math.floor(epochMs);
  const second = Math.floor(ms / 1000);
  if (second !== formattedSecond) {
    formattedSecond = second;
    formattedSecondText = secondOfDay(second);
  }
  return formattedSecondText + MILLISECONDS[ms - second * 1000];
}

/** `HH:MM:SS.` (UTC) of an epoch time in whole seconds. */
function secondOfDay(second: number): string {
  return new Date(second * 1000).toISOString().slice(11, 20);
}

type Color = 'plain' | 'dim' | 'red' | 'green' | 'yellow' | 'magenta' | 'cyan';
export type Paint = (color: Color, text: string) => string;

const CODES: Record<Exclude<Color, 'plain'>, [number, number]> = {
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

const plain: Paint = (_color, text) => text;

function painter(enabled: boolean): Paint {
  if (!enabled) return plain;
  return (color, text) => {
    if (color === 'plain') return text;
    const [open, close] = CODES[color];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  };
}

/**
 * Whether to colour what goes to `stream`, as https://no-color.org and https://force-color.org say:
 * `FORCE_COLOR` set (to anything but `0` or `false`) colours even a pipe; else a non-empty `NO_COLOR`
 * turns colour off; else colour when the stream is a terminal that has colours (`TERM=dumb` has none).
 */
export function colorSupport(stream: { isTTY?: boolean | undefined; hasColors?: (() => boolean) | undefined }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  return Boolean(stream.isTTY) && (stream.hasColors?.() ?? env.TERM !== 'dumb');
}

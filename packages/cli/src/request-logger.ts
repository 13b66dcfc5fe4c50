import type { JournalEntry, Logger } from '@mockstack/core';
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
  return {
    request: (e) => {
      if (options.quiet) return;
      out.write(`${formatRequestLine(e, options.ruleName, paintOut)}\n`);
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

/** Column widths of the request line: service, target, status, rule. A longer value is cut in its middle. */
const WIDTH = { service: 12, target: 40, status: 4, rule: 18 } as const;

/**
 * One request as a line whose columns line up: `12:00:01.250 orders       GET /orders/ord_1  200  get order  1.2ms`.
 * GraphQL requests show their operation (`query Home`) and how many errors the answer carried; a rule with
 * a `name` shows its name.
 */
export function formatRequestLine(e: JournalEntry, ruleName?: (id: string) => string | undefined, paint: Paint = plain): string {
  const service = fittedColumn(serviceColumns, e.service, WIDTH.service);
  const target = targetOf(e);
  const fittedTarget = target.length <= WIDTH.target ? target + (PADDING[WIDTH.target - target.length] as string) : fit(target, WIDTH.target);
  const status = paint(statusColor(e), statusColumn(e.status));
  const rule = answerOf(e, ruleName);
  const answer = paint(e.rule === null ? 'magenta' : 'plain', fittedColumn(ruleColumns, rule, WIDTH.rule));
  const error = e.error && isServerError(e) ? `  ${paint('red', e.error)}` : '';
  return `${paintedTimeOfDay(arrivalOf(e), paint)} ${service} ${fittedTarget} ${status} ${answer} ${tenths(e.durationMs)}ms${error}`;
}

/** '', ' ', '  ' … : what pads a column of up to 40 characters (a concatenation instead of `padEnd`'s copy). */
const PADDING = Array.from({ length: WIDTH.target + 1 }, (_, n) => ' '.repeat(n));

/** `ms` with one decimal, as `toFixed(1)` has it for a duration (integer arithmetic: `toFixed` is a runtime call). */
function tenths(ms: number): string {
  const count = Math.round(ms * 10);
  const whole = Math.floor(count / 10);
  return `${whole}.${count - whole * 10}`;
}

let paintedMs = Number.NaN;
let paintedWith: Paint | undefined;
let paintedText = '';

/** The time column, painted; lines of the same millisecond share it. */
function paintedTimeOfDay(epochMs: number, paint: Paint): string {
  const ms = Math.floor(epochMs);
  if (ms !== paintedMs || paint !== paintedWith) {
    paintedMs = ms;
    paintedWith = paint;
    paintedText = paint('dim', timeOfDay(ms));
  }
  return paintedText;
}

/**
 * Columns whose values repeat from line to line (a service, a rule's name, a status), fitted once
 * each: the request line is on every request's path. Bounded: a map that grows past its limit starts over.
 */
const serviceColumns = new Map<string, string>();
const ruleColumns = new Map<string, string>();
const statusColumns = new Map<number | string, string>();
const MAX_CACHED_COLUMNS = 1024;

function fittedColumn(cache: Map<string, string>, text: string, width: number): string {
  let fitted = cache.get(text);
  if (fitted === undefined) {
    if (cache.size >= MAX_CACHED_COLUMNS) cache.clear();
    fitted = fit(text, width);
    cache.set(text, fitted);
  }
  return fitted;
}

function statusColumn(status: number | string): string {
  let text = statusColumns.get(status);
  if (text === undefined) {
    if (statusColumns.size >= MAX_CACHED_COLUMNS) statusColumns.clear();
    text = String(status).padEnd(WIDTH.status);
    statusColumns.set(status, text);
  }
  return text;
}

/** An event (a reload, a variant switch, stopping) in the request line's columns: its kind where the service goes. */
export function formatEventLine(event: string, message: string, paint: Paint = plain): string {
  return `${paint('dim', timeOfDay(Date.now()))} ${paint('cyan', fit(event, WIDTH.service))} ${message}`;
}

/**
 * What the line names: a GraphQL request by its operation and error count, a gRPC call by its service and
 * method without the package (`PaymentService/Authorize`; the service column says whose), others by their target.
 */
function targetOf(e: JournalEntry): string {
  if (e.protocol === 'grpc') return e.target.replace(/^\/?(?:\w+\.)*/, '');
  if (e.protocol !== 'graphql' || !/^(query|mutation|subscription)\b/.test(e.operation)) return e.target;
  const errors = graphqlErrorCount(e);
  return errors ? `${e.operation} (${errors} error${errors === 1 ? '' : 's'})` : e.operation;
}

/** How many entries the `errors` of a GraphQL answer had. */
function graphqlErrorCount(e: JournalEntry): number {
  if (e.protocol !== 'graphql') return 0;
  const body = e.response?.body;
  const errors = body && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined;
  return Array.isArray(errors) ? errors.length : 0;
}

function answerOf(e: JournalEntry, ruleName: ((id: string) => string | undefined) | undefined): string {
  if (e.rule === null) return e.miss ? 'unmatched' : '-';
  return ruleName?.(e.rule) ?? e.rule;
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
    formattedSecondText = new Date(second * 1000).toISOString().slice(11, 20);
  }
  return formattedSecondText + MILLISECONDS[ms - second * 1000];
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

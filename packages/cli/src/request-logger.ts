import type { JournalEntry, Logger } from '@mockstack/core';
import { pino } from 'pino';
import { BatchedOutput } from './batched-output.js';

export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  format: LogFormat;
  /** Only warnings and errors; no line per request. */
  quiet: boolean;
}

/**
 * The CLI's logger: one line per request (service, operation, status, rule or "unmatched", ms),
 * as aligned text for people or JSON lines (pino) for machines. 4xx at info, 5xx at error.
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
    const log = pino({ base: null, level: options.quiet ? 'warn' : 'info' }, out);
    return {
      request: (e) => {
        if (options.quiet && !isServerError(e)) return;
        const fields = {
          service: e.service,
          operation: e.operation,
          target: e.target,
          status: e.status,
          rule: e.rule ?? 'unmatched',
          ms: e.durationMs,
          id: e.id,
        };
        if (isServerError(e)) log.error({ ...fields, error: e.error }, 'request');
        else log.info(fields, 'request');
      },
      info: (message, fields) => {
        log.info(fields ?? {}, message);
        out.flush();
      },
      warn: (message, fields) => {
        log.warn(fields ?? {}, message);
        out.flush();
      },
      error: (message, fields) => {
        log.error(fields ?? {}, message);
        out.flush();
      },
    };
  }
  const writeNow = (line: string): void => {
    out.write(`${line}\n`);
    out.flush();
  };
  return {
    request: (e) => {
      if (options.quiet) return;
      out.write(`${formatRequestLine(e)}\n`);
    },
    info: (message) => {
      if (!options.quiet) writeNow(message);
    },
    warn: (message) => writeNow(`warning: ${message}`),
    error: (message) => writeNow(`error: ${message}`),
  };
}

let stdoutLines: BatchedOutput | undefined;

/** The process's one batched stdout, made on first use. */
function stdoutBatch(): BatchedOutput {
  if (!stdoutLines) {
    stdoutLines = new BatchedOutput(pino.destination({ sync: true }));
    stdoutLines.interleave([process.stdout, process.stderr]);
  }
  return stdoutLines;
}

export function formatRequestLine(e: JournalEntry): string {
  const time = timeOfDay(arrivalOf(e));
  const answer = e.rule ?? (e.miss ? 'unmatched' : '-');
  const error = e.error && isServerError(e) ? `  ${e.error}` : '';
  return `${time} ${e.service.padEnd(10)} ${e.target.padEnd(36)} ${String(e.status).padEnd(4)} ${answer.padEnd(14)} ${e.durationMs.toFixed(1)}ms${error}`;
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

import type { JournalEntry, Logger } from '@mockstack/core';
import { pino } from 'pino';

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
 * Every line is written synchronously to stdout. An asynchronous destination (what this used) sends
 * one write to the OS at a time and queues the rest: the second of two warnings logged at start-up
 * was still queued when `up` printed its ready table with console.log (synchronous), so it came out
 * after "Ready", or not at all when the process exited first. Synchronous lines keep the order in
 * which things happened, warnings before "Ready", and nothing is lost at exit; a line costs one write
 * call, and the benches use --quiet, which writes no line per request.
 */
export function createLogger(options: LoggerOptions): Logger {
  const out = pino.destination({ sync: true });
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
      info: (message, fields) => log.info(fields ?? {}, message),
      warn: (message, fields) => log.warn(fields ?? {}, message),
      error: (message, fields) => log.error(fields ?? {}, message),
    };
  }
  const write = (line: string): void => {
    out.write(`${line}\n`);
  };
  return {
    request: (e) => {
      if (options.quiet) return;
      write(formatRequestLine(e));
    },
    info: (message) => {
      if (!options.quiet) write(message);
    },
    warn: (message) => write(`warning: ${message}`),
    error: (message) => write(`error: ${message}`),
  };
}

export function formatRequestLine(e: JournalEntry): string {
  const time = e.time.slice(11, 23);
  const answer = e.rule ?? (e.miss ? 'unmatched' : '-');
  const error = e.error && isServerError(e) ? `  ${e.error}` : '';
  return `${time} ${e.service.padEnd(10)} ${e.target.padEnd(36)} ${String(e.status).padEnd(4)} ${answer.padEnd(14)} ${e.durationMs.toFixed(1)}ms${error}`;
}

function isServerError(e: JournalEntry): boolean {
  return typeof e.status === 'number' ? e.status >= 500 : !['OK', 'NOT_FOUND', 'INVALID_ARGUMENT', 'ALREADY_EXISTS', 'FAILED_PRECONDITION'].includes(e.status);
}

import type { JournalEntry } from './journal.js';

/** Where the engine and adapters report. The CLI gives a human or JSON logger; tests a silent one. */
export interface Logger {
  request(entry: JournalEntry): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  request: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

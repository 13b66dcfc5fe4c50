/** What a batch is written to at once: a synchronous writer such as pino's `destination({ sync: true })`. */
export interface OutputSink {
  write(text: string): unknown;
}

/** Text kept before writing it anyway, whatever the time. */
const MAX_PENDING_CHARS = 64 * 1024;

/**
 * How long a line may wait for others. Per turn of the event loop was too short: a busy server often
 * answers one request a turn, and wrote a batch of one line.
 */
export const FLUSH_AFTER_MS = 10;

/**
 * Lines gathered and written in one synchronous write at most every FLUSH_AFTER_MS: a request line
 * costs a string append instead of a write call (the write was most of the request log's cost).
 *
 * The order of output is kept. `flush()` writes what is pending; it runs FLUSH_AFTER_MS after the
 * first line of a batch, when 64 KB are pending, before anything else this process writes to stdout or stderr
 * (`console.log`, a handler's own output, the ready table: `interleave` makes each of the streams'
 * writes flush first), before an uncaught exception is printed, and at exit.
 */
export class BatchedOutput {
  #pending = '';
  #scheduled: NodeJS.Timeout | undefined;
  readonly #sink: OutputSink;
  readonly #flushLater = (): void => {
    this.#scheduled = undefined;
    this.flush();
  };

  constructor(sink: OutputSink) {
    this.#sink = sink;
  }

  /** Adds `text` (whole lines) to the next batch. */
  write(text: string): boolean {
    this.#pending += text;
    if (this.#pending.length >= MAX_PENDING_CHARS) this.flush();
    else if (this.#scheduled === undefined) this.#scheduled = setTimeout(this.#flushLater, FLUSH_AFTER_MS).unref();
    return true;
  }

  /** Writes what is pending now, synchronously. */
  flush(): void {
    if (this.#pending === '') return;
    const text = this.#pending;
    this.#pending = '';
    this.#sink.write(text);
  }

  /**
   * Makes every write to `streams` flush this output first, and flushes before an uncaught exception
   * is reported and at exit: output written another way then never overtakes a pending line.
   */
  interleave(streams: NodeJS.WriteStream[]): void {
    const flush = (): void => this.flush();
    for (const stream of streams) {
      const write = stream.write;
      stream.write = function (this: NodeJS.WriteStream, ...args: unknown[]): boolean {
        flush();
        return (write as (...args: unknown[]) => boolean).apply(this, args);
      } as NodeJS.WriteStream['write'];
    }
    process.on('uncaughtExceptionMonitor', flush);
    process.on('exit', flush);
  }
}

import { writeSync } from 'node:fs';

/** What a batch is written to: `write` takes the whole text (now, or later in order); `drain` waits until all of it is out. */
export interface OutputSink {
  write(text: string): unknown;
  drain?(): void;
}

/** Text kept before writing it anyway, whatever the time. */
const MAX_PENDING_CHARS = 64 * 1024;

/**
 * How long a line may wait for others. Per turn of the event loop was too short: a busy server often
 * answers one request a turn, and wrote a batch of one line. 10 ms still woke the process 100 times a
 * second for a few lines each; measured under callgrind (bench/instructions.mjs, "REST handler with
 * log"), those wake-ups cost ~30k instructions a request, most of it in extra garbage collections
 * they set off; 50 ms measured as cheap as 1 s. A person reading the log does not notice 50 ms.
 */
export const FLUSH_AFTER_MS = 50;

/**
 * Lines gathered and written in one write at most every FLUSH_AFTER_MS: a request line costs a
 * string append instead of a write call (the write was most of the request log's cost).
 *
 * The order of output is kept. `flush()` writes what is pending and waits until the sink took all of
 * it; it runs before anything else this process writes to stdout or stderr (`console.log`, a
 * handler's own output, the ready table: `interleave` makes each of the streams' writes flush first),
 * before an uncaught exception is printed, and at exit. The batch written on a tick (at most FLUSH_AFTER_MS
 * after its first line), or when 64 KB are pending, does not wait: a full pipe keeps it for later (see `DescriptorSink`).
 */
export class BatchedOutput {
  #pending = '';
  /**
   * Writes what is pending every FLUSH_AFTER_MS while lines keep coming; a tick that finds none stops
   * it, so an idle process is not woken. One interval, not a timer armed per batch: node made a new
   * timer list for each of those (the previous one ended with its only timer), ~9k instructions a batch.
   */
  #timer: NodeJS.Timeout | undefined;
  readonly #sink: OutputSink;
  readonly #tick = (): void => {
    if (this.#pending !== '') this.#writePending();
    else {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  };

  constructor(sink: OutputSink) {
    this.#sink = sink;
  }

  /** Adds `text` (whole lines) to the next batch, written within FLUSH_AFTER_MS. */
  write(text: string): boolean {
    this.#pending += text;
    if (this.#pending.length >= MAX_PENDING_CHARS) this.#writePending();
    else this.#timer ??= setInterval(this.#tick, FLUSH_AFTER_MS).unref();
    return true;
  }

  /** Writes what is pending now, synchronously, and waits until the sink took all it was given. */
  flush(): void {
    this.#writePending();
    this.#sink.drain?.();
  }

  #writePending(): void {
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

/** Bytes a full pipe may hold back before `write` waits for the reader (memory stays bounded). */
const MAX_HELD_BYTES = 1024 * 1024;

/** How long `drain` sleeps between two tries at a full pipe. */
const RETRY_MS = 1;

/**
 * A file descriptor written with `writeSync`, that never stalls the event loop for a reader that is a
 * little late. Node makes a stdout pipe non-blocking, so a write to a full pipe fails (EAGAIN); pino's
 * destination then slept 100 ms, the server answering nothing meanwhile. Here what the pipe does not
 * take is held and written on a later turn, in order; `drain` (exit, a crash, other output) waits for
 * it in steps of a millisecond, and so does `write` once 1 MB is held.
 *
 * `stream` is the descriptor's own stream (`process.stdout`, its write before `interleave` wrapped it):
 * while it has bytes queued (a write that met a full pipe), lines go through it, behind those bytes. Only
 * the event loop writes them, so `drain` must not wait for them.
 */
export class DescriptorSink implements OutputSink {
  #held: Buffer | undefined;
  #retry: NodeJS.Timeout | undefined;
  readonly #retryLater = (): void => {
    this.#retry = undefined;
    this.#writeHeld();
  };

  constructor(
    readonly fd: number,
    readonly stream?: { readonly writableLength: number; write(bytes: Uint8Array): unknown } | undefined,
  ) {}

  write(text: string): void {
    if (this.#held === undefined && !this.stream?.writableLength) {
      // The text as it is: writeSync encodes it straight into the write (making a Buffer of it first cost
      // twice as much as making the request lines: an allocation, and encoding the batch's tree of strings). Whether
      // all of it went is told by its length in bytes, counted on the text writeSync left flat (a quick
      // pass); the rest, when a full pipe took only part, is encoded again to be held.
      const written = tryWrite(this.fd, text);
      if (written < text.length || written < Buffer.byteLength(text)) this.#hold(Buffer.from(text).subarray(written));
      return;
    }
    this.#hold(Buffer.from(text));
  }

  drain(): void {
    while (this.#held !== undefined) {
      this.#writeHeld();
      if (this.#held !== undefined) Atomics.wait(sleeper, 0, 0, RETRY_MS);
    }
  }

  #hold(bytes: Buffer): void {
    this.#held = this.#held === undefined ? bytes : Buffer.concat([this.#held, bytes]);
    if (this.#held.length > MAX_HELD_BYTES) this.drain();
    else this.#retry ??= setTimeout(this.#retryLater, RETRY_MS).unref();
  }

  #writeHeld(): void {
    const held = this.#held;
    if (held === undefined) return;
    if (this.stream?.writableLength) {
      this.#held = undefined;
      this.stream.write(held);
      return;
    }
    const written = tryWrite(this.fd, held);
    this.#held = written < held.length ? held.subarray(written) : undefined;
    if (this.#held !== undefined) this.#retry ??= setTimeout(this.#retryLater, RETRY_MS).unref();
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Bytes of `data` (UTF-8 for text) written to `fd` now: 0 when the pipe is full; all of them when its reader is gone (EPIPE: nobody will read them). */
function tryWrite(fd: number, data: Buffer | string): number {
  try {
    // Two calls for the two overloads of writeSync (text, bytes).
    return typeof data === 'string' ? writeSync(fd, data) : writeSync(fd, data);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') return 0;
    if (code === 'EPIPE') return Buffer.byteLength(data);
    throw error;
  }
}

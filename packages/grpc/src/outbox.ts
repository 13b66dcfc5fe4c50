import type { Message } from '@bufbuild/protobuf';

/** Messages of a stream (those a handler `write`s, the rule's items), handed to Connect in order. */
export class Outbox {
  /** Messages not yet taken by Connect; `taken` says whether one was (false: the call ended first). */
  readonly #pending: { message: Message; taken?: ((taken: boolean) => void) | undefined }[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  push(message: Message): void {
    this.#pending.push({ message });
    this.#wake?.();
  }

  /** Pushes `message`; resolves true once Connect took it, false if the call ended first. */
  deliver(message: Message): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((taken) => {
      this.#pending.push({ message, taken });
      this.#wake?.();
    });
  }

  /** Yields what is pushed until `done` settles (whether it fulfils or rejects: its caller awaits it). */
  async *until(done: Promise<unknown>): AsyncGenerator<Message> {
    let settled = false;
    const settle = (): void => {
      settled = true;
      this.#wake?.();
    };
    done.then(settle, settle);
    for (;;) {
      yield* this.flush();
      if (settled) return;
      // yield* hops through microtasks: a message may have come since flush() saw none, with no one to wake.
      if (this.#pending.length) continue;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }

  *flush(): Generator<Message> {
    for (let next = this.#pending[0]; next; next = this.#pending[0]) {
      yield next.message;
      this.#pending.shift();
      next.taken?.(true);
    }
  }

  /** The call is over: what was waiting to be taken never will be. */
  close(): void {
    this.#closed = true;
    for (const { taken } of this.#pending.splice(0)) taken?.(false);
  }
}

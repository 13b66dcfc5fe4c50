import type * as grpc from '@grpc/grpc-js';
import { StreamMessages } from '@mockstack/core';
import { badRequest } from './answers.js';
import { BadMessage } from './codec.js';

/** The messages a client sends, kept for the journal and readable as an async iterable by bidi handlers. */
export class Inbox implements AsyncIterable<unknown> {
  readonly received: unknown[];
  bad: BadMessage | undefined;
  /** The call's messages both ways with their timing, for the journal (a stream's; see StreamWriter). */
  readonly log = new StreamMessages(performance.now());
  #ended = true;

  /** The client has stopped sending (half-close, cancellation or a bad message). */
  get ended(): boolean {
    return this.#ended;
  }
  #wake: (() => void) | undefined;

  constructor(messages: unknown[]) {
    this.received = messages;
  }

  static of(call: grpc.ServerReadableStream<unknown, Buffer> | grpc.ServerDuplexStream<unknown, Buffer>): Inbox {
    const inbox = new Inbox([]);
    inbox.#ended = false;
    const wake = (): void => {
      const w = inbox.#wake;
      inbox.#wake = undefined;
      w?.();
    };
    call.on('data', (message: unknown) => {
      if (message instanceof BadMessage) {
        inbox.bad ??= message;
        inbox.#ended = true;
      } else if (!inbox.#ended) {
        inbox.received.push(message);
        inbox.log.add('in', message);
      }
      wake();
    });
    const end = (): void => {
      inbox.#ended = true;
      wake();
    };
    call.once('end', end);
    call.once('cancelled', end);
    call.once('error', end);
    return inbox;
  }

  /** Waits for the client to finish sending; returns the malformed message if one came. */
  async drain(): Promise<BadMessage | undefined> {
    while (!this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.bad;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<unknown> {
    let index = 0;
    for (;;) {
      if (index < this.received.length) {
        yield this.received[index++];
        continue;
      }
      if (this.bad) throw badRequest(this.bad).fault;
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

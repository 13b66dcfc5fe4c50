import { setTimeout } from 'node:timers';
import * as grpc from '@grpc/grpc-js';

/**
 * Ends a call that sends and receives nothing for `ms` before the client ends its side (e.g. a client
 * that sent headers and never a message or an end of stream) with DEADLINE_EXCEEDED, so that it cannot
 * hold a stream forever. Once the client has ended its side, the scenario's pace is its own.
 *
 * On every call's path, so kept cheap: one object per call forwarding to grpc-js' own (no
 * ServerInterceptingCall with its closures), and one timer per server instead of one per call.
 */
export function streamIdleTimeout(ms: number): grpc.ServerInterceptor {
  const watch = new IdleWatch(ms);
  return (_method, call) => new IdleWatchedCall(call, watch, ms) as unknown as grpc.ServerInterceptingCall;
}

type CallListener = Parameters<grpc.ServerInterceptingCallInterface['start']>[0];

/** Calls whose client has not ended its side, oldest activity first; ends those idle for `ms`. */
class IdleWatch {
  readonly #ms: number;
  /** Insertion order is activity order: a call active again is moved to the end. */
  readonly #since = new Map<IdleWatchedCall, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  touch(call: IdleWatchedCall): void {
    this.#since.delete(call);
    this.#since.set(call, performance.now());
    this.#timer ??= this.#schedule(this.#ms);
  }

  forget(call: IdleWatchedCall): void {
    this.#since.delete(call);
  }

  #schedule(delay: number): NodeJS.Timeout {
    // node:timers' own setTimeout: the runner wraps the global one for handlers' timers.
    return setTimeout(() => this.#sweep(), Math.ceil(delay)).unref();
  }

  #sweep(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const [call, at] of this.#since) {
      const left = at + this.#ms - now;
      if (left > 0) {
        this.#timer = this.#schedule(left);
        return;
      }
      this.#since.delete(call);
      call.expire();
    }
  }
}

/** grpc-js' call with the idle watch, and the listener of its events: forwards everything, noting activity until the client ends its side. */
class IdleWatchedCall implements grpc.ServerInterceptingCallInterface, CallListener {
  readonly #next: grpc.ServerInterceptingCallInterface;
  readonly #watch: IdleWatch;
  readonly #ms: number;
  #listener: CallListener | undefined;
  #clientDone = false;

  constructor(next: grpc.ServerInterceptingCallInterface, watch: IdleWatch, ms: number) {
    this.#next = next;
    this.#watch = watch;
    this.#ms = ms;
  }

  start(listener: CallListener): void {
    this.#listener = listener;
    this.#watch.touch(this);
    // This object is grpc-js' listener too: no closures per call.
    this.#next.start(this);
  }

  onReceiveMetadata(metadata: grpc.Metadata): void {
    this.#listener?.onReceiveMetadata(metadata);
  }

  onReceiveMessage(message: unknown): void {
    if (!this.#clientDone) this.#watch.touch(this);
    this.#listener?.onReceiveMessage(message);
  }

  onReceiveHalfClose(): void {
    this.#stop();
    this.#listener?.onReceiveHalfClose();
  }

  onCancel(): void {
    this.#stop();
    this.#listener?.onCancel();
  }

  #stop(): void {
    this.#clientDone = true;
    this.#watch.forget(this);
  }

  expire(): void {
    this.sendStatus({
      code: grpc.status.DEADLINE_EXCEEDED,
      details: `mockstack: nothing sent or received on this call for ${this.#ms} ms (stream idle timeout, --grpc-stream-idle-timeout); the call is ended`,
    });
  }

  sendMetadata(metadata: grpc.Metadata): void {
    this.#next.sendMetadata(metadata);
  }

  sendMessage(message: unknown, callback: () => void): void {
    if (!this.#clientDone) this.#watch.touch(this);
    this.#next.sendMessage(message, callback);
  }

  sendStatus(status: Parameters<grpc.ServerInterceptingCallInterface['sendStatus']>[0]): void {
    this.#stop();
    this.#next.sendStatus(status);
  }

  startRead(): void {
    this.#next.startRead();
  }

  getPeer(): string {
    return this.#next.getPeer();
  }

  getDeadline(): grpc.Deadline {
    return this.#next.getDeadline();
  }

  getHost(): string {
    return this.#next.getHost();
  }

  getAuthContext(): ReturnType<grpc.ServerInterceptingCallInterface['getAuthContext']> {
    return this.#next.getAuthContext();
  }

  getConnectionInfo(): ReturnType<grpc.ServerInterceptingCallInterface['getConnectionInfo']> {
    return this.#next.getConnectionInfo();
  }

  getMetricsRecorder(): ReturnType<grpc.ServerInterceptingCallInterface['getMetricsRecorder']> {
    return this.#next.getMetricsRecorder();
  }
}

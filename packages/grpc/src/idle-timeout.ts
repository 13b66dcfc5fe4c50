import { clearInterval, setInterval } from 'node:timers';
import * as grpc from '@grpc/grpc-js';

/**
 * Ends a call that sends and receives nothing for `ms` before the client ends its side (e.g. a client
 * that sent headers and never a message or an end of stream) with DEADLINE_EXCEEDED, so that it cannot
 * hold a stream forever. Once the client has ended its side, the scenario's pace is its own.
 *
 * On every call's path, so kept cheap: one object per call forwarding to grpc-js' own (no
 * ServerInterceptingCall with its closures), one timer per server instead of one per call, the
 * watched calls linked through themselves (no Set to hash them into), and activity noted as a
 * field write (no clock read, no reordering of the watched calls).
 */
export function streamIdleTimeout(ms: number): grpc.ServerInterceptor {
  const watch = new IdleWatch(ms);
  return (_method, call) => new IdleWatchedCall(call, watch, ms) as unknown as grpc.ServerInterceptingCall;
}

type CallListener = Parameters<grpc.ServerInterceptingCallInterface['start']>[0];

/** Quarters of the timeout: the watch's clock ticks every quarter, so a call ends 1 to 1¼ timeouts after its last activity. */
const TICKS_PER_TIMEOUT = 4;

/**
 * Calls whose client has not ended its side; ends those idle for `ms`. Activity is dated by a clock
 * that a timer advances every quarter of `ms` while calls are watched: a call last active at tick T
 * was active before tick T + 1 began, so at tick T + 5 it has been idle at least `ms`. The watched
 * calls form a doubly linked list through their `newer`/`older` fields, the newest first.
 */
class IdleWatch {
  readonly #ms: number;
  #newest: IdleWatchedCall | undefined = undefined;
  #timer: NodeJS.Timeout | undefined = undefined;
  /** The clock: quarters of `ms` counted while calls were watched. */
  tick = 0;

  constructor(ms: number) {
    this.#ms = ms;
  }

  watch(call: IdleWatchedCall): void {
    const newest = this.#newest;
    call.older = newest;
    if (newest) newest.newer = call;
    this.#newest = call;
    call.watched = true;
    // node:timers' own setInterval: the runner wraps the global one for handlers' timers.
    this.#timer ??= setInterval(() => this.#sweep(), Math.ceil(this.#ms / TICKS_PER_TIMEOUT)).unref();
  }

  forget(call: IdleWatchedCall): void {
    if (!call.watched) return;
    call.watched = false;
    const { newer, older } = call;
    if (newer) newer.older = older;
    else this.#newest = older;
    if (older) older.newer = newer;
    call.newer = undefined;
    call.older = undefined;
  }

  #sweep(): void {
    this.tick++;
    for (let call = this.#newest; call; ) {
      const older = call.older;
      if (this.tick - call.activeAt > TICKS_PER_TIMEOUT) {
        this.forget(call);
        call.expire();
      }
      call = older;
    }
    if (!this.#newest) {
      clearInterval(this.#timer);
      this.#timer = undefined;
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
  /** The watch's tick at this call's last activity. */
  activeAt = 0;
  /** In the watch's list, between these calls (see IdleWatch). */
  watched = false;
  newer: IdleWatchedCall | undefined = undefined;
  older: IdleWatchedCall | undefined = undefined;

  constructor(next: grpc.ServerInterceptingCallInterface, watch: IdleWatch, ms: number) {
    this.#next = next;
    this.#watch = watch;
    this.#ms = ms;
  }

  start(listener: CallListener): void {
    this.#listener = listener;
    this.activeAt = this.#watch.tick;
    this.#watch.watch(this);
    // This object is grpc-js' listener too: no closures per call.
    this.#next.start(this);
  }

  onReceiveMetadata(metadata: grpc.Metadata): void {
    this.#listener?.onReceiveMetadata(metadata);
  }

  onReceiveMessage(message: unknown): void {
    if (!this.#clientDone) this.activeAt = this.#watch.tick;
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
    if (this.#clientDone) return;
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
    if (!this.#clientDone) this.activeAt = this.#watch.tick;
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

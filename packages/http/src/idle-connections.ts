import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { clearInterval, setInterval } from 'node:timers';

/** Quarters of the timeout: the sweep runs every quarter, so a connection is closed 1 to 1¼ timeouts after its last traffic. */
const TICKS_PER_TIMEOUT = 4;

interface Traffic {
  /** Bytes read and written when a sweep last saw them change. */
  bytes: number;
  /** Sweeps since then. */
  quietSweeps: number;
}

/**
 * Closes HTTP/1 connections with no traffic for `ms` (`--idle-timeout`), as node's `server.setTimeout`
 * does, without its cost: node re-arms a timer on every read and write of every socket (about 2k
 * instructions per request, as much as the whole engine call of a handler route). Here one timer per
 * server compares each connection's byte counts every quarter of `ms`. Connections upgraded to another
 * protocol (WebSocket) are `forget`-ten: node stops timing those out too.
 */
export class IdleConnections {
  readonly #ms: number;
  readonly #watched = new Map<Duplex, Traffic>();
  #timer: NodeJS.Timeout | undefined = undefined;

  /** `event`: the server's event that hands over a connection (`secureConnection` for TLS, whose sockets upgrades see). */
  constructor(server: Server, ms: number, event: 'connection' | 'secureConnection') {
    this.#ms = ms;
    server.on(event, (socket: Socket) => this.#watch(socket));
  }

  #watch(socket: Socket): void {
    this.#watched.set(socket, { bytes: 0, quietSweeps: 0 });
    socket.once('close', () => this.forget(socket));
    // node:timers' own setInterval: the runner wraps the global one for handlers' timers.
    this.#timer ??= setInterval(() => this.#sweep(), Math.ceil(this.#ms / TICKS_PER_TIMEOUT)).unref();
  }

  /** Stops watching a connection (closed, or upgraded). */
  forget(socket: Duplex): void {
    if (!this.#watched.delete(socket) || this.#watched.size > 0 || this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    for (const [socket, traffic] of this.#watched) {
      const { bytesRead, bytesWritten } = socket as Socket;
      const bytes = bytesRead + bytesWritten;
      if (bytes !== traffic.bytes) {
        traffic.bytes = bytes;
        traffic.quietSweeps = 0;
      } else if (++traffic.quietSweeps >= TICKS_PER_TIMEOUT) {
        this.forget(socket);
        socket.destroy();
      }
    }
  }
}

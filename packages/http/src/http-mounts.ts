import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpHandler } from '@mockstack/core';

/**
 * The services mounted on one HTTP server (see `Mount`): a request whose path is a mount's path,
 * or below it, goes to that service; any other to the server's own routes. HTTP adapters build
 * their server's request listener with `listener` so they can both host and be mounted.
 */
export class HttpMounts {
  readonly #handlers = new Map<string, HttpHandler>();

  /** Serves `path` with `handler` until the returned function is called. */
  add(path: string, handler: HttpHandler): () => void {
    this.#handlers.set(path, handler);
    return () => {
      if (this.#handlers.get(path) === handler) this.#handlers.delete(path);
    };
  }

  /** Node's request listener: mounted paths first, `own` for the rest. */
  listener(own: HttpHandler): HttpHandler {
    return (request, response) => {
      if (this.#handlers.size === 0) return own(request, response);
      (this.#handlerOf(request.url ?? '/') ?? own)(request, response);
    };
  }

  /** Hands a WebSocket handshake to the service mounted at its path, if that service takes them; false otherwise. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const upgrade = this.#handlerOf(request.url ?? '/')?.upgrade;
    if (!upgrade) return false;
    upgrade(request, socket, head);
    return true;
  }

  #handlerOf(url: string): HttpHandler | undefined {
    for (const [path, handler] of this.#handlers) {
      if (url.startsWith(path) && (url.length === path.length || '/?#'.includes(url.charAt(path.length)))) return handler;
    }
    return undefined;
  }
}

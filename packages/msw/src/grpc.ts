import type { GrpcFetchHandler, grpcOverFetch } from '@mockstack/grpc/fetch';

/** How gRPC services are compiled and answered here (undefined in the browser). */
export type GrpcOverFetch = NonNullable<typeof grpcOverFetch>;

/**
 * A gRPC service of the scenario answering intercepted Connect and gRPC-Web calls (and its methods' HTTP
 * bindings) below its base URL, as its `web` port serves them under `mockstack up`.
 */
export class GrpcService {
  readonly #handler: GrpcFetchHandler;
  /** The base URL's path, taken off before routing. */
  readonly #basePath: string;

  constructor(handler: GrpcFetchHandler, basePath: string) {
    this.#handler = handler;
    this.#basePath = basePath;
  }

  /**
   * Whether this service answers `request`: a path of one of its methods or bindings, or any path when no
   * other service is intercepted there (it is then told which methods there are).
   */
  answers(request: Request, alsoCovered: boolean): boolean {
    return !alsoCovered || this.#handler.serves(request.method, this.#pathOf(request));
  }

  answer(request: Request): Promise<Response> {
    return this.#handler.answer(request, this.#pathOf(request));
  }

  /** The request's path below the base URL, with its query. */
  #pathOf(request: Request): string {
    const url = new URL(request.url);
    return (url.pathname.slice(this.#basePath.length) || '/') + url.search;
  }
}

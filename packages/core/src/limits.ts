/**
 * What one client may hold of a served port, so that a slow or stuck client cannot keep a mock busy
 * forever. Every protocol adapter applies the ones that concern it; `mockstack up` sets them by flag.
 */
export interface ServerLimits {
  /** The whole request (headers and body) must have arrived within this (ms; 0: no limit). Answers may still be late: a delay does not count. */
  requestTimeoutMs: number;
  /** The request headers must have arrived within this (ms). */
  headersTimeoutMs: number;
  /** How long an idle keep-alive HTTP connection is kept open (ms). */
  keepAliveTimeoutMs: number;
  /** A connection with no traffic at all for this long is closed (ms; 0: never). Above the longest delay a scenario uses. */
  idleTimeoutMs: number;
  /** Open connections per port; more are refused (0: no limit). */
  maxConnections: number;
  /** Calls in flight on one gRPC (HTTP/2) connection. */
  grpcMaxConcurrentStreams: number;
  /** A gRPC call that sends and receives nothing for this long, e.g. headers without an end of stream, is ended with DEADLINE_EXCEEDED (ms; 0: never). */
  grpcStreamIdleTimeoutMs: number;
}

/** The defaults, documented in the README under "Limits". */
export const defaultLimits: Readonly<ServerLimits> = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  maxConnections: 1_000,
  grpcMaxConcurrentStreams: 100,
  grpcStreamIdleTimeoutMs: 60_000,
};

/** Some limits; those left out (or undefined) keep their default. */
export type GivenLimits = { [Key in keyof ServerLimits]?: ServerLimits[Key] | undefined };

/** The defaults with the given limits in place of theirs. */
export function limitsOf(given: GivenLimits | undefined): ServerLimits {
  const limits = { ...defaultLimits };
  for (const [key, value] of Object.entries(given ?? {}) as [keyof ServerLimits, number | undefined][]) if (value !== undefined) limits[key] = value;
  return limits;
}

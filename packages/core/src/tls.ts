import { ErrorCode, MockstackError } from './errors.js';

/**
 * What a service serves TLS with once the runner resolved its `tls` setting (`true`: a certificate
 * generated at start; `{ cert, key }`: the user's files): PEM texts, plus where clients find the CA.
 * It sits in the service's `config.tls`; adapters read it with {@link tlsOf}.
 */
export interface TlsMaterial {
  /** PEM certificate chain the server presents. */
  cert: string;
  /** PEM private key of `cert`. */
  key: string;
  /** PEM of the CA that signed `cert`, when known. */
  ca?: string | undefined;
  /** File holding `ca`, printed at start and listed with the service's address. */
  caFile?: string | undefined;
}

/** The user's own certificate: PEM files, relative to the project root. */
export interface TlsFiles {
  cert: string;
  key: string;
  /** The CA that signed `cert`, listed for clients (optional). */
  ca?: string | undefined;
}

/** A service's `tls` setting as written: `true` (a certificate generated at start), `false`, or the user's files. */
export type TlsSetting = boolean | TlsFiles;

/** How an HTTP service speaks HTTP/2: over TLS with ALPN (HTTP/1.1 kept), or h2c with prior knowledge on a plain port. */
export type Http2Setting = boolean | 'h2c';

/**
 * The TLS material of a service, undefined without TLS. A `tls` setting the runner has not resolved
 * (a service given straight to `createStack`) is refused: it names what to pass instead.
 */
export function tlsOf(config: Readonly<Record<string, unknown>>, service: string): TlsMaterial | undefined {
  const tls = config.tls;
  if (tls === undefined || tls === false) return undefined;
  if (typeof tls === 'object' && tls !== null && typeof (tls as TlsMaterial).cert === 'string' && typeof (tls as TlsMaterial).key === 'string')
    return tls as TlsMaterial;
  throw new MockstackError(
    ErrorCode.TlsInvalid,
    `service "${service}" asks for TLS, but its certificate was not resolved: serve it with runScenario/startStack/mockstack up (which generate one), or give config.tls as { cert, key } PEM texts`,
  );
}

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode, MockstackError, type Model, type Service, type TlsFiles, type TlsMaterial } from '@mockstack/core';

/** Where the generated CA is kept in a project, for clients to trust: `.mockstack/tls/ca.pem`. */
export const TLS_DIR = join('.mockstack', 'tls');

/**
 * Resolves every service's `tls` setting (and `all`, `--tls`) into the PEM texts adapters serve with.
 * A generated certificate is signed by a local CA kept in `<root>/.mockstack/tls/` (made once, reused
 * across starts so that a client told to trust it keeps trusting it), valid for localhost, 127.0.0.1,
 * ::1 and each service's host. `cache` keeps the material across reloads.
 */
export async function withTls(model: Model, all: boolean | undefined, cache: TlsCache): Promise<Model> {
  const wanted = [...model.services.values()].filter((s) => (all && s.config.tls !== false) || (s.config.tls !== undefined && s.config.tls !== false));
  if (wanted.length === 0) return model;
  const root = model.root ?? process.cwd();
  const services = new Map(model.services);
  for (const service of wanted) {
    const setting = service.config.tls ?? true;
    const material = setting === true ? await cache.generated(root, hostsOf(model)) : filesOf(service, setting, root);
    services.set(service.name, { ...service, config: { ...service.config, tls: material } } satisfies Service);
  }
  return { ...model, services };
}

/** Keeps one generated certificate per project root (and host set) for the life of a running stack. */
export class TlsCache {
  #generated = new Map<string, TlsMaterial>();

  async generated(root: string, hosts: readonly string[]): Promise<TlsMaterial> {
    const key = `${root}\n${hosts.join(',')}`;
    let material = this.#generated.get(key);
    if (!material) {
      // node-forge loads only here: ~8 ms of every start without TLS.
      const { generateCertificate } = await import('./tls-certificate.js');
      material = generateCertificate(resolve(root, TLS_DIR), hosts);
      this.#generated.set(key, material);
    }
    return material;
  }
}

function hostsOf(model: Model): string[] {
  const hosts = new Set(['localhost', '127.0.0.1', '::1']);
  for (const service of model.services.values()) if (service.host && service.host !== '0.0.0.0' && service.host !== '::') hosts.add(service.host);
  return [...hosts].sort();
}

function filesOf(service: Service, setting: unknown, root: string): TlsMaterial {
  const files = setting as Partial<TlsFiles> | null;
  if (typeof files !== 'object' || files === null || typeof files.cert !== 'string' || typeof files.key !== 'string')
    throw new MockstackError(
      ErrorCode.TlsInvalid,
      `service "${service.name}" has tls ${JSON.stringify(setting)}: give true (a certificate generated at start) or { cert: 'cert.pem', key: 'key.pem' } (PEM files)`,
      { source: service.source },
    );
  const read = (file: string, what: string): string => {
    const path = resolve(root, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new MockstackError(ErrorCode.TlsInvalid, `service "${service.name}": cannot read its TLS ${what} ${path}: ${(error as Error).message}`, {
        source: service.source,
        cause: error,
      });
    }
    if (!text.includes('-----BEGIN '))
      throw new MockstackError(ErrorCode.TlsInvalid, `service "${service.name}": its TLS ${what} ${path} is not PEM (a "-----BEGIN …" block)`, {
        source: service.source,
      });
    return text;
  };
  const ca = files.ca === undefined ? undefined : resolve(root, files.ca);
  return { cert: read(files.cert, 'certificate'), key: read(files.key, 'key'), ca: ca === undefined ? undefined : read(ca, 'CA'), caFile: ca };
}

/** The CA clients should trust for the model's TLS services (the first service's that has one), or undefined. */
export function caOf(model: Model): { ca: string; caFile: string | undefined } | undefined {
  for (const service of model.services.values()) {
    const tls = service.config.tls as TlsMaterial | undefined;
    if (typeof tls === 'object' && tls !== null && tls.ca) return { ca: tls.ca, caFile: tls.caFile };
  }
  return undefined;
}

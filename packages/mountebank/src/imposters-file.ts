import { isRecord, type ServiceDefinition } from '@mockstack/core';
import { rest } from '@mockstack/dsl';
import { badData, type MountebankError, MountebankFileInvalid } from './errors.js';
import { checkImposter } from './imposter.js';
import { type ImposterInput, imposterRules } from './rules.js';

/**
 * Whether a JSON document is Mountebank's: `mb save` output or an `mb --configfile` file (`{ imposters }`),
 * or one imposter as `POST /imposters` takes it (`protocol` with `stubs` or a `port`).
 */
export function isImpostersDocument(document: Record<string, unknown>): boolean {
  return 'imposters' in document || (typeof document.protocol === 'string' && (Array.isArray(document.stubs) || document.port !== undefined));
}

/** The imposters of a Mountebank document (one imposter is a list of one). */
export function impostersOf(document: Record<string, unknown>): unknown[] | undefined {
  if (!('imposters' in document)) return [document];
  return Array.isArray(document.imposters) ? document.imposters : undefined;
}

/** Where an imposter of a file is, for messages: `imposter 0 (port 4545, orders)`. */
export function imposterWhere(imposter: unknown, index: number): string {
  const record = isRecord(imposter) ? imposter : {};
  return `imposter ${index}${record.port !== undefined ? ` (port ${record.port}${typeof record.name === 'string' ? `, ${record.name}` : ''})` : ''}`;
}

/**
 * A Mountebank imposters file (`mb save` output, an `mb --configfile` JSON, or one imposter) as REST
 * services, one per imposter on its port (a free one when it names none; `tls` for https), serving its
 * stubs with `imposterRules`, the code `mockstack import` writes into a scenario. Throws
 * MountebankFileInvalid naming the file and every imposter or stub it cannot serve: nothing is left out.
 */
export function impostersServices(document: Record<string, unknown>, file: string): Record<string, ServiceDefinition> {
  const imposters = impostersOf(document);
  if (!imposters) throw new MountebankFileInvalid(file, [badData("'imposters' must be an array of imposters")]);
  if (imposters.length === 0) throw new MountebankFileInvalid(file, [badData('the file has no imposters')]);
  const errors: MountebankError[] = [];
  const services: Record<string, ServiceDefinition> = {};
  const ports = new Set<number>();
  imposters.forEach((imposter, i) => {
    const check = checkImposter(imposter, imposterWhere(imposter, i));
    errors.push(...check.errors, ...[...check.stubs.values()].flat());
    if (!isRecord(imposter)) return;
    const port = Number.isInteger(imposter.port) ? (imposter.port as number) : 0;
    if (port && ports.has(port)) errors.push(badData(`${imposterWhere(imposter, i)}: two imposters on port ${port}: one port, one imposter`));
    ports.add(port);
    const base = typeof imposter.name === 'string' && imposter.name ? imposter.name.replace(/[^A-Za-z0-9_-]+/g, '-') : `imposter${port || i + 1}`;
    let name = base;
    for (let n = 2; name in services; n++) name = `${base}-${n}`;
    if (errors.length) return;
    services[name] = rest({ port, ...(imposter.protocol === 'https' && { tls: true }) }, imposterRules(imposter as ImposterInput));
  });
  if (errors.length) throw new MountebankFileInvalid(file, errors);
  return services;
}

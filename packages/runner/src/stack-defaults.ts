// What `up`'s flags set for every service that does not set it itself: a service's own setting wins, as its own `host` wins over `--host`.
import {
  type CorsOptions,
  checkDelay,
  type DelaySpec,
  ErrorCode,
  MockstackError,
  type Model,
  parseCorsOrigins,
  type ScenarioDefinition,
  type Service,
  type ServiceDefinition,
} from '@mockstack/core';

/** The environment variable `mockstack up` reads `--cors` from when it is not given. */
export const CORS_ENV = 'MOCKSTACK_CORS';

/** `--cors`: the origins allowed (`'*'`: any), or false for no CORS headers at all. */
export type CorsSetting = false | readonly (string | RegExp)[];

/**
 * `--cors` as given in code: `'*'` (any origin), origins as browsers send them, comma-separated or in a list
 * (`'https://*.app.github.dev'`, RegExps too), or false for no CORS headers at all.
 */
export type CorsOption = false | string | readonly (string | RegExp)[];

/**
 * The origins of a `cors` option, checked and read as `--cors` reads them (lower-cased, `*` in a host
 * standing for any part of it). Throws MOCKSTACK_ERR_OPTION_INVALID naming an origin that is no origin.
 */
export function corsSettingOf(given: CorsOption | undefined, source = 'cors'): CorsSetting | undefined {
  if (given === undefined || given === false) return given;
  const texts = typeof given === 'string' ? [given] : given;
  if (!Array.isArray(texts) || texts.length === 0)
    throw new MockstackError(
      ErrorCode.OptionInvalid,
      `${source}: expected '*', origins like 'http://localhost:5173', a list of them, or false; got ${describe(given)}`,
    );
  return texts.flatMap((origin: unknown) => {
    if (origin instanceof RegExp) return [origin];
    if (typeof origin !== 'string')
      throw new MockstackError(
        ErrorCode.OptionInvalid,
        `${source}: ${describe(origin)} is not an origin; give strings like 'http://localhost:5173' or RegExps`,
      );
    return parseCorsOrigins(origin, source);
  });
}

/**
 * A `delay` option checked, read as `--delay` reads it: milliseconds, `'300ms'`, `'2s'`, a range written
 * `'200ms-1s'` or `{ min, max }`, or `{ median, sigma }`. Throws MOCKSTACK_ERR_OPTION_INVALID saying what to write.
 */
export function delaySettingOf(given: DelaySpec | string | undefined): DelaySpec | undefined {
  if (given === undefined) return undefined;
  const range = typeof given === 'string' ? /^(.+?)\s*-\s*(.+)$/.exec(given.trim()) : null;
  const spec = (range ? { min: (range[1] as string).trim(), max: (range[2] as string).trim() } : given) as DelaySpec;
  const problem =
    typeof spec === 'number' || typeof spec === 'string' || (typeof spec === 'object' && spec !== null)
      ? checkDelay(spec)
      : `delay ${describe(spec)} is not a duration; write 250, '250ms' or '2s'`;
  if (problem) throw new MockstackError(ErrorCode.OptionInvalid, problem.includes('not a duration') ? `${problem}, or a range: '200ms-1s'` : problem);
  return spec;
}

function describe(value: unknown): string {
  return value instanceof RegExp ? String(value) : (JSON.stringify(value) ?? String(value));
}

/** The model with `--cors` applied to every REST and GraphQL service, and every gRPC service's `web` port, that sets no `cors` of its own. */
export function withCorsSetting(model: Model, setting: CorsSetting | undefined): Model {
  if (setting === undefined) return model;
  const cors: false | CorsOptions = setting === false ? false : { origins: setting };
  return withServices(model, (service) => {
    const config = configWithCors(service, cors);
    return config === undefined ? undefined : { ...service, config };
  });
}

/** The model with `--delay` applied to every service that sets no `delay` of its own (its variants' delays still win while on). */
export function withDelaySetting(model: Model, delay: DelaySpec | undefined): Model {
  if (delay === undefined) return model;
  return withServices(model, (service) => (service.delay === undefined ? { ...service, delay } : undefined));
}

/**
 * The scenario with `--dynamic` applied to every REST service with an OpenAPI document that sets no
 * `dynamic` of its own. Before compiling: the document's answers are made when its service is expanded.
 */
export function withDynamicSetting(definition: ScenarioDefinition, dynamic: boolean | undefined): ScenarioDefinition {
  if (!dynamic) return definition;
  let services: Record<string, ServiceDefinition> | undefined;
  for (const [name, service] of Object.entries(definition.services)) {
    const config = service.config ?? {};
    if (service.protocol !== 'rest' || config.openapi === undefined || config.dynamic !== undefined) continue;
    services ??= { ...definition.services };
    services[name] = { ...service, config: { ...config, dynamic: true } };
  }
  return services ? { ...definition, services } : definition;
}

/** The model with the services `change` gives anew (undefined: unchanged). */
function withServices(model: Model, change: (service: Service) => Service | undefined): Model {
  let services: Map<string, Service> | undefined;
  for (const service of model.services.values()) {
    const changed = change(service);
    if (changed === undefined) continue;
    services ??= new Map(model.services);
    services.set(service.name, changed);
  }
  return services ? { ...model, services } : model;
}

function configWithCors(service: Service, cors: false | CorsOptions): Service['config'] | undefined {
  const config = service.config;
  if (service.protocol === 'rest' || service.protocol === 'graphql') return config.cors === undefined ? { ...config, cors } : undefined;
  if (service.protocol !== 'grpc') return undefined;
  const web = config.web;
  if (web === true) return { ...config, web: { cors } };
  if (typeof web === 'object' && web !== null && (web as { cors?: unknown }).cors === undefined) return { ...config, web: { ...web, cors } };
  return undefined;
}

// What `up`'s flags set for every service that does not set it itself: a service's own setting wins, as its own `host` wins over `--host`.
import type { CorsOptions, DelaySpec, Model, ScenarioDefinition, Service, ServiceDefinition } from '@mockstack/core';

/** The environment variable `mockstack up` reads `--cors` from when it is not given. */
export const CORS_ENV = 'MOCKSTACK_CORS';

/** `--cors`: the origins allowed (`'*'`: any), or false for no CORS headers at all. */
export type CorsSetting = false | readonly (string | RegExp)[];

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

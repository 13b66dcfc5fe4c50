import { captureSource, type DelaySpec, type Fault, type RuleDefinition, SCENARIO, type ScenarioDefinition, type ServiceDefinition } from '@mockstack/core';

/** A service as a scenario holds it; `State` ties its handlers to the scenario's state type. */
export interface ServiceOf<State> extends ServiceDefinition {
  /** Phantom: never set, only carries the state type. */
  readonly __state?: ((state: State) => void) | undefined;
}

/** A rule as a scenario holds it, typed by the scenario's state. */
export interface RuleOf<State> extends RuleDefinition {
  readonly __state?: ((state: State) => void) | undefined;
}

/** A value to answer with as is: a body (JSON value or text), or a Reply, Fault or Sequence. */
export type StaticResponse = object | string | number | boolean | null;

/** What a variant does to one service: fail every call, add rules that win, or add a delay. */
export type Overlay<State> = Fault | readonly RuleOf<State>[] | { rules?: readonly RuleOf<State>[]; fault?: Fault; delay?: DelaySpec };

export interface ScenarioOptions<State> {
  /** Seed of every random choice (auto-mocks, delay ranges, chaos). Default 1. */
  seed?: number;
  /** Builds the shared state; called at start and on every reset. */
  state?: () => State;
}

/** A scenario: the default export of a scenario module. */
export interface Scenario<State> {
  readonly [SCENARIO]: ScenarioDefinition;
  /**
   * The services this scenario serves, by name.
   * @example .services({ orders: rest({ port: 8081 }, [rest.get('/orders', ({ state }) => state.orders)]) })
   */
  services(services: Record<string, ServiceOf<State>>): Scenario<State>;
  /**
   * Named overlays, switchable at start (`--variant`) and at runtime (admin API, CLI).
   * @example .variants({ 'orders-down': { orders: fault.unavailable() } })
   */
  variants(variants: Record<string, Record<string, Overlay<State>>>): Scenario<State>;
}

/**
 * Declares a scenario. Chain `.services({...})` and `.variants({...})`; handlers then see `state`
 * typed as what `state()` returns.
 *
 * @example
 * export default scenario('checkout', { seed: 42, state: () => ({ orders: [] as Order[] }) })
 *   .services({ orders: rest({ port: 8081 }, [rest.get('/orders', ({ state }) => state.orders)]) });
 */
export function scenario<State = Record<string, never>>(name: string, options: ScenarioOptions<State> = {}): Scenario<State> {
  return build<State>({ name, seed: options.seed, state: options.state, services: {}, source: captureSource() });
}

function build<State>(definition: ScenarioDefinition): Scenario<State> {
  return {
    [SCENARIO]: definition,
    services: (services) => build({ ...definition, services: { ...definition.services, ...services } }),
    variants: (variants) => build({ ...definition, variants: { ...definition.variants, ...variants } }),
  };
}

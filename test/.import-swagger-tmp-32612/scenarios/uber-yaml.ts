/**
 * Scenario "uber-yaml", written by `mockstack init` from 1 contract(s). Every handler lets the contract's
 * auto-mock answer (`fallThrough()`) until you edit it: return a value, `respond(…)` or a `fault.*` instead.
 *
 *   npx mockstack up test/.import-swagger-tmp-32612/scenarios/uber-yaml.ts
 *   npx mockstack check test/.import-swagger-tmp-32612/scenarios/uber-yaml.ts
 */
import { fallThrough, rest, scenario } from 'mockstack';

/** What every service shares: handlers read and change it; `reset` (admin API, tests) goes back to `seedState()`. */
export interface UberYamlState {
  /** Calls per operation, counted by `answer` below: replace with your own data (orders, users…). */
  calls: Record<string, number>;
}

/** The state at start and after every reset. */
export function seedState(): UberYamlState {
  return { calls: {} };
}

/** Counts the call, then lets the contract's auto-mock answer. Replace a handler's body to answer otherwise. */
const answer = (state: UberYamlState, operation: string) => {
  state.calls[operation] = (state.calls[operation] ?? 0) + 1;
  return fallThrough();
};

export default scenario<UberYamlState>('uber-yaml', { seed: 1, state: seedState })
  .services({
    uber: rest<UberYamlState>({ port: 4010, openapi: '/work/wt-mountebank/test/corpus-import/swagger/uber.yaml' }, [
      rest.get('/v1/products', ({ state }) => answer(state, 'GET /v1/products')),
      rest.get('/v1/estimates/price', ({ state }) => answer(state, 'GET /v1/estimates/price')),
      rest.get('/v1/estimates/time', ({ state }) => answer(state, 'GET /v1/estimates/time')),
      rest.get('/v1/me', ({ state }) => answer(state, 'GET /v1/me')),
      rest.get('/v1/history', ({ state }) => answer(state, 'GET /v1/history')),
    ]),
  })
  .variants({
    // A variant changes services while it is active (`mockstack up … --variant uber-down`, the admin API, tests).
    // Add `fault` to the import above, then:
    // 'uber-down': { uber: fault.unavailable('uber is down', { retryAfter: 30 }) },
  });

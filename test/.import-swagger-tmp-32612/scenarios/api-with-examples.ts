/**
 * Scenario "api-with-examples", written by `mockstack init` from 1 contract(s). Every handler lets the contract's
 * auto-mock answer (`fallThrough()`) until you edit it: return a value, `respond(…)` or a `fault.*` instead.
 *
 *   npx mockstack up test/.import-swagger-tmp-32612/scenarios/api-with-examples.ts
 *   npx mockstack check test/.import-swagger-tmp-32612/scenarios/api-with-examples.ts
 */
import { fallThrough, rest, scenario } from 'mockstack';

/** What every service shares: handlers read and change it; `reset` (admin API, tests) goes back to `seedState()`. */
export interface ApiWithExamplesState {
  /** Calls per operation, counted by `answer` below: replace with your own data (orders, users…). */
  calls: Record<string, number>;
}

/** The state at start and after every reset. */
export function seedState(): ApiWithExamplesState {
  return { calls: {} };
}

/** Counts the call, then lets the contract's auto-mock answer. Replace a handler's body to answer otherwise. */
const answer = (state: ApiWithExamplesState, operation: string) => {
  state.calls[operation] = (state.calls[operation] ?? 0) + 1;
  return fallThrough();
};

export default scenario<ApiWithExamplesState>('api-with-examples', { seed: 1, state: seedState })
  .services({
    apiWithExamples: rest<ApiWithExamplesState>({ port: 4010, openapi: '/work/wt-mountebank/node_modules/@readme/oas-examples/2.0/json/api-with-examples.json' }, [
      rest.operation('listVersionsv2', ({ state }) => answer(state, 'listVersionsv2')),
      rest.operation('getVersionDetailsv2', ({ state }) => answer(state, 'getVersionDetailsv2')),
    ]),
  })
  .variants({
    // A variant changes services while it is active (`mockstack up … --variant apiWithExamples-down`, the admin API, tests).
    // Add `fault` to the import above, then:
    // 'apiWithExamples-down': { apiWithExamples: fault.unavailable('apiWithExamples is down', { retryAfter: 30 }) },
  });

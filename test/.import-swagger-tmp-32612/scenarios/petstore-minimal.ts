/**
 * Scenario "petstore-minimal", written by `mockstack init` from 1 contract(s). Every handler lets the contract's
 * auto-mock answer (`fallThrough()`) until you edit it: return a value, `respond(…)` or a `fault.*` instead.
 *
 *   npx mockstack up test/.import-swagger-tmp-32612/scenarios/petstore-minimal.ts
 *   npx mockstack check test/.import-swagger-tmp-32612/scenarios/petstore-minimal.ts
 */
import { fallThrough, rest, scenario } from 'mockstack';

/** What every service shares: handlers read and change it; `reset` (admin API, tests) goes back to `seedState()`. */
export interface PetstoreMinimalState {
  /** Calls per operation, counted by `answer` below: replace with your own data (orders, users…). */
  calls: Record<string, number>;
}

/** The state at start and after every reset. */
export function seedState(): PetstoreMinimalState {
  return { calls: {} };
}

/** Counts the call, then lets the contract's auto-mock answer. Replace a handler's body to answer otherwise. */
const answer = (state: PetstoreMinimalState, operation: string) => {
  state.calls[operation] = (state.calls[operation] ?? 0) + 1;
  return fallThrough();
};

export default scenario<PetstoreMinimalState>('petstore-minimal', { seed: 1, state: seedState })
  .services({
    petstoreMinimal: rest<PetstoreMinimalState>({ port: 4010, openapi: '/work/wt-mountebank/node_modules/@readme/oas-examples/2.0/yaml/petstore-minimal.yaml' }, [
      rest.get('/api/pets', ({ state }) => answer(state, 'GET /api/pets')),
    ]),
  })
  .variants({
    // A variant changes services while it is active (`mockstack up … --variant petstoreMinimal-down`, the admin API, tests).
    // Add `fault` to the import above, then:
    // 'petstoreMinimal-down': { petstoreMinimal: fault.unavailable('petstoreMinimal is down', { retryAfter: 30 }) },
  });

/**
 * Scenario "petstore-expanded", written by `mockstack init` from 1 contract(s). Every handler lets the contract's
 * auto-mock answer (`fallThrough()`) until you edit it: return a value, `respond(…)` or a `fault.*` instead.
 *
 *   npx mockstack up test/.import-swagger-tmp-32612/scenarios/petstore-expanded.ts
 *   npx mockstack check test/.import-swagger-tmp-32612/scenarios/petstore-expanded.ts
 */
import { fallThrough, rest, scenario } from 'mockstack';

/** What every service shares: handlers read and change it; `reset` (admin API, tests) goes back to `seedState()`. */
export interface PetstoreExpandedState {
  /** Calls per operation, counted by `answer` below: replace with your own data (orders, users…). */
  calls: Record<string, number>;
}

/** The state at start and after every reset. */
export function seedState(): PetstoreExpandedState {
  return { calls: {} };
}

/** Counts the call, then lets the contract's auto-mock answer. Replace a handler's body to answer otherwise. */
const answer = (state: PetstoreExpandedState, operation: string) => {
  state.calls[operation] = (state.calls[operation] ?? 0) + 1;
  return fallThrough();
};

export default scenario<PetstoreExpandedState>('petstore-expanded', { seed: 1, state: seedState })
  .services({
    petstoreExpanded: rest<PetstoreExpandedState>({ port: 4010, openapi: '/work/wt-mountebank/node_modules/@readme/oas-examples/2.0/json/petstore-expanded.json' }, [
      rest.operation('findPets', ({ state }) => answer(state, 'findPets')),
      rest.operation('addPet', ({ state }) => answer(state, 'addPet')),
      rest.operation('find pet by id', ({ state }) => answer(state, 'find pet by id')),
      rest.operation('deletePet', ({ state }) => answer(state, 'deletePet')),
    ]),
  })
  .variants({
    // A variant changes services while it is active (`mockstack up … --variant petstoreExpanded-down`, the admin API, tests).
    // Add `fault` to the import above, then:
    // 'petstoreExpanded-down': { petstoreExpanded: fault.unavailable('petstoreExpanded is down', { retryAfter: 30 }) },
  });

/**
 * Scenario "petstore", written by `mockstack init` from 1 contract(s). Every handler lets the contract's
 * auto-mock answer (`fallThrough()`) until you edit it: return a value, `respond(…)` or a `fault.*` instead.
 *
 *   npx mockstack up test/.import-swagger-tmp-32612/scenarios/petstore.ts
 *   npx mockstack check test/.import-swagger-tmp-32612/scenarios/petstore.ts
 */
import { fallThrough, rest, scenario } from 'mockstack';

/** What every service shares: handlers read and change it; `reset` (admin API, tests) goes back to `seedState()`. */
export interface PetstoreState {
  /** Calls per operation, counted by `answer` below: replace with your own data (orders, users…). */
  calls: Record<string, number>;
}

/** The state at start and after every reset. */
export function seedState(): PetstoreState {
  return { calls: {} };
}

/** Counts the call, then lets the contract's auto-mock answer. Replace a handler's body to answer otherwise. */
const answer = (state: PetstoreState, operation: string) => {
  state.calls[operation] = (state.calls[operation] ?? 0) + 1;
  return fallThrough();
};

export default scenario<PetstoreState>('petstore', { seed: 1, state: seedState })
  .services({
    petstore: rest<PetstoreState>({ port: 4010, openapi: '/work/wt-mountebank/node_modules/@readme/oas-examples/2.0/json/petstore.json' }, [
      rest.operation('updatePet', ({ state }) => answer(state, 'updatePet')),
      rest.operation('addPet', ({ state }) => answer(state, 'addPet')),
      rest.operation('findPetsByStatus', ({ state }) => answer(state, 'findPetsByStatus')),
      rest.operation('findPetsByTags', ({ state }) => answer(state, 'findPetsByTags')),
      rest.operation('getPetById', ({ state }) => answer(state, 'getPetById')),
      rest.operation('updatePetWithForm', ({ state }) => answer(state, 'updatePetWithForm')),
      rest.operation('deletePet', ({ state }) => answer(state, 'deletePet')),
      rest.operation('uploadFile', ({ state }) => answer(state, 'uploadFile')),
      rest.operation('getInventory', ({ state }) => answer(state, 'getInventory')),
      rest.operation('placeOrder', ({ state }) => answer(state, 'placeOrder')),
      rest.operation('getOrderById', ({ state }) => answer(state, 'getOrderById')),
      rest.operation('deleteOrder', ({ state }) => answer(state, 'deleteOrder')),
      rest.operation('createUser', ({ state }) => answer(state, 'createUser')),
      rest.operation('createUsersWithArrayInput', ({ state }) => answer(state, 'createUsersWithArrayInput')),
      rest.operation('createUsersWithListInput', ({ state }) => answer(state, 'createUsersWithListInput')),
      rest.operation('loginUser', ({ state }) => answer(state, 'loginUser')),
      rest.operation('logoutUser', ({ state }) => answer(state, 'logoutUser')),
      rest.operation('getUserByName', ({ state }) => answer(state, 'getUserByName')),
      rest.operation('updateUser', ({ state }) => answer(state, 'updateUser')),
      rest.operation('deleteUser', ({ state }) => answer(state, 'deleteUser')),
    ]),
  })
  .variants({
    // A variant changes services while it is active (`mockstack up … --variant petstore-down`, the admin API, tests).
    // Add `fault` to the import above, then:
    // 'petstore-down': { petstore: fault.unavailable('petstore is down', { retryAfter: 30 }) },
  });

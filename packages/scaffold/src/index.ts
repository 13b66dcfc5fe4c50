/** `mockstack init`: a typed scenario module written from contracts (protos/, schemas/ or named files). */

export { type ContractPlan, type ReadContractsOptions, readContracts, type Stub } from './contracts.js';
export { type InitOptions, type InitResult, init } from './init.js';

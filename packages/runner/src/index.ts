export { adapters } from './adapters.js';
export { type LoadedScenario, loadScenario } from './load-scenario.js';
export { loadModel, type RunningStack, type RunOptions, runScenario, type ScenarioSource } from './run-scenario.js';
export { type ContractOptions, lenientDefinition, loadSources, sourceKinds } from './sources.js';

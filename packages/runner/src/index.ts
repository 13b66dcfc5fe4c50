export { ADMIN_TOKEN_ENV, ADMIN_TOKEN_HEADER, adminTokenHeaders } from '@mockstack/admin';
export { adapters, adaptersWith } from './adapters.js';
export { contractFiles } from './contract-files.js';
export { type LoadedScenario, loadScenario } from './load-scenario.js';
export { loadModel, type ReloadResult, type RunningStack, type RunOptions, runScenario, type ScenarioSource } from './run-scenario.js';
export { type ContractOptions, lenientDefinition, loadSources } from './sources.js';
export { CORS_ENV, type CorsOption, type CorsSetting, corsSettingOf, delaySettingOf } from './stack-defaults.js';
export { STORE_ENV, storeOf } from './store.js';
export { TLS_DIR, TlsCache } from './tls.js';

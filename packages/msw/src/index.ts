export { type HandlersOptions, handlersFor, ScenarioHandlers } from './handlers.js';

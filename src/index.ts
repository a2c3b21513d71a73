export { startBroker, type Broker, type BrokerOptions } from './broker.js';
export type { Clock, Timer } from './core/clock.js';
export { ManualClock } from './util/manual-clock.js';
export { resolveConfig, loadConfig, ConfigError, type Config, type ConfigInput } from './config/load.js';
export { ERROR_CODES, type ErrorCode } from './errors/index.js';

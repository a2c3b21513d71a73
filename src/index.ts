export { startBroker, type Broker, type BrokerOptions } from './broker.js';
export { resolveConfig, loadConfig, ConfigError, type Config, type ConfigInput } from './config/load.js';
export { ERROR_CODES, type ErrorCode } from './errors/index.js';

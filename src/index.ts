export { startBroker, type Broker, type BrokerOptions } from './broker.js';
export { resolveConfig, loadConfig, ConfigError, type Config, type ConfigInput } from './config/load.js';
export { ERROR_CODES, type ErrorCode } from './errors/index.js';
export { ReadModel, DEFAULT_CLOSE_REASON, type DeleteQueueOptions } from './core/read-model.js';
export type {
  ChannelRef,
  ChannelSnapshot,
  ConnectionRef,
  ConnectionSnapshot,
  ConnectionState,
  ConsumerActivity,
  ConsumerSnapshot,
  ExchangeSnapshot,
  PlainTable,
  PlainValue,
  QueueSnapshot,
  ResourceRef,
  SnapshotStats,
} from './core/snapshots.js';

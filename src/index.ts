export { startBroker, type Broker, type BrokerOptions } from './broker.js';
export type { BrokerPublish, BrokerPublishOptions } from './broker-publish.js';
export { PublishRequestError, type PlainPublishRequest, type PlainProperties, type PlainPublishResult } from './core/plain-publish.js';
export type { Clock, Timer } from './core/clock.js';
export { ManualClock } from './util/manual-clock.js';
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
} from './core/snapshots.js';
export type {
  StatsReader,
  MessageStats,
  RateDetails,
  QueueStats,
  ExchangeStats,
  ChannelStats,
  ConnectionStats,
  TotalStats,
} from './core/stats/snapshot.js';
export { DIAGNOSTICS_CHANNELS } from './amqp/diagnostics.js';
export type { AckEvent, ChannelErrorEvent, ConnectionEvent, DeliverEvent, PublishEvent } from './amqp/diagnostics.js';
export type { PermissionsApi, TopicPermissionsApi } from './broker-access.js';
export type { VhostPermission, TopicPermission } from './core/security/permissions.js';
export { PatternError } from './core/security/pcre-pattern.js';
export { DefinitionsError, type BrokerDefinitions, type ImportOptions, type ImportSummary, type PoliciesPort } from './broker-definitions.js';
export type { PoliciesApi } from './broker-policies.js';
export { PolicyError, type PolicyInput, type PolicySnapshot } from './core/policy/policy-definition.js';

import type { NatsConnection } from '@nats-io/transport-node';
import type { PropertyLimits } from '../../protocol/content-header-validator.js';
import type { VirtualHost } from '../../core/vhost.js';
import type { Logger } from '../../util/logger.js';

/** What a running bridge gets from the broker: its vhost (while it exists), limits and a logger. */
export interface BridgeHost {
  /** The vhost by name, or undefined once it is deleted (the bridge then stops). */
  vhost(): VirtualHost | undefined;
  readonly maxMessageSize: number;
  readonly propertyLimits: PropertyLimits;
  readonly logger: Logger;
}

export type BridgeState = 'starting' | 'running' | 'terminated';

/** One row of GET /api/nats-bridges (RabbitMQ's /api/shovels shape, plus counters). */
export interface BridgeStatus {
  readonly state: BridgeState;
  /** Why it is terminated (it retries after reconnect-delay), or what it waits for while starting. */
  readonly reason: string | undefined;
  /** Messages published onto NATS (to-nats) or into the exchange (from-nats). */
  readonly forwarded: number;
  /** Messages the bridge could not carry and did not keep (README: NATS bridge, delivery guarantees). */
  readonly dropped: number;
  lastError: string | undefined;
}

/** The side that moves messages; the connection (bridge.ts) drives it. */
export interface BridgeSide {
  /** Sets up the AMQP side and the subscription; throws (with a reason) to be retried after reconnect-delay. */
  start(): Promise<void>;
  /** The NATS connection, once it is up (to-nats starts before it). */
  attach(nc: NatsConnection): void;
  /** NATS came back (or went away): resume or hold deliveries. */
  connected(up: boolean): void;
  /** Stops moving; in-flight AMQP deliveries go back to their queue. */
  stop(): Promise<void>;
  readonly forwarded: number;
  readonly dropped: number;
  lastError: string | undefined;
}

import type { AmqpError, MethodRef } from '../errors/index.js';
import type { Config } from '../config/schema.js';
import type { Timer } from '../core/clock.js';
import type { Principal } from '../core/principal.js';
import type { ReplicationWaits } from '../core/replication.js';
import type { PrincipalAccess } from '../core/security/access.js';
import type { BrokerStats } from '../core/stats/broker-stats.js';
import type { Method } from '../protocol/methods.generated.js';
import type { PublishFaults } from './broker-context.js';
import type { Channel } from './channel.js';
import type { ConfirmBatch } from './confirm-batch.js';
import type { Connection } from './connection.js';
import type { InputHoldReason } from './input-hold.js';
import type { Outbound } from './outbound.js';

/** The configured limits a channel enforces. */
export type ChannelLimits = Pick<Config, 'maxMessageSize' | 'maxHeaderTableEntries' | 'maxHeaderTableDepth' | 'maxPropertiesSize' | 'consumerTimeout'>;

/**
 * What a channel (and its publisher, consumers, settles and durable replies) needs from its
 * connection, and nothing more: the outbound buffer, the negotiated frame size, the coarse clock,
 * the limits, who is acting, and where errors and input holds go. One object per connection,
 * made when its first channel opens (after connection.open, so frameMax and the principal are
 * settled); the hot path reads its fields directly.
 */
export interface ChannelPort {
  /** The broker-local connection number (stats and diagnostics key on it). */
  readonly connectionId: number;
  readonly principal: Principal;
  /** The principal's permission decisions (cached; a permission change applies to the next check). */
  readonly access: PrincipalAccess;
  readonly outbound: Outbound;
  readonly frameMax: number;
  readonly confirms: ConfirmBatch;
  readonly limits: ChannelLimits;
  readonly stats: BrokerStats;
  readonly faults: PublishFaults;
  /** Set in a cluster: topology replies wait for the replicated write (durable-replies.ts). */
  readonly replication: ReplicationWaits | undefined;
  /** The broker's clock in ms (BrokerOptions.clock): when a delivery was made, for the consumer timeout. */
  now(): number;
  /** A timer on the broker's clock; a callback that throws ends this connection with 541 (an internal error). */
  timer(fire: () => void): Timer;
  /** The client asked for it in its capabilities table. */
  capability(name: string): boolean;
  /** The channel is still the open one under its number (not closed meanwhile). */
  isOpen(channel: Channel): boolean;
  sendMethod(channel: number, m: Method): void;
  holdInput(reason: InputHoldReason): void;
  releaseInput(reason: InputHoldReason): void;
  /** An error while serving a frame or its deferred answer: the channel or the connection closes. */
  handleError(err: unknown, channel: number, method: Method | MethodRef | undefined): void;
  channelError(channel: number, error: AmqpError): void;
  connectionError(error: AmqpError): void;
  channelClosedByClient(channel: Channel): void;
}

/** The port of an open connection. */
export function channelPort(conn: Connection): ChannelPort {
  const ctx = conn.ctx;
  if (conn.principal === undefined) throw new Error('channel port before connection.open');
  return {
    connectionId: conn.id,
    principal: conn.principal,
    access: ctx.access.forPrincipal(conn.principal, conn.clientName),
    outbound: conn.outbound,
    frameMax: conn.frameMax,
    confirms: conn.confirms,
    limits: ctx.config,
    stats: ctx.stats,
    faults: ctx.faults,
    replication: ctx.replication,
    now: () => ctx.clock.now(),
    timer: (fire) =>
      ctx.clock.timer(() => {
        try {
          fire();
        } catch (err) {
          conn.crashed(err, 'timer');
        }
      }),
    capability: (name) => conn.capability(name),
    isOpen: (channel) => conn.channels.get(channel.id) === channel,
    sendMethod: (channel, m) => conn.sendMethod(channel, m),
    holdInput: (reason) => conn.holdInput(reason),
    releaseInput: (reason) => conn.releaseInput(reason),
    handleError: (err, channel, method) => conn.handleError(err, channel, method),
    channelError: (channel, error) => conn.channelError(channel, error),
    connectionError: (error) => conn.connectionError(error),
    channelClosedByClient: (channel) => conn.channelClosedByClient(channel),
  };
}


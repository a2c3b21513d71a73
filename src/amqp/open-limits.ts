import { amqpError, type AmqpError } from '../errors/index.js';
import type { BrokerContext } from './broker-context.js';

/**
 * The per-vhost and per-user limits, checked where RabbitMQ checks them (rabbit_reader): the vhost's
 * max-connections, then the user's, at connection.open; the user's max-channels at channel.open,
 * counted over all the user's connections. A limit of 0 refuses everything. Texts are RabbitMQ's.
 */
export function openRefusal(ctx: BrokerContext, vhost: string, user: string): AmqpError | undefined {
  const vhostMax = ctx.vhostLimits(vhost)?.maxConnections;
  if (vhostMax !== undefined && ctx.counts.connectionsOn(vhost) >= vhostMax) {
    return amqpError('WARREN_VHOST_CONNECTION_LIMIT', `access to vhost '${vhost}' refused for user '${user}': connection limit (${vhostMax}) is reached`);
  }
  const userMax = ctx.users.record(user)?.limits.maxConnections;
  if (userMax !== undefined && ctx.counts.connectionsOf(user) >= userMax) {
    return amqpError('WARREN_VHOST_CONNECTION_LIMIT', `connection refused for user '${user}': user connection limit (${userMax}) is reached`);
  }
  return undefined;
}

/** The limits, then (rabbit_access_control:check_vhost_access) the user's permission entry in the vhost. */
export function openLimitRefusal(ctx: BrokerContext, vhost: string, user: string, permitted: boolean): { why: string; error: AmqpError } | undefined {
  const limited = openRefusal(ctx, vhost, user);
  if (limited !== undefined) return { why: 'limit', error: limited };
  if (!permitted) return { why: 'no permissions', error: amqpError('WARREN_VHOST_NOT_ALLOWED', `access to vhost '${vhost}' refused for user '${user}'`) };
  return undefined;
}

/** Throws 530 NOT_ALLOWED when the user already has max-channels channels open. */
export function checkChannelLimit(ctx: BrokerContext, user: string | undefined): void {
  if (user === undefined) return;
  const max = ctx.users.record(user)?.limits.maxChannels;
  if (max !== undefined && ctx.counts.channelsOf(user) >= max) {
    throw amqpError('WARREN_USER_CHANNEL_LIMIT', `number of channels opened for user '${user}' has reached the maximum allowed user limit of ${max}`);
  }
}

import { amqpError, type AmqpError, type MethodRef } from '../errors/index.js';
import type { VirtualHost } from '../core/vhost.js';
import type { Method } from '../protocol/methods.generated.js';
import { Channel } from './channel.js';
import { DurableReplies } from './durable-replies.js';
import type { Connection } from './connection.js';
import { channelPort, type ChannelPort } from './channel-port.js';
import { closeMethod } from './wire-errors.js';
import { checkChannelLimit } from './open-limits.js';
import { errorFields } from './connection-log.js';
import { diagnostics, emitChannelError } from './diagnostics.js';

const PUBLISH_REF: MethodRef = { classId: 60, methodId: 40 };

/**
 * A connection's channels: the open ones, and those we closed and await channel.close-ok for, whose
 * frames are dropped meanwhile (spec 2.2.2.2: after sending close, discard all but close/close-ok).
 */
export class ChannelTable {
  readonly open = new Map<number, Channel>();
  private readonly closing = new Set<number>();
  private readonly connection: Connection;
  /** Created with the first channel (the vhost is known by then); shared by all channels. */
  private durableReplies: DurableReplies | undefined;
  private port: ChannelPort | undefined;

  constructor(connection: Connection) {
    this.connection = connection;
  }

  /** A method frame on channel > 0 of an open connection. */
  onMethod(channel: number, method: Method): void {
    const conn = this.connection;
    // size first: nearly always empty, and a Set lookup per frame shows in the per-message cost.
    if (this.closing.size > 0 && this.closing.has(channel)) {
      if (method.name === 'channel.close-ok') this.closing.delete(channel);
      else if (method.name === 'channel.close') conn.sendMethod(channel, { name: 'channel.close-ok' });
      return;
    }
    if (method.name === 'channel.open') {
      if (channel > conn.channelMax) {
        throw amqpError('WARREN_CHANNEL_ERROR', `channel number ${channel} is above the negotiated channel_max ${conn.channelMax}`);
      }
      if (this.open.has(channel)) throw amqpError('WARREN_CHANNEL_ERROR', `second 'channel.open' seen on channel ${channel}`);
      checkChannelLimit(conn.ctx, conn.user);
      const vhost = conn.vhost as VirtualHost;
      this.port ??= channelPort(conn);
      this.durableReplies ??= new DurableReplies(vhost, this.port);
      const ch = new Channel(this.port, channel, vhost, this.durableReplies);
      this.open.set(channel, ch);
      conn.sendMethod(channel, { name: 'channel.open-ok', channelId: Buffer.alloc(0) });
      return;
    }
    const ch = this.open.get(channel);
    if (ch === undefined) throw amqpError('WARREN_CHANNEL_ERROR', `expected 'channel.open' on channel ${channel}, got ${method.name}`);
    if (ch.publisher.expectingContent) {
      // As RabbitMQ's command assembler: the error names the basic.publish whose content is missing.
      throw amqpError('WARREN_UNEXPECTED_FRAME', `expected content for basic.publish on channel ${channel}, got ${method.name}`, PUBLISH_REF);
    }
    (this.durableReplies as DurableReplies).dispatch(ch, method);
  }

  /** The channel a content frame belongs to; undefined when it is closing (the frame is dropped). */
  contentChannel(channel: number, what: string): Channel | undefined {
    if (channel === 0) throw amqpError('WARREN_UNEXPECTED_FRAME', `${what} frame on channel 0`);
    if (this.closing.size > 0 && this.closing.has(channel)) return undefined;
    const ch = this.open.get(channel);
    // RabbitMQ: 505, "expected method frame, got non method frame instead" (a fresh channel expects a method).
    if (ch === undefined) throw amqpError('WARREN_UNEXPECTED_FRAME', `${what} frame on channel ${channel}, which is not open`);
    return ch;
  }

  /** Closes one channel with channel.close and drops its frames until close-ok. */
  error(channel: number, error: AmqpError): void {
    const ch = this.open.get(channel);
    if (ch === undefined) return;
    this.open.delete(channel);
    ch.cleanup();
    this.closing.add(channel);
    const conn = this.connection;
    conn.ctx.logger.info({ event: 'channel.error', ...conn.logFields(), channel, ...errorFields(error) }, `channel ${channel} closed: ${error.replyText}`);
    conn.sendMethod(channel, closeMethod('channel.close', error));
    if (diagnostics.channelError.hasSubscribers) emitChannelError(conn, channel, error);
  }

  /** The client closed a channel: clean up and confirm. */
  closedByClient(channel: Channel): void {
    this.open.delete(channel.id);
    channel.cleanup();
    this.connection.sendMethod(channel.id, { name: 'channel.close-ok' });
  }

  closeAll(): void {
    for (const ch of this.open.values()) ch.cleanup();
    this.open.clear();
  }
}

/** What a content-frame error refers to: the basic.publish still waiting for its content, if any. */
export function pendingPublish(ch: Channel | undefined): MethodRef | undefined {
  return ch?.publisher.expectingContent === true ? PUBLISH_REF : undefined;
}

import type { MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { AckPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { encodePropertiesBuffer } from '../../protocol/content-header.js';
import { validateProperties } from '../../protocol/content-header-validator.js';
import { Message } from '../../core/message.js';
import type { SyncTicket } from '../../core/persistence.js';
import { checkExpiration, checkPublishable } from '../../core/publish.js';
import type { BridgeHost, BridgeSide } from './bridge-host.js';
import type { FromNatsSpec } from './bridge-value.js';
import { propertiesOf, type HeaderPair } from './header-map.js';
import { routingKeyFor } from './subject-map.js';

type Outcome = 'done' | 'retry' | 'drop';

/**
 * NATS -> exchange, through the vhost's one publish path (VirtualHost.publish with a confirm ticket).
 * Core NATS is at-most-once: each message is published as it arrives, nothing is buffered here. With a
 * JetStream durable consumer it is at-least-once: a message is acked once every queue that took it has
 * it on disk (persistent, durable queues), nak'ed for redelivery after reconnect-delay when a queue
 * refused it or the exchange is missing; at most prefetch-count are unacked (max_ack_pending).
 */
export class FromNats implements BridgeSide {
  forwarded = 0;
  dropped = 0;
  lastError: string | undefined;
  private sub: Subscription | undefined;
  private messages: ConsumerMessages | undefined;
  private nc: NatsConnection | undefined;

  constructor(
    private readonly spec: FromNatsSpec,
    private readonly host: BridgeHost,
  ) {}

  attach(nc: NatsConnection): void {
    this.nc = nc;
  }

  async start(): Promise<void> {
    const { stream, consumer, subject, prefetch, queueGroup } = this.spec;
    const nc = this.nc;
    if (nc === undefined) throw new Error('not connected to NATS');
    if (stream === undefined || consumer === undefined) {
      this.sub = nc.subscribe(subject, {
        queue: queueGroup,
        callback: (err, msg) => {
          if (err === null) this.publish(msg.subject, msg.headers, msg.data, () => undefined);
        },
      });
      await nc.flush(); // the subscription is registered with the server
      return;
    }
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.consumers.info(stream, consumer);
    } catch {
      await jsm.consumers.add(stream, { durable_name: consumer, ack_policy: AckPolicy.Explicit, filter_subject: subject, max_ack_pending: prefetch });
    }
    const c = await jetstream(nc).consumers.get(stream, consumer);
    this.messages = await c.consume({ max_messages: prefetch, callback: (m) => this.onJs(m) });
  }

  connected(): void {}

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    this.sub = undefined;
    const m = this.messages;
    this.messages = undefined;
    if (m !== undefined) await m.close().catch(() => undefined);
  }

  private onJs(m: JsMsg): void {
    this.publish(m.subject, m.headers, m.data, (outcome) => {
      if (outcome === 'retry') m.nak(this.spec.reconnectDelay * 1000);
      else if (outcome === 'drop') m.term();
      else m.ack();
    });
  }

  /** `settled` runs once: at once, or when the disk writes of the message are done. */
  private publish(subject: string, hdrs: MsgHdrs | undefined, data: Uint8Array, settled: (o: Outcome) => void): void {
    const vhost = this.host.vhost();
    const exchange = vhost?.exchanges.get(this.spec.exchange);
    if (vhost === undefined || exchange === undefined) {
      return this.give(settled, 'retry', `no exchange '${this.spec.exchange}' in vhost '${this.spec.vhost}'`);
    }
    const routingKey = routingKeyFor(this.spec.routingKey, subject);
    if (routingKey === undefined) return this.give(settled, 'drop', `subject '${subject}' makes a routing key over 255 bytes`);
    if (data.length > this.host.maxMessageSize) return this.give(settled, 'drop', `message of ${data.length} bytes is larger than max size ${this.host.maxMessageSize}`);
    let message: Message;
    try {
      checkPublishable(exchange, vhost.name);
      const raw = encodePropertiesBuffer(propertiesOf(hdrs === undefined ? [] : pairs(hdrs), this.spec.deliveryMode));
      validateProperties(raw, this.host.propertyLimits);
      message = new Message(exchange.name, routingKey, raw, Buffer.from(data));
      checkExpiration(message);
    } catch (err) {
      return this.give(settled, 'drop', `message on '${subject}' not published: ${(err as Error).message}`);
    }
    let ok = true;
    const ticket: SyncTicket = {
      waiting: 1,
      synced: (written = true) => {
        if (!written) ok = false;
        if (--ticket.waiting > 0) return;
        if (ok) {
          this.forwarded++;
          settled('done');
        } else {
          this.give(settled, 'retry', 'a queue refused the message or its disk write failed');
        }
      },
    };
    const result = vhost.publish(exchange, message, [routingKey], false, ticket);
    const c = exchange.counters;
    c.publish_in++;
    c.publish_out += result.enqueued + result.refused;
    if (!result.routed) c.return_unroutable++;
    if (result.refused > 0) ok = false;
    ticket.synced();
  }

  private give(settled: (o: Outcome) => void, outcome: Outcome, why: string): void {
    this.lastError = why;
    if (outcome === 'drop' || this.spec.stream === undefined) this.dropped++;
    settled(outcome);
  }
}

function* pairs(h: MsgHdrs): Iterable<HeaderPair> {
  for (const [name, values] of h) for (const v of values) yield [name, v];
}

import { randomBytes } from 'node:crypto';
import { amqpError } from '../errors/index.js';
import type { Message } from '../core/message.js';
import type { QueueRef } from '../core/queue/queue-ref.js';
import type { VirtualHost } from '../core/vhost.js';
import type { Method, MethodOf } from '../protocol/methods.generated.js';
import { encodeBasicDeliverFrame, encodeBasicGetOkFrame } from '../protocol/methods.generated.js';
import { writeBodyFrames, writeHeaderFrame } from '../protocol/content-header.js';
import { ClassId } from '../protocol/constants.js';
import type { ChannelPort } from './channel-port.js';
import { Consumer } from './consumer.js';
import { Publisher } from './publisher.js';
import { handleTopologyMethod } from './topology-methods.js';
import type { DurableReplies } from './durable-replies.js';
import { UnackedMap, type DeliveryList } from './unacked-map.js';
import { ConsumerTimeout } from './consumer-timeout.js';
import { parseConsumerPriority } from '../core/queue/arguments.js';
import { settleMany, settleOne, type Settle } from './settle-many.js';
import { withHeader } from './message-headers.js';
import { assertReplyConsumerNoAck, REPLY_TO } from './direct-reply-to.js';

interface PendingSettle {
  readonly kind: Settle;
  readonly deliveries: DeliveryList;
}

/** One AMQP channel: method dispatch, consumers, deliveries and acknowledgements. */
export class Channel {
  readonly id: number;
  /** Its connection, as far as a channel may see it. */
  readonly port: ChannelPort;
  readonly vhost: VirtualHost;
  readonly publisher: Publisher;
  readonly consumers = new Map<string, Consumer>();
  readonly unacked = new UnackedMap();
  /** The queue.declare name that an empty queue name stands for (spec: "last declared queue"). */
  lastQueueName: string | undefined;
  private nextDeliveryTag = 1;
  /** basic.qos global=true: unacked deliveries allowed on the channel; 0 = unlimited. */
  channelPrefetch = 0;
  /** basic.qos global=false: the limit given to consumers created afterwards. */
  consumerPrefetch = 0;
  /** tx.select: acks held until commit. */
  private txSettles: PendingSettle[] | undefined;
  private open = true;
  /** The direct reply-to queue of this channel's amq.rabbitmq.reply-to consumer. */
  replyQueue: QueueRef | undefined;
  private readonly durableReplies: DurableReplies;
  private readonly ackTimeout: ConsumerTimeout;

  constructor(port: ChannelPort, id: number, vhost: VirtualHost, durableReplies: DurableReplies) {
    this.port = port;
    this.id = id;
    this.vhost = vhost;
    this.publisher = new Publisher(this);
    this.durableReplies = durableReplies; // the connection's: replies keep their order across channels
    this.ackTimeout = new ConsumerTimeout(port, this.unacked, (timeout) => this.consumerTimedOut(timeout));
  }

  get isTransactional(): boolean {
    return this.txSettles !== undefined;
  }

  /** The connection has already refused methods that arrive while a publish awaits its content. */
  onMethod(m: Method): void {
    // The hot method first: a publish writes no definitions, so it skips the durable-reply mark and the topology switch.
    if (m.name === 'basic.publish') return this.publisher.onPublish(m);
    this.durableReplies.begin();
    if (handleTopologyMethod(this, m)) {
      this.durableReplies.end();
      return;
    }
    switch (m.name) {
      case 'channel.close':
        this.port.channelClosedByClient(this);
        return;
      case 'channel.close-ok':
        return; // a late close-ok for a close we no longer track
      case 'channel.flow':
        // RabbitMQ never pauses deliveries on request; it answers active=false with 540.
        if (!m.active) throw amqpError('WARREN_NOT_IMPLEMENTED', 'active=false');
        this.send({ name: 'channel.flow-ok', active: true });
        return;
      case 'access.request':
        this.send({ name: 'access.request-ok', ticket: 1 });
        return;
      case 'basic.qos':
        this.onQos(m);
        return;
      case 'basic.consume':
        this.onConsume(m);
        return;
      case 'basic.cancel':
        this.onCancel(m.consumerTag, m.nowait); // may delete an auto-delete durable queue
        this.durableReplies.end();
        return;
      case 'basic.get':
        this.onGet(m);
        return;
      case 'basic.ack':
        this.settle(m.deliveryTag, m.multiple, 'ack');
        return;
      case 'basic.nack':
        this.settle(m.deliveryTag, m.multiple, m.requeue ? 'requeue' : 'reject');
        return;
      case 'basic.reject':
        this.settle(m.deliveryTag, false, m.requeue ? 'requeue' : 'reject');
        return;
      case 'basic.recover':
      case 'basic.recover-async':
        if (!m.requeue) throw amqpError('WARREN_NOT_IMPLEMENTED', 'requeue=false');
        this.requeueAll();
        if (m.name === 'basic.recover') this.send({ name: 'basic.recover-ok' });
        return;
      case 'confirm.select':
        if (this.isTransactional) throw amqpError('WARREN_TX_CONFIRM_CONFLICT', 'cannot switch from tx to confirm mode');
        this.publisher.confirmMode = true;
        if (!m.nowait) this.send({ name: 'confirm.select-ok' });
        return;
      case 'tx.select':
        if (this.publisher.confirmMode) throw amqpError('WARREN_TX_CONFIRM_CONFLICT', 'cannot switch from confirm to tx mode');
        this.txSettles ??= [];
        this.publisher.beginTransaction();
        this.send({ name: 'tx.select-ok' });
        return;
      case 'tx.commit':
        this.commit(); // tx.commit-ok once the last held publish is dispatched
        return;
      case 'tx.rollback':
        this.rollback();
        this.send({ name: 'tx.rollback-ok' });
        return;
      default:
        throw amqpError('WARREN_COMMAND_INVALID', `${m.name} is not a method a client may send`);
    }
  }

  /** source: the frame parser's (views with one source share a backing store). */
  onContentHeader(classId: number, bodySize: number, properties: Buffer, source: number): void {
    this.publisher.onContentHeader(classId, bodySize, properties, source);
  }

  onBody(body: Buffer, source: number): void {
    this.publisher.onBody(body, source);
  }

  send(m: Method): void {
    this.port.sendMethod(this.id, m);
  }

  /** The reply to a method that may have written definitions records: see DurableReplies. */
  reply(m: Method): void {
    this.durableReplies.reply(this, m);
  }

  /** An empty queue name means the last queue declared on this channel (spec 1.7.2.x). */
  resolveQueueName(name: string): string {
    if (name !== '') return name;
    if (this.lastQueueName === undefined) throw amqpError('WARREN_NOT_FOUND', 'no previously declared queue');
    return this.lastQueueName;
  }

  // ---- consuming ----------------------------------------------------------------------------

  private onQos(m: MethodOf<'basic.qos'>): void {
    if (m.prefetchSize !== 0) throw amqpError('WARREN_NOT_IMPLEMENTED', `prefetch_size!=0 (${m.prefetchSize})`);
    if (m.global) this.channelPrefetch = m.prefetchCount;
    else this.consumerPrefetch = m.prefetchCount;
    this.send({ name: 'basic.qos-ok' });
    this.resumeDeliveries();
  }

  private onConsume(m: MethodOf<'basic.consume'>): void {
    const name = this.resolveQueueName(m.queue);
    // rabbit_channel: a reused tag is refused first, before the read permission and the queue lookup.
    if (this.consumers.has(m.consumerTag)) throw amqpError('WARREN_CONSUMER_TAG_REUSED', `attempt to reuse consumer tag '${m.consumerTag}'`);
    let queue: QueueRef;
    if (name === REPLY_TO) {
      assertReplyConsumerNoAck(m.noAck);
      if (this.replyQueue !== undefined) throw amqpError('WARREN_PRECONDITION_FAILED', 'reply consumer already set');
      queue = this.vhost.createReplyQueue(this.port.principal);
      this.replyQueue = queue;
    } else {
      this.port.access.check('read', 'queue', name);
      queue = this.vhost.queueRef(name, this.port.principal);
    }
    const tag = m.consumerTag === '' ? `amq.ctag-${randomBytes(16).toString('base64url')}` : m.consumerTag;
    const priority = parseConsumerPriority(m.arguments);
    const consumer = new Consumer(this, queue, tag, m.noAck, m.exclusive, this.consumerPrefetch, m.arguments);
    // Refused (exclusive use) before anything is sent; consume-ok still goes into the outbound
    // buffer before the first delivery, which the queue hands out on a later microtask.
    queue.consume(consumer, priority);
    this.consumers.set(tag, consumer);
    if (!m.nowait) this.send({ name: 'basic.consume-ok', consumerTag: tag });
  }

  private onCancel(tag: string, nowait: boolean): void {
    const consumer = this.consumers.get(tag);
    if (consumer !== undefined) {
      this.consumers.delete(tag);
      consumer.queue.cancel(consumer);
      if (consumer.queue === this.replyQueue) this.dropReplyQueue();
    }
    if (!nowait) this.reply({ name: 'basic.cancel-ok', consumerTag: tag });
  }

  /** The queue was deleted under a consumer: basic.cancel to clients that understand it. */
  consumerCancelledByServer(consumer: Consumer): void {
    if (this.consumers.get(consumer.tag) !== consumer) return;
    this.consumers.delete(consumer.tag);
    if (this.open && this.port.capability('consumer_cancel_notify')) {
      this.send({ name: 'basic.cancel', consumerTag: consumer.tag, nowait: true });
    }
  }

  private onGet(m: MethodOf<'basic.get'>): void {
    const name = this.resolveQueueName(m.queue);
    this.port.access.check('read', 'queue', name);
    this.answerGet(m, this.vhost.queueRef(name, this.port.principal));
  }

  /** get-ok or get-empty; while the queue's next batch is read back from disk, it waits (input held, replies in order). */
  private answerGet(m: MethodOf<'basic.get'>, queue: QueueRef): void {
    const got = queue.get(m.noAck);
    if (got === undefined && queue.readingBack) {
      const port = this.port;
      port.holdInput('sync');
      queue.whenReadBack(() => {
        port.releaseInput('sync');
        if (!this.open) return;
        try {
          this.answerGet(m, queue);
        } catch (err) {
          port.handleError(err, this.id, m);
        }
      });
      return;
    }
    this.publisher.counters.got(m.noAck, got?.redelivered);
    if (got === undefined) {
      this.send({ name: 'basic.get-empty', clusterId: '' });
      return;
    }
    const tag = this.nextDeliveryTag++;
    if (!m.noAck) {
      this.unacked.add({ tag, queue, seq: got.seq, consumer: undefined, at: this.port.now() });
      this.ackTimeout.delivered(queue);
    }
    const w = this.port.outbound.writer;
    const msg = got.message;
    const start = w.pos;
    try {
      encodeBasicGetOkFrame(w, this.id, tag, got.redelivered, msg.exchange, msg.routingKey, queue.messageCount);
      this.writeContent(msg, got.deliveryCount);
    } catch (err) {
      w.rollback(start); // an encode failure leaves no partial frame
      throw err;
    }
  }

  canDeliver(): boolean {
    return this.open && this.port.outbound.writable && (this.channelPrefetch === 0 || this.unacked.size < this.channelPrefetch);
  }

  prefetchRoom(): number {
    return this.channelPrefetch === 0 ? Infinity : this.channelPrefetch - this.unacked.size;
  }

  deliver(consumer: Consumer, queue: QueueRef, seq: number, msg: Message, redelivered: boolean, deliveryCount: number): void {
    const tag = this.nextDeliveryTag++;
    if (!consumer.noAck) {
      this.unacked.add({ tag, queue, seq, consumer, at: this.port.now() });
      this.ackTimeout.delivered(queue);
      consumer.unacked++;
    }
    const w = this.port.outbound.writer;
    const start = w.pos;
    try {
      encodeBasicDeliverFrame(w, this.id, consumer.tag, tag, redelivered, msg.exchange, msg.routingKey);
      this.writeContent(msg, deliveryCount);
    } catch (err) {
      w.rollback(start); // an encode failure leaves no partial frame
      throw err;
    }
  }

  private writeContent(msg: Message, deliveryCount: number): void {
    const out = this.port.outbound;
    // With x-delivery-limit, redeliveries carry x-delivery-count (as quorum queues do).
    const properties = deliveryCount > 0 ? withHeader(msg, 'x-delivery-count', { type: 'int64', value: deliveryCount }) : msg.rawProperties;
    writeHeaderFrame(out.writer, this.id, ClassId.basic, msg.bodySize, properties);
    writeBodyFrames(out.writer, this.id, msg.body, this.port.frameMax);
    out.commit();
  }

  /** Credit came back (ack, qos change, socket drain): let this channel's queues deliver again. */
  resumeDeliveries(): void {
    for (const c of this.consumers.values()) c.queue.resume();
  }

  // ---- acknowledgements ---------------------------------------------------------------------

  private settle(tag: number, multiple: boolean, kind: Settle): void {
    if (!multiple && this.txSettles === undefined) {
      // One ack per message is the common case: no array for it.
      const d = this.unacked.takeOne(tag);
      if (d === undefined) throw amqpError('WARREN_UNKNOWN_DELIVERY_TAG', `unknown delivery tag ${tag}`);
      if (kind === 'ack') this.publisher.counters.ack++;
      settleOne(kind, d);
      this.resumeDeliveries();
      return;
    }
    const deliveries = this.unacked.take(tag, multiple);
    if (deliveries === undefined) throw amqpError('WARREN_UNKNOWN_DELIVERY_TAG', `unknown delivery tag ${tag}`);
    if (kind === 'ack') this.publisher.counters.ack += deliveries.length;
    if (this.txSettles !== undefined) {
      this.txSettles.push({ kind, deliveries });
      return;
    }
    settleMany(this, kind, deliveries); // sliced when large, later frames waiting
  }

  /** consumerQueues: the queues of consumers this channel had (cleanup has already removed them). */
  private requeueAll(consumerQueues?: QueueRef[]): void {
    settleMany(this, 'requeue', this.unacked.takeAll(), consumerQueues);
  }

  private commit(): void {
    if (this.txSettles === undefined) throw amqpError('WARREN_TX_NOT_SELECTED', 'channel is not transactional');
    const settles = this.txSettles;
    this.txSettles = [];
    this.publisher.commitTransaction((committed) => {
      // Not committed: the channel closed during a sliced commit, so its acks are rolled back
      // and those deliveries requeued, as the channel's other unacked ones were.
      // One after another (a large one in slices), then commit-ok.
      const next = (i: number): void => {
        const s = settles[i];
        if (s !== undefined) settleMany(this, committed ? s.kind : 'requeue', s.deliveries, undefined, () => next(i + 1));
        else if (committed && this.open) this.send({ name: 'tx.commit-ok' });
      };
      next(0);
    });
  }

  private rollback(): void {
    if (this.txSettles === undefined) throw amqpError('WARREN_TX_NOT_SELECTED', 'channel is not transactional');
    this.publisher.rollbackTransaction();
    // Rolled-back acks leave their deliveries unacknowledged again, as RabbitMQ does.
    for (const s of this.txSettles) this.unacked.restore(s.deliveries);
    this.txSettles = [];
    this.ackTimeout.restored();
  }

  private dropReplyQueue(): void {
    if (this.replyQueue === undefined) return;
    this.vhost.dropReplyQueue(this.replyQueue);
    this.replyQueue = undefined;
  }

  /** The consumer timeout fires now (the test kit's fault); false when no unacked delivery has one. */
  expireConsumerTimeout(): boolean {
    return this.open && this.ackTimeout.expireNow();
  }

  /** RabbitMQ's consumer timeout (consumer-timeout.ts): 406, and its unacked messages go back to their queues. */
  private consumerTimedOut(timeout: number): void {
    this.port.channelError(
      this.id,
      amqpError(
        'WARREN_CONSUMER_TIMEOUT',
        `delivery acknowledgement on channel ${this.id} timed out. Timeout value used: ${timeout} ms. This timeout value can be configured, see consumers doc guide to learn more`,
      ),
    );
  }

  /** Channel closing (either side) or connection gone: cancel consumers, requeue unacked. */
  cleanup(): void {
    if (!this.open) return;
    this.open = false;
    this.ackTimeout.cancel();
    this.publisher.discard();
    const consumers = [...this.consumers.values()];
    this.consumers.clear();
    for (const c of consumers) c.queue.cancel(c);
    this.dropReplyQueue();
    if (this.txSettles !== undefined) {
      for (const s of this.txSettles) this.unacked.restore(s.deliveries);
      this.txSettles = undefined;
    }
    this.requeueAll(consumers.map((c) => c.queue));
  }
}

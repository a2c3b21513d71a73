import { randomBytes } from 'node:crypto';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type Consumer, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Message } from '../../core/message.js';
import type { SyncTicket } from '../../core/persistence.js';
import type { Logger } from '../../util/logger.js';
import { encodeQuorumMessage } from './message-codec.js';
import { consumerName, queueSubject, streamName, streamSubjects } from './names.js';

/**
 * How long JetStream may take to answer a publish before it is nacked: a publish that reached a stream
 * leader just killed is never answered, so this bounds the confirm gap of a nats-server loss (10 s
 * measured 10.0 s; README, replicated queues). A publish in flight when this node's own NATS
 * connection drops is nacked at once.
 */
const PUBLISH_TIMEOUT_MS = 5000;
/** Bytes published and not yet acknowledged by JetStream: past this, more is nacked, not buffered. */
const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;
/** Deliveries JetStream hands out unacknowledged per queue (all nodes together); consumers' prefetch bounds it first. */
const MAX_ACK_PENDING = 100_000;

/** A publish waiting for its PubAck. */
interface InFlight {
  readonly ticket: SyncTicket | undefined;
  readonly size: number;
  readonly sentAt: number;
  done: boolean;
}

export interface QuorumStoreOptions {
  /** Wanted replicas per stream; fewer when the NATS cluster has fewer JetStream servers. */
  readonly replicas: number;
  readonly ackWaitMs: number;
}

/**
 * The JetStream side of quorum queues: one stream per vhost (WorkQueue retention: a message leaves the
 * stream when its queue's consumer acknowledges or terminates it), one durable pull consumer per
 * queue filtering the queue's own subject. Publishes are pipelined: each goes out at once and its
 * confirm ticket is synced by JetStream's PubAck, which the stream leader sends once a majority of
 * the replicas has the message; none waits for another.
 */
export class QuorumStore {
  private readonly js: JetStreamClient;
  private jsm: Promise<JetStreamManager> | undefined;
  private readonly streams = new Map<string, Promise<void>>();
  /** Streams known to exist: a publish to them goes out without waiting on a promise. */
  private readonly ready = new Set<string>();
  private readonly consumers = new Map<string, Promise<Consumer>>();
  private inFlight = 0;
  /** By reply id, in the order sent: the timeout sweep stops at the first that is not due. */
  private readonly waiting = new Map<number, InFlight>();
  private nextId = 0;
  /**
   * PubAcks come to one wildcard subscription, each publish replying to <inbox>.<id>: no request
   * object, promise or timer per message (js.publish had them: 69.5 us of CPU per message, bench/cluster-quorum.ts).
   */
  private readonly inbox = `_INBOX.warren.${randomBytes(8).toString('hex')}`;
  private readonly sweep: NodeJS.Timeout;
  /** The replicas the last created stream got (for the log and the README's claim). */
  replicas = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: QuorumStoreOptions,
    private readonly logger: Logger,
  ) {
    this.js = jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS });
    nc.subscribe(`${this.inbox}.*`, { callback: (err, msg) => void (err === null && this.answered(msg)) });
    this.sweep = setInterval(() => this.timeOut(), 500);
    this.sweep.unref();
    void this.watchConnection();
  }

  close(): void {
    clearInterval(this.sweep);
    for (const p of this.waiting.values()) this.settle(p, false);
  }

  private answered(msg: Msg): void {
    const id = Number(msg.subject.slice(this.inbox.length + 1));
    const p = this.waiting.get(id);
    if (p === undefined) return; // timed out or failed already
    this.waiting.delete(id);
    // A PubAck is {"stream":..,"seq":..}; an error is {"error":..}; no stream leader answers 503 with no data.
    const data = msg.data;
    const ok = msg.headers?.hasError !== true && data.length > 0 && !new TextDecoder().decode(data.subarray(0, 16)).startsWith('{"error"');
    if (!ok) this.logger.warn({ event: 'cluster.quorum-publish-failed', status: msg.headers?.code }, `a quorum queue message was not confirmed by JetStream: ${data.length > 0 ? new TextDecoder().decode(data) : (msg.headers?.description ?? 'no answer')}`);
    this.settle(p, ok);
  }

  private timeOut(): void {
    const due = Date.now() - PUBLISH_TIMEOUT_MS;
    for (const [id, p] of this.waiting) {
      if (p.sentAt > due) break;
      this.waiting.delete(id);
      this.settle(p, false);
    }
  }

  /** The connection to our nats-server dropped: what waits for a PubAck through it is nacked now, not after the timeout. */
  private async watchConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type !== 'disconnect') continue;
      for (const p of [...this.waiting.values()]) this.settle(p, false);
      this.waiting.clear();
    }
  }

  private settle(p: InFlight, ok: boolean): void {
    if (p.done) return;
    p.done = true;
    this.inFlight -= p.size;
    p.ticket?.synced(ok);
  }

  get ackWaitMs(): number {
    return this.options.ackWaitMs;
  }

  private manager(): Promise<JetStreamManager> {
    return (this.jsm ??= jetstreamManager(this.nc, { timeout: PUBLISH_TIMEOUT_MS }).catch((err: unknown) => {
      this.jsm = undefined;
      throw err;
    }));
  }

  /** The vhost's stream, created when missing (replicas as configured, fewer when refused for want of servers). */
  ensureStream(vhost: string): Promise<void> {
    const name = streamName(vhost);
    let p = this.streams.get(name);
    if (p === undefined) {
      p = this.createStream(vhost, name).then(
        () => void this.ready.add(name),
        (err: unknown) => {
          this.streams.delete(name);
          throw err;
        },
      );
      this.streams.set(name, p);
    }
    return p;
  }

  private async createStream(vhost: string, name: string): Promise<void> {
    const jsm = await this.manager();
    try {
      const info = await jsm.streams.info(name);
      this.replicas = info.config.num_replicas;
      return;
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
    }
    let last: unknown;
    for (let replicas = this.options.replicas; replicas >= 1; replicas--) {
      try {
        const info = await jsm.streams.add({
          name,
          subjects: [streamSubjects(vhost)],
          retention: RetentionPolicy.Workqueue,
          storage: StorageType.File,
          discard: DiscardPolicy.Old,
          num_replicas: replicas,
          description: `Warren quorum queues of vhost ${JSON.stringify(vhost)}`,
        });
        this.replicas = info.config.num_replicas;
        this.logger.info({ event: 'cluster.quorum-stream', vhost, stream: name, replicas: this.replicas }, `quorum queues of vhost '${vhost}' on JetStream stream ${name} (replicas ${this.replicas})`);
        return;
      } catch (err) {
        last = err;
        if (/already in use/i.test((err as Error).message)) return; // another node created it meanwhile
        if (!/replicas|insufficient resources|peer|non-clustered/i.test((err as Error).message)) break;
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
  }

  /** The queue's durable consumer, created when missing. Idempotent: every node asks for the same config. */
  consumer(vhost: string, queue: string): Promise<Consumer> {
    const key = `${vhost}\u0000${queue}`;
    let p = this.consumers.get(key);
    if (p === undefined) {
      p = this.createConsumer(vhost, queue).catch((err: unknown) => {
        this.consumers.delete(key);
        throw err;
      });
      this.consumers.set(key, p);
    }
    return p;
  }

  /** A fetch failed (the consumer gone, a leader lost): look it up again next time. */
  forgetConsumer(vhost: string, queue: string): void {
    this.consumers.delete(`${vhost}\u0000${queue}`);
  }

  private async createConsumer(vhost: string, queue: string): Promise<Consumer> {
    await this.ensureStream(vhost);
    const jsm = await this.manager();
    const stream = streamName(vhost);
    const name = consumerName(queue);
    try {
      await jsm.consumers.info(stream, name);
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
      await jsm.consumers.add(stream, {
        durable_name: name,
        filter_subject: queueSubject(vhost, queue),
        ack_policy: AckPolicy.Explicit,
        ack_wait: this.options.ackWaitMs * 1_000_000,
        deliver_policy: DeliverPolicy.All,
        max_deliver: -1, // Warren drives x-delivery-limit itself: JetStream's max_deliver would leave the message in the stream
        max_ack_pending: MAX_ACK_PENDING,
        description: `Warren quorum queue ${JSON.stringify(queue)}`,
      });
    }
    return this.js.consumers.get(stream, name);
  }

  /** The queue is deleted: its consumer and its messages go. */
  async dropQueue(vhost: string, queue: string): Promise<void> {
    this.forgetConsumer(vhost, queue);
    const jsm = await this.manager();
    const stream = streamName(vhost);
    await jsm.consumers.delete(stream, consumerName(queue)).catch(() => undefined);
    await jsm.streams.purge(stream, { filter: queueSubject(vhost, queue) }).catch(() => undefined);
  }

  /**
   * Publishes one message to a queue's subject. The ticket, when given, is held until JetStream's
   * PubAck (synced(false) on an error or no answer in time). Returns false when the message is refused
   * at once (too large for the NATS max_payload, too much in flight): nacked, and said so in the log.
   */
  publish(vhost: string, queue: string, message: Message, ticket: SyncTicket | undefined): boolean {
    const data = encodeQuorumMessage(message);
    const size = data.length;
    const max = this.nc.info?.max_payload ?? 1024 * 1024;
    if (ticket !== undefined) ticket.waiting++;
    if (size > max || this.inFlight + size > MAX_IN_FLIGHT_BYTES) {
      this.logger.warn({ event: 'cluster.quorum-publish-refused', vhost, queue, bytes: size }, `message for quorum queue '${queue}' not stored: ${size > max ? 'larger than the NATS max_payload' : 'too much in flight to JetStream'}`);
      if (ticket !== undefined) queueMicrotask(() => ticket.synced(false));
      return false;
    }
    this.inFlight += size;
    const subject = queueSubject(vhost, queue);
    const send = (): void => {
      const id = ++this.nextId;
      const p: InFlight = { ticket, size, sentAt: Date.now(), done: false };
      this.waiting.set(id, p);
      try {
        this.nc.publish(subject, data, { reply: `${this.inbox}.${id}` });
      } catch (err) {
        this.waiting.delete(id);
        this.settle(p, false); // the connection is closed
        this.logger.warn({ event: 'cluster.quorum-publish-failed', vhost, queue, err }, `message for quorum queue '${queue}' not sent: ${(err as Error).message}`);
      }
    };
    if (this.ready.has(streamName(vhost))) send();
    else {
      this.ensureStream(vhost).then(send, (err: unknown) => {
        this.inFlight -= size;
        ticket?.synced(false);
        this.logger.warn({ event: 'cluster.quorum-publish-failed', vhost, queue, err }, `message for quorum queue '${queue}' not stored: no stream (${(err as Error).message})`);
      });
    }
    return true;
  }
}

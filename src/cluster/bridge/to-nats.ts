import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { brokerPrincipal, type Principal } from '../../core/principal.js';
import type { Message } from '../../core/message.js';
import type { QueueConsumer, QueueRef } from '../../core/queue/queue-ref.js';
import type { BridgeHost, BridgeSide } from './bridge-host.js';
import type { ToNatsSpec } from './bridge-value.js';
import { natsHeadersOf } from './header-map.js';
import { subjectFor } from './subject-map.js';

/** A flush that has not come back by then is taken as failed: its messages are requeued (at-least-once). */
const FLUSH_TIMEOUT_MS = 10_000;

/**
 * Exchange -> NATS, as a shovel does it: a queue `nats-bridge.<name>` bound to the exchange, consumed
 * with at most prefetch-count deliveries outstanding, each acked only once NATS has it (a flush, or
 * JetStream's publish ack with dest-jetstream). While NATS is away nothing is delivered, so messages
 * wait in the queue; a publish that failed is requeued to its place and retried after reconnect-delay.
 */
export class ToNats implements BridgeSide, QueueConsumer {
  readonly tag: string;
  readonly exclusive = false;
  readonly noAck = false;
  readonly owner: Principal;
  forwarded = 0;
  dropped = 0;
  lastError: string | undefined;
  private ref: QueueRef | undefined;
  private up = false;
  private paused = false;
  private stopped = false;
  private readonly outstanding = new Set<number>();
  /** Published on core NATS, acked by the next flush. */
  private unflushed: number[] = [];
  private flushing = false;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: ToNatsSpec,
    private readonly host: BridgeHost,
    private readonly onQueueLost: (reason: string) => void,
  ) {
    this.tag = `nats-bridge.${spec.name}`;
    this.owner = brokerPrincipal(spec.vhost);
  }

  /** The queue is declared and consumed before NATS answers: from then on what the exchange routes waits in it. */
  attach(nc: NatsConnection): void {
    this.nc = nc;
    this.js = jetstream(nc);
  }

  async start(): Promise<void> {
    this.stopped = false;
    const vhost = this.host.vhost();
    if (vhost === undefined) throw new Error(`vhost '${this.spec.vhost}' is deleted`);
    const { queue, queueDurable, exchange, bindingKey } = this.spec;
    vhost.declareQueue({ name: queue, passive: false, durable: queueDurable, exclusive: false, autoDelete: false, arguments: {} }, this.owner);
    vhost.bindQueue(queue, exchange, bindingKey, {}, this.owner);
    const ref = vhost.queueRef(queue, this.owner);
    ref.consume(this, 0);
    this.ref = ref;
    await Promise.resolve();
  }

  connected(up: boolean): void {
    this.up = up;
    if (up) this.ref?.resume();
  }

  canDeliver(): boolean {
    return this.up && this.nc !== undefined && !this.paused && !this.stopped && this.outstanding.size < this.spec.prefetch;
  }

  deliver(queue: QueueRef, seq: number, message: Message): void {
    this.outstanding.add(seq);
    const subject = subjectFor(this.spec.subject, message.routingKey, this.spec.invalidSubject);
    if (subject === undefined) {
      // dest-subject-invalid "reject": dead-lettered (reason rejected) when the queue has a DLX, else dropped.
      this.dropped++;
      this.lastError = `routing key '${message.routingKey}' makes no NATS subject; rejected`;
      queueMicrotask(() => this.settle(queue, seq, 'reject'));
      return;
    }
    const h = headers();
    for (const [name, value] of natsHeadersOf(message.properties)) h.append(name, value);
    const body = message.body;
    const nc = this.nc as NatsConnection; // canDeliver: attached
    if (this.js !== undefined && this.spec.jetstream) {
      this.js.publish(subject, body, { headers: h }).then(
        () => this.settle(queue, seq, 'ack'),
        (err: unknown) => this.failed(queue, [seq], err),
      );
      return;
    }
    try {
      nc.publish(subject, body, { headers: h });
    } catch (err) {
      queueMicrotask(() => this.failed(queue, [seq], err));
      return;
    }
    this.unflushed.push(seq);
    if (!this.flushing) queueMicrotask(() => this.flush(queue));
  }

  cancelledByQueue(): void {
    this.ref = undefined;
    this.outstanding.clear();
    if (!this.stopped) this.onQueueLost(`queue '${this.spec.queue}' in vhost '${this.spec.vhost}' was deleted`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const ref = this.ref;
    this.ref = undefined;
    if (ref === undefined) return;
    ref.cancel(this);
    // What NATS has not confirmed goes back to its place in the queue, as a closed channel's unacked.
    const seqs = [...this.outstanding].sort((a, b) => a - b);
    this.outstanding.clear();
    if (seqs.length > 0) ref.requeueMany(seqs);
    await Promise.resolve();
  }

  private flush(queue: QueueRef): void {
    const seqs = this.unflushed;
    if (seqs.length === 0) return;
    this.unflushed = [];
    this.flushing = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no flush from NATS within ${FLUSH_TIMEOUT_MS} ms`)), FLUSH_TIMEOUT_MS);
    });
    Promise.race([(this.nc as NatsConnection).flush(), timeout])
      .then(
        () => {
          for (const seq of seqs) this.settle(queue, seq, 'ack');
        },
        (err: unknown) => this.failed(queue, seqs, err),
      )
      .finally(() => {
        clearTimeout(timer);
        this.flushing = false;
        if (this.unflushed.length > 0) this.flush(queue);
      });
  }

  private settle(queue: QueueRef, seq: number, how: 'ack' | 'reject' | 'requeue'): void {
    if (!this.outstanding.delete(seq) || this.ref !== queue) return; // stopped meanwhile: requeued already
    if (how === 'ack') {
      if (queue.ack(seq)) this.forwarded++;
    } else {
      queue.reject(seq, how === 'requeue');
    }
    queue.resume();
  }

  /** NATS did not take them: back to their place in the queue, and a pause of reconnect-delay before the next try. */
  private failed(queue: QueueRef, seqs: readonly number[], err: unknown): void {
    this.lastError = err instanceof Error ? err.message : String(err);
    this.host.logger.warn({ event: 'nats-bridge.publish-failed', vhost: this.spec.vhost, bridge: this.spec.name, err }, `nats-bridge '${this.spec.name}': publish failed, requeued ${seqs.length}`);
    this.paused = true;
    for (const seq of seqs) this.settle(queue, seq, 'requeue');
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.paused = false;
      this.ref?.resume();
    }, this.spec.reconnectDelay * 1000);
    this.retry.unref();
  }
}

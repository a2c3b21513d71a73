import type { Timer } from '../clock.js';
import type { Message } from '../message.js';
import type { MessageLog, SyncTicket } from '../persistence.js';
import type { QueueArgs } from './arguments.js';
import { ConsumerSet, type QueueConsumer } from './consumer-set.js';
import { sliceFull } from './drain-slice.js';
import type { DeathReason } from './dead-letter.js';
import { EntryState, newEntry, persistEntry, type QueueEntry } from './entry.js';
import { ExpiryTracker } from './expiry.js';
import { UnusedExpiry } from './unused-expiry.js';
import { QueuePaging } from './queue-paging.js';
import { ReadyStore } from './ready-store.js';
import { runGuarded } from '../fault.js';
import { RequeueBacklog, REQUEUE_SLICE } from './requeue-backlog.js';
import { LocalQueueRef } from './local-queue-ref.js';
import { QueueCounters, type QueueEvents, type QueueOptions } from './queue-types.js';
import { NO_POLICY, type AppliedPolicy } from '../policy/vhost-policies.js';
export type { QueueEntry } from './entry.js';
export type { QueueConsumer, QueueRef } from './queue-ref.js';
export type { QueueEvents, QueueOptions } from './queue-types.js';

/**
 * A queue: ready messages (by priority, then enqueue order), consumers served round-robin within
 * the highest consumer priority that has credit, TTL, length limits and dead-lettering.
 * Delivery is batched: enqueues schedule one drain per microtask turn.
 */
export class Queue {
  readonly name: string;
  readonly vhost: string;
  readonly options: QueueOptions;
  /** In force: the declared arguments combined with the policies (core/policy); replaced by reconfigure(). */
  args: QueueArgs;
  /** The policy and operator policy in force (set by the vhost's policies). */
  policy: AppliedPolicy = NO_POLICY;
  /** Epoch mark used by routing to dedup destinations without a Set per publish. */
  routeMark = 0;
  /** The durable queue's message log; persistent messages are written to it. */
  log: MessageLog | undefined;
  /** How the protocol layer reaches this queue: delivery ids instead of entries. */
  readonly ref: LocalQueueRef = new LocalQueueRef(this);
  private readonly ready: ReadyStore;
  private readonly consumerSet: ConsumerSet;
  private readonly expiry: ExpiryTracker;
  private readonly events: QueueEvents;
  private nextSeq = 0;
  private drainScheduled = false;
  /** A stub of another node's queue (options.ownerNode) counts as deleted here: routing skips it, it holds nothing. */
  private deleted: boolean;
  private readonly paging: QueuePaging;
  private readonly tailTimer: Timer;
  private readonly unusedExpiry: UnusedExpiry;
  private deliveryHolds = 0;
  private readonly backlog = new RequeueBacklog(
    (seq) => this.requeueOutstanding(seq),
    () => this.consumerSet.size > 0 && this.scheduleDrain(),
  );

  constructor(vhost: string, name: string, options: QueueOptions, events: QueueEvents, readonly counters = new QueueCounters()) {
    this.vhost = vhost;
    this.name = name;
    this.options = options;
    this.args = options.args;
    this.deleted = options.ownerNode !== undefined;
    this.events = events;
    this.ready = new ReadyStore(options.args.maxPriority, events.held);
    this.consumerSet = new ConsumerSet(options.args.singleActiveConsumer);
    const clock = events.clock;
    this.expiry = new ExpiryTracker(clock, (e) => runGuarded(this.events, this, 'expiry', () => this.expire(e)));
    this.tailTimer = clock.timer(() => runGuarded(events, this, 'paged-tail expiry', () => this.expireTail()));
    const args = (): QueueArgs => this.args; // read at the time: a policy may add or remove the dead-letter exchange
    this.paging = new QueuePaging(this.ready, {
      maxPriority: options.args.maxPriority,
      get deadLetters() { return args().deadLetterExchange !== undefined; }, // prettier-ignore
      openPageStore: () => this.events.openPageStore?.(this),
      codec: () => this.log?.codec,
      removed: (location) => this.log?.removed(location),
      deadLetter: (message, reason) => this.events.deadLetter(this, message, reason),
      dropped: (reason) => this.counters.dropped(reason),
      ready: (e) => {
        this.ready.push(e);
        this.expiry.track(e);
      },
      landed: () => {
        if (this.consumerSet.size > 0) this.scheduleDrain();
      },
    });
    const guard = (work: () => void): void => runGuarded(events, this, 'x-expires', work);
    this.unusedExpiry = new UnusedExpiry(clock, options.args.expires, () => this.consumerSet.size > 0, guard, () => !this.deleted && events.onUnused(this));
  }

  /** A policy changed what is in force (RabbitMQ's process_args_policy); README "Policies" says what applies when. */
  reconfigure(args: QueueArgs): void {
    const before = this.args;
    this.args = args;
    if (this.deleted) return;
    if (args.expires !== before.expires) this.unusedExpiry.setExpires(args.expires);
    if (args.overflow === 'drop-head' && (args.maxLength !== undefined || args.maxLengthBytes !== undefined)) this.dropHeadOverLimit();
  }

  get messageCount(): number {
    return this.ready.count + this.paging.count + this.backlog.count;
  }

  get messageBytes(): number {
    return this.ready.bytes + this.paging.bytes;
  }

  /** Body bytes of the messages paged to disk (the paged tail's running sum): warren_paged_bytes. */
  get pagedBytes(): number {
    return this.paging.bytes;
  }

  get consumerCount(): number {
    return this.consumerSet.size;
  }

  get consumers(): readonly QueueConsumer[] {
    return this.consumerSet.inOrder(); // registration order: with single active consumer the first is active
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  get exclusiveOwner(): QueueOptions['owner'] {
    return this.options.exclusive ? this.options.owner : undefined;
  }

  /** Adds a published message; false when x-overflow reject-publish(-dlx) refused it (the publisher gets a basic.nack). */
  enqueue(message: Message, messageTtl: number | undefined, ticket?: SyncTicket): boolean {
    if (this.deleted) return true;
    const a = this.args;
    if (a.overflow !== 'drop-head' && this.isFull(message.bodySize)) {
      if (a.overflow === 'reject-publish-dlx') this.events.deadLetter(this, message, 'maxlen');
      return false;
    }
    const ttl = a.messageTtl === undefined ? messageTtl : messageTtl === undefined ? a.messageTtl : Math.min(a.messageTtl, messageTtl);
    const priority = a.maxPriority === 0 ? 0 : Math.min(message.priority, a.maxPriority);
    const now = ttl === undefined ? 0 : this.events.clock.now();
    const entry = newEntry(message, this.nextSeq++, priority, ttl === undefined ? 0 : now + ttl, false, undefined);
    if (this.log !== undefined && message.persistent) entry.location = persistEntry(this.log, entry, ticket);
    if (ttl === 0) {
      // TTL 0: delivered now to a consumer that can take it, or expired at once (RabbitMQ's rule).
      const consumer = this.messageCount === 0 ? this.consumerSet.next() : undefined;
      if (consumer === undefined) {
        this.drop(entry, 'expired'); // also marks it removed in the store, so a restart does not bring it back
      } else {
        entry.state = EntryState.Unacked;
        this.markDelivered(entry);
        this.ref.handOut(consumer, entry);
      }
      return this.counters.enqueued();
    }
    this.addReady(entry);
    if (a.maxLength !== undefined || a.maxLengthBytes !== undefined) this.dropHeadOverLimit();
    if (this.consumerSet.size > 0) this.scheduleDrain();
    return this.counters.enqueued();
  }

  private isFull(incomingBytes: number): boolean {
    const a = this.args;
    if (a.maxLength !== undefined && this.messageCount >= a.maxLength) return true;
    return a.maxLengthBytes !== undefined && this.messageBytes + incomingBytes > a.maxLengthBytes;
  }

  private dropHeadOverLimit(): void {
    const a = this.args;
    this.backlog.finish(); // requeued entries are the oldest: the first to drop
    while (
      (a.maxLength !== undefined && this.messageCount > a.maxLength) ||
      (a.maxLengthBytes !== undefined && this.messageBytes > a.maxLengthBytes)
    ) {
      this.paging.refill();
      const head = this.ready.shift();
      if (head !== undefined) this.drop(head, 'maxlen');
      else if (!this.paging.dropHead('maxlen')) return; // the window is empty while a read is in flight
    }
  }

  /** An unacked entry comes back (nack/reject with requeue, channel closed): to its place, redelivered; or dead-lettered past x-delivery-limit. */
  requeue(entry: QueueEntry): void {
    if (this.deleted) return;
    entry.returnCount++;
    if (this.args.deliveryLimit !== undefined && entry.returnCount > this.args.deliveryLimit) {
      this.drop(entry, 'delivery_limit');
      return;
    }
    entry.redelivered = true;
    if (entry.expiresAt !== 0 && entry.expiresAt <= this.events.clock.now()) {
      this.drop(entry, 'expired');
      return;
    }
    this.ready.requeue(entry);
    this.expiry.track(entry);
    if (this.consumerSet.size > 0) this.scheduleDrain();
  }

  /**
   * Many outstanding deliveries (by seq, see LocalQueueRef) come back at once, in ascending order
   * (call highest batch first): requeued in slices (RequeueBacklog), each looked up only in its
   * slice, so a million cost no turn of their own. Until the last slice, and while the bulk
   * requeue is still being gathered (holdDeliveries), the queue delivers nothing, so consumers see
   * a one-go requeue's order; basic.get and purge finish the requeue first.
   */
  requeueMany(seqs: readonly number[]): void {
    if (this.deleted) return;
    if (seqs.length > REQUEUE_SLICE || this.backlog.count > 0) this.backlog.add(seqs);
    else for (let i = seqs.length - 1; i >= 0; i--) this.requeueOutstanding(seqs[i] as number);
  }

  private requeueOutstanding(seq: number): void {
    const entry = this.ref.takeOutstanding(seq);
    if (entry !== undefined) this.requeue(entry);
  }

  holdDeliveries(): void {
    this.deliveryHolds++;
  }

  releaseDeliveries(): void {
    if (--this.deliveryHolds === 0 && this.consumerSet.size > 0) this.scheduleDrain();
  }

  /** The delivery is done with: acked, or delivered with no-ack. */
  settle(entry: QueueEntry): void {
    entry.state = EntryState.Removed;
    if (entry.location !== undefined) this.log?.removed(entry.location);
  }

  /** Recovery: stored messages back in their order, delivered ones flagged redelivered. */
  restore(message: Message, priority: number, expiresAt: number, delivered: boolean, location: unknown): void {
    this.addReady(newEntry(message, this.nextSeq++, Math.min(priority, this.args.maxPriority), expiresAt, delivered, location));
  }

  private markDelivered(entry: QueueEntry): void {
    if (entry.location !== undefined && !entry.redelivered) this.log?.delivered(entry.location);
  }

  /** basic.reject / nack without requeue. */
  reject(entry: QueueEntry): void {
    if (this.deleted) return;
    this.drop(entry, 'rejected');
  }

  /** The window is empty while paged messages are read back: a basic.get waits (whenReadBack) rather than say empty. */
  get readingBack(): boolean {
    return !this.deleted && this.ready.count === 0 && this.backlog.count === 0 && this.paging.count > 0;
  }

  /** For core/inspect (browse, redrive) and the ref only: the stores behind the counts; never on a hot path. */
  internals(): { readonly ready: ReadyStore; readonly paging: QueuePaging; readonly expiry: ExpiryTracker } {
    return { ready: this.ready, paging: this.paging, expiry: this.expiry };
  }

  /** basic.get: the next live entry, now unacked (or gone, for no-ack), or undefined. */
  get(noAck = false): QueueEntry | undefined {
    this.touch();
    this.backlog.finish();
    return this.counters.got(this.takeNext(), noAck, this.readingBack);
  }

  purge(): number {
    this.backlog.finish();
    const entries = this.ready.takeAll();
    for (const e of entries) {
      this.expiry.untrack(e);
      if (e.location !== undefined) this.log?.removed(e.location);
    }
    const paged = this.paging.purge((location) => this.log?.removed(location));
    return entries.length + paged;
  }

  addConsumer(consumer: QueueConsumer, priority: number): void {
    this.consumerSet.add(consumer, priority);
    this.scheduleDrain();
  }

  removeConsumer(consumer: QueueConsumer): void {
    if (!this.consumerSet.remove(consumer)) return;
    if (this.consumerSet.size > 0) {
      this.scheduleDrain(); // a single active consumer may have handed over
      return;
    }
    this.touch();
    if (this.options.autoDelete && !this.deleted) this.events.onUnused(this);
  }

  /** Activity that keeps an x-expires queue alive (basic.get, redeclare, consumers leaving). */
  touch(): void {
    this.unusedExpiry.touch();
  }

  /** Marks the queue deleted, drops its messages and cancels its consumers; returns the message count. */
  markDeleted(): number {
    if (this.deleted) return 0;
    this.deleted = true;
    this.unusedExpiry.stop();
    this.expiry.stop();
    const n = this.ready.takeAll().length + this.paging.count + this.backlog.count;
    this.backlog.clear();
    this.tailTimer.cancel();
    this.paging.destroy();
    this.log?.destroy();
    this.log = undefined;
    this.ref.forget();
    for (const c of this.consumerSet.clear()) c.cancelledByQueue(this.ref);
    return n;
  }

  /** Called when some consumer regained credit or its socket drained. */
  scheduleDrain(): void {
    if (this.drainScheduled || this.deleted) return;
    this.drainScheduled = true;
    queueMicrotask(this.drainTask);
  }

  private readonly drainTask = (): void => {
    this.drainScheduled = false;
    runGuarded(this.events, this, 'drain', () => {
      if (!this.deleted) this.drain();
    });
  };

  /** Hands ready messages to consumers until either runs out; past a slice, continues on setImmediate (so other sockets' I/O runs). */
  drain(): void {
    if (this.backlog.count > 0 || this.deliveryHolds > 0) return; // the end of a bulk requeue schedules a drain
    let count = 0;
    let bytes = 0;
    while (this.messageCount > 0) {
      if (sliceFull(count, bytes)) {
        if (!this.drainScheduled) {
          this.drainScheduled = true;
          setImmediate(this.drainTask);
        }
        return;
      }
      const consumer = this.consumerSet.next();
      if (consumer === undefined) return;
      const entry = this.takeNext();
      if (entry === undefined) return;
      count++;
      bytes += entry.message.bodySize;
      this.ref.handOut(consumer, entry);
    }
  }

  /** The next ready entry that has not expired, marked unacked. */
  private takeNext(): QueueEntry | undefined {
    for (;;) {
      this.paging.refill();
      const entry = this.ready.shift();
      if (entry === undefined) return undefined;
      if (entry.expiresAt !== 0 && entry.expiresAt <= this.events.clock.now()) {
        this.drop(entry, 'expired');
        continue;
      }
      entry.state = EntryState.Unacked;
      this.expiry.untrack(entry);
      this.markDelivered(entry);
      return entry;
    }
  }

  // ---- paging: the tail of a long queue waits on disk ---------------------------------------

  private addReady(entry: QueueEntry): void {
    if (this.paging.page(entry)) {
      if (entry.expiresAt !== 0) this.armTailExpiry();
      return;
    }
    this.ready.push(entry);
    this.expiry.track(entry);
  }

  private armTailExpiry(): void {
    const next = this.paging.nextExpiry;
    if (next !== undefined && next < this.tailTimer.armedAt) this.tailTimer.arm(next);
  }

  private expireTail(): void {
    this.paging.expireDue(this.events.clock.now());
    this.armTailExpiry();
  }

  private expire(entry: QueueEntry): void {
    this.ready.remove(entry);
    this.drop(entry, 'expired');
  }

  private drop(entry: QueueEntry, reason: DeathReason): void {
    entry.state = EntryState.Removed;
    this.expiry.untrack(entry);
    this.events.deadLetter(this, entry.message, this.counters.dropped(reason));
    if (entry.location !== undefined) this.log?.removed(entry.location);
  }
}

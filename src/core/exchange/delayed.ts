import { asNumber } from '../../protocol/field-table.js';
import { ByteArena } from '../../util/byte-arena.js';
import { MinHeap } from '../../util/min-heap.js';
import type { Clock, Timer } from '../clock.js';
import { headerKey, Message, MessageFlags } from '../message.js';

const X_DELAY = headerKey('x-delay');
import type { MessageLog, SyncTicket } from '../persistence.js';

/** The exchange type name of RabbitMQ's delayed-message plugin, built in here. */
export const DELAYED_EXCHANGE_TYPE = 'x-delayed-message';

/**
 * A held message: its bytes (properties then body) live in the arena, copied out of the socket
 * chunk so nothing else stays pinned; this small object keeps where they are.
 */
interface Held {
  readonly routingKey: string;
  readonly routingKeys: readonly string[];
  readonly chunk: number;
  readonly offset: number;
  readonly propertiesLength: number;
  readonly bodyLength: number;
  /** Where the store keeps it (persistent message, durable exchange), else undefined. */
  readonly location: unknown;
}

/**
 * Holds messages published with an `x-delay` header until they are due, ordered by due time
 * (FIFO for equal times), with one clock timer for the earliest (the clock handles delays beyond
 * setTimeout's 2^31-1 ms ceiling, and beyond the plugin's 2^32-1 ms limit).
 */
export class DelayScheduler {
  private readonly heap = new MinHeap<Held>();
  private readonly arena = new ByteArena();
  private readonly exchange: string;
  private readonly clock: Clock;
  private readonly timer: Timer;
  private readonly release: (message: Message, routingKeys: readonly string[]) => void;
  private stopped = false;
  /** A durable delayed exchange's log: persistent held messages survive a restart. */
  log: MessageLog | undefined;

  constructor(exchange: string, clock: Clock, release: (message: Message, routingKeys: readonly string[]) => void) {
    this.exchange = exchange;
    this.clock = clock;
    this.timer = clock.timer(this.fire);
    this.release = release;
  }

  get size(): number {
    return this.heap.size;
  }

  /** The delay a message asks for, or 0 when it has none (negative and missing mean now). */
  static delayOf(message: Message): number {
    if ((message.flags & MessageFlags.HasHeaders) === 0) return 0;
    const delay = asNumber(message.header(X_DELAY));
    return delay === undefined || !(delay > 0) ? 0 : Math.floor(delay);
  }

  schedule(message: Message, routingKeys: readonly string[], delayMs: number, ticket?: SyncTicket, now = this.clock.now()): void {
    const due = now + delayMs;
    let location: unknown;
    if (this.log !== undefined && message.persistent) {
      // The due time rides in the record's expiry field: a restart puts it back in the schedule.
      const record = { exchange: this.exchange, routingKey: message.routingKey, properties: message.rawProperties, body: message.body, priority: 0, expiresAt: due };
      if (ticket === undefined) {
        location = this.log.append(record);
      } else {
        ticket.waiting++;
        location = this.log.append(record, (ok) => ticket.synced(ok));
      }
    }
    this.hold(message.routingKey, routingKeys, message.rawProperties, message.body, due, location);
  }

  /** Recovery: a stored held message back in the schedule. */
  restore(routingKey: string, properties: Buffer, body: Buffer, due: number, location: unknown): void {
    this.hold(routingKey, SAME_KEY, properties, body, due, location);
  }

  private hold(routingKey: string, routingKeys: readonly string[], props: Buffer, body: Buffer, due: number, location: unknown): void {
    const { chunk, offset } = this.arena.store(props, body);
    this.heap.push(due, {
      routingKey,
      routingKeys: routingKeys.length === 1 && routingKeys[0] === routingKey ? SAME_KEY : routingKeys,
      chunk,
      offset,
      propertiesLength: props.length,
      bodyLength: body.length,
      location,
    });
    if (due < this.timer.armedAt && !this.stopped) this.timer.arm(due);
  }

  /** The exchange was deleted: its held messages (and their files) go. */
  destroy(): void {
    this.stop();
    this.log?.destroy();
    this.log = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.timer.cancel();
    this.heap.clear();
  }

  private readonly fire = (): void => {
    const now = this.clock.now();
    // At most RELEASE_BATCH per turn, so a million messages due at once do not stall the loop.
    for (let n = 0; n < RELEASE_BATCH; n++) {
      const due = this.heap.peekKey();
      if (due === undefined || due > now) break;
      const held = this.heap.pop() as Held;
      // Released messages get their own copy: queues may keep them long after the arena chunk goes.
      const bytes = Buffer.from(this.arena.view(held.chunk, held.offset, held.propertiesLength + held.bodyLength));
      this.arena.release(held.chunk);
      // Not marked validated: held messages may come from a data directory written before publish validation.
      const message = new Message(this.exchange, held.routingKey, bytes.subarray(0, held.propertiesLength), bytes.subarray(held.propertiesLength), false);
      this.release(message, held.routingKeys === SAME_KEY ? [held.routingKey] : held.routingKeys);
      if (held.location !== undefined) this.log?.removed(held.location);
    }
    // More due than one batch: armed at a time already past, the rest follow on the next turn.
    const next = this.heap.peekKey();
    if (next !== undefined && !this.stopped) this.timer.arm(next);
  };
}

const RELEASE_BATCH = 5000;

/** Marker for the common case: route with the message's own routing key. */
const SAME_KEY: readonly string[] = Object.freeze([]);

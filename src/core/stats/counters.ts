import type { DeathReason } from '../queue/dead-letter.js';
import type { QueueEntry } from '../queue/entry.js';
import type { PublishGlobals } from './publish-globals.js';

/*
 * Plain integer counters, one small object per queue, exchange, channel and connection, bumped inline
 * at the choke points (no Map lookup, no allocation per message). Field names are RabbitMQ
 * management's message_stats names, so a snapshot maps 1:1 onto `message_stats.<name>` and
 * `<name>_details.rate`. The sampler (sampler.ts) turns them into rates on the broker's ticker.
 */

export const QUEUE_STATS = [
  'publish',
  'deliver',
  'deliver_no_ack',
  'get',
  'get_no_ack',
  'get_empty',
  'ack',
  'redeliver',
  'drop_expired',
  'drop_maxlen',
  'drop_rejected',
  'drop_delivery_limit',
] as const;
export const EXCHANGE_STATS = ['publish_in', 'publish_out', 'return_unroutable', 'drop_unroutable'] as const;
export const CHANNEL_STATS = ['publish', 'confirm', 'return_unroutable', 'drop_unroutable'] as const;
/** Deliveries and acks on one channel: RabbitMQ's channel message_stats has them (its connection objects have none). */
export const CHANNEL_DELIVERY_STATS = ['deliver', 'deliver_no_ack', 'get', 'get_no_ack', 'get_empty', 'ack', 'redeliver'] as const;
/** A channel's sampled fields: the publishing ones (shared with its connection), then its deliveries. */
export const CHANNEL_ALL_STATS = [...CHANNEL_STATS, ...CHANNEL_DELIVERY_STATS] as const;
/**
 * A queue's depths, sampled into the same Sample as its counters (slots QUEUE_STATS.length onwards, so
 * no second object per queue): RabbitMQ's messages_details, messages_ready_details and
 * messages_unacknowledged_details, whose rate is the change of the depth per second (negative while
 * the queue drains).
 */
export const QUEUE_DEPTHS = ['messages', 'messages_ready', 'messages_unacknowledged'] as const;

export type QueueStatName = (typeof QUEUE_STATS)[number];
export type ExchangeStatName = (typeof EXCHANGE_STATS)[number];
export type ChannelStatName = (typeof CHANNEL_STATS)[number];
export type ChannelDeliveryStatName = (typeof CHANNEL_DELIVERY_STATS)[number];
export type QueueDepthName = (typeof QUEUE_DEPTHS)[number];

/** A counters object's last sample: the values then, and the per-second rates since the sample before. */
export class Sample {
  /** When it was taken (the sampler's clock); -1: never. */
  at = -1;
  readonly values: Float64Array;
  readonly rates: Float64Array;

  constructor(fields: number) {
    this.values = new Float64Array(fields);
    this.rates = new Float64Array(fields);
  }
}

/** What happened to messages in queues: the plain counts, for one queue or summed over many. */
export class QueueCounts {
  /** Messages enqueued (published, dead-lettered or released into this queue), refusals not counted. */
  publish = 0;
  deliver = 0;
  deliver_no_ack = 0;
  get = 0;
  get_no_ack = 0;
  get_empty = 0;
  ack = 0;
  /** Deliveries and get-oks of a message with the redelivered flag set (RabbitMQ's meaning). */
  redeliver = 0;
  drop_expired = 0;
  drop_maxlen = 0;
  drop_rejected = 0;
  drop_delivery_limit = 0;

  /**
   * Adds these counts to an accumulator. Written out field by field: the loop over QUEUE_STATS (keyed
   * loads and stores) took 80% of a /metrics scrape of 100,000 queues (bench/prometheus-scale.ts); the
   * unit test test/unit/core/stats/queue-stats.test.ts fails if a field is added to QUEUE_STATS and not here.
   */
  addTo(into: QueueCounts): void {
    into.publish += this.publish;
    into.deliver += this.deliver;
    into.deliver_no_ack += this.deliver_no_ack;
    into.get += this.get;
    into.get_no_ack += this.get_no_ack;
    into.get_empty += this.get_empty;
    into.ack += this.ack;
    into.redeliver += this.redeliver;
    into.drop_expired += this.drop_expired;
    into.drop_maxlen += this.drop_maxlen;
    into.drop_rejected += this.drop_rejected;
    into.drop_delivery_limit += this.drop_delivery_limit;
  }
}

/**
 * What happened to messages in one queue. The counting methods return what they are given, so a count
 * sits inside the call it counts: queue.ts and channel.ts are at their size limit, and a count that
 * needs its own line there is a count someone will lose in a merge.
 *
 * Each count also goes to `all` when given (its vhost's DeletedQueueCounters.all): the broker's totals
 * then read a few sums per vhost instead of walking 100,000 queues per scrape. Counts only go up, and
 * only through these methods, so `all` is always the sum of its queues' counts, deleted ones included.
 */
export class QueueCounters extends QueueCounts {
  /** The counters' sample, then the depths' (QUEUE_DEPTHS). */
  readonly sample = new Sample(QUEUE_STATS.length + QUEUE_DEPTHS.length);
  private readonly all: QueueCounts | undefined;

  constructor(all?: QueueCounts) {
    super();
    this.all = all;
  }

  /** Counts an accepted enqueue; returns true, enqueue's answer for it. */
  enqueued(): true {
    this.publish++;
    if (this.all !== undefined) this.all.publish++;
    return true;
  }

  delivered(entry: QueueEntry, noAck: boolean): void {
    const all = this.all;
    if (noAck) {
      this.deliver_no_ack++;
      if (all !== undefined) all.deliver_no_ack++;
    } else {
      this.deliver++;
      if (all !== undefined) all.deliver++;
    }
    if (entry.redelivered) {
      this.redeliver++;
      if (all !== undefined) all.redeliver++;
    }
  }

  /** basic.get's answer: `waiting` means the queue is reading its tail back from disk, not empty. */
  got(entry: QueueEntry | undefined, noAck: boolean, waiting: boolean): QueueEntry | undefined {
    const all = this.all;
    if (entry === undefined) {
      if (!waiting) {
        this.get_empty++;
        if (all !== undefined) all.get_empty++;
      }
      return undefined;
    }
    if (noAck) {
      this.get_no_ack++;
      if (all !== undefined) all.get_no_ack++;
    } else {
      this.get++;
      if (all !== undefined) all.get++;
    }
    if (entry.redelivered) {
      this.redeliver++;
      if (all !== undefined) all.redeliver++;
    }
    return entry;
  }

  acked(entry: QueueEntry): QueueEntry {
    this.ack++;
    if (this.all !== undefined) this.all.ack++;
    return entry;
  }

  /** A message left the queue for a reason other than delivery; returns the reason. */
  dropped(reason: DeathReason): DeathReason {
    countDrop(this, reason);
    if (this.all !== undefined) countDrop(this.all, reason);
    return reason;
  }
}

function countDrop(c: QueueCounts, reason: DeathReason): void {
  switch (reason) {
    case 'expired':
      c.drop_expired++;
      break;
    case 'maxlen':
      c.drop_maxlen++;
      break;
    case 'rejected':
      c.drop_rejected++;
      break;
    case 'delivery_limit':
      c.drop_delivery_limit++;
      break;
  }
}

/**
 * A vhost's deleted queues: what they had counted (so totals never go down), and how many they were
 * (churn's queue_deleted). And `all`: what the vhost's queues, live and deleted, have counted, kept as
 * they count (queue() makes their counters).
 */
export class DeletedQueueCounters extends QueueCounts {
  queues = 0;
  readonly all = new QueueCounts();

  add(deleted: QueueCounts): void {
    deleted.addTo(this);
    this.queues++;
  }

  /** Counters for a new queue of this vhost: they count into `all` too. */
  queue(): QueueCounters {
    return new QueueCounters(this.all);
  }
}

/** Messages published to one exchange by clients, and what became of them. */
export class ExchangeCounters {
  publish_in = 0;
  /** Routed deliveries: one per queue a published message was enqueued on. */
  publish_out = 0;
  /** Unroutable mandatory messages returned with basic.return. */
  return_unroutable = 0;
  /** Unroutable messages without mandatory, dropped. */
  drop_unroutable = 0;
  /** x-schema exchanges (Warren's schema_stats): messages checked and found valid, invalid, not JSON. */
  schema_valid = 0;
  schema_invalid = 0;
  schema_unparseable = 0;
  /** Failed the schema, not returned, nacked or sent to an x-invalid-exchange: dropped. */
  schema_dropped = 0;
  readonly sample = new Sample(EXCHANGE_STATS.length);
}

/** Where a connection's byte counts are read (its parser and outbound writer keep them). */
export interface OctetSource {
  recvOct(): number;
  sendOct(): number;
}

/** Publishing on one connection, all its channels together. */
export class ConnectionCounters {
  publish = 0;
  /** Publisher confirms sent as basic.ack (one per message, however many a multiple ack covers). */
  confirm = 0;
  return_unroutable = 0;
  drop_unroutable = 0;
  readonly sample = new Sample(CHANNEL_STATS.length);
  /** The counters of its open channels, by channel number (read path only). */
  readonly channels = new Map<number, ChannelCounters>();
  /** The vhost it opened (set at connection.open-ok): its counts go to that vhost's message_stats. */
  vhost: string | undefined = undefined;
  /** Its bytes in and out, sampled into `octets` (RabbitMQ's recv_oct_details, send_oct_details); none: rates 0. */
  octetSource: OctetSource | undefined = undefined;
  readonly octets = new Sample(2);

  addTo(into: ConnectionCounters): void {
    for (const name of CHANNEL_STATS) into[name] += this[name];
  }
}

/** Publishing on one channel (each count also goes to its connection's counters), and deliveries to it. */
export class ChannelCounters {
  publish = 0;
  confirm = 0;
  return_unroutable = 0;
  drop_unroutable = 0;
  deliver = 0;
  deliver_no_ack = 0;
  get = 0;
  get_no_ack = 0;
  get_empty = 0;
  /** Deliveries acked by the client (one per message, however many a multiple ack covers). */
  ack = 0;
  redeliver = 0;
  readonly sample = new Sample(CHANNEL_ALL_STATS.length);
  readonly connection: ConnectionCounters;
  /** The broker's publish-wide counts (message sizes, publishes awaiting a confirm), when it keeps them. */
  private readonly globals: PublishGlobals | undefined;

  constructor(connection: ConnectionCounters, globals?: PublishGlobals) {
    this.connection = connection;
    this.globals = globals;
  }

  /**
   * One client publish through `exchange`: enqueued on `queues` queues; `routed` includes delayed holds;
   * `size` its body's bytes, `confirm` whether the channel is in confirm mode.
   */
  published(exchange: ExchangeCounters, queues: number, routed: boolean, mandatory: boolean, size = 0, confirm = false): void {
    const conn = this.connection;
    const globals = this.globals;
    if (globals !== undefined) {
      globals.sizes.observe(size);
      if (confirm) globals.receivedConfirm++;
    }
    this.publish++;
    conn.publish++;
    exchange.publish_in++;
    exchange.publish_out += queues;
    if (routed) return;
    if (mandatory) {
      this.return_unroutable++;
      conn.return_unroutable++;
      exchange.return_unroutable++;
    } else {
      this.drop_unroutable++;
      conn.drop_unroutable++;
      exchange.drop_unroutable++;
    }
  }

  confirmed(): void {
    this.confirm++;
    this.connection.confirm++;
  }

  /** A basic.deliver to a consumer of this channel. */
  delivered(noAck: boolean, redelivered: boolean): void {
    if (noAck) this.deliver_no_ack++;
    else this.deliver++;
    if (redelivered) this.redeliver++;
  }

  /** A basic.get answered: get-ok (`redelivered` given) or get-empty (undefined). */
  got(noAck: boolean, redelivered: boolean | undefined): void {
    if (redelivered === undefined) this.get_empty++;
    else if (noAck) this.get_no_ack++;
    else this.get++;
    if (redelivered === true) this.redeliver++;
  }
}

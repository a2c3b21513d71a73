import { CHANNEL_STATS, EXCHANGE_STATS, QUEUE_STATS, type QueueCounters, type Sample } from './counters.js';
import type { ChannelDeliveryStatName, ChannelStatName, ExchangeStatName, QueueStatName } from './counters.js';
import type { ChurnStats } from './churn.js';

/** RabbitMQ management's `<name>_details`: messages per second over the last sample interval. */
export interface RateDetails {
  readonly rate: number;
}

/** RabbitMQ's message_stats shape: each counter `name` with its `name_details.rate`. */
export type MessageStats<K extends string> = { readonly [P in K]: number } & { readonly [P in K as `${P}_details`]: RateDetails };

/** deliver + deliver_no_ack + get + get_no_ack, as RabbitMQ's deliver_get. */
export type DerivedStatName = 'deliver_get';
export type QueueStats = MessageStats<QueueStatName | DerivedStatName>;
export type ExchangeStats = MessageStats<ExchangeStatName>;
export type ChannelStats = MessageStats<ChannelStatName | ChannelDeliveryStatName | DerivedStatName>;
export type ConnectionStats = MessageStats<ChannelStatName>;
/** Broker-wide: client-side counts from connections; delivery-side counts (no queue `publish`) from queues. */
export type TotalStatName = ChannelStatName | Exclude<QueueStatName, 'publish'>;
export type TotalStats = MessageStats<TotalStatName | DerivedStatName>;

export const TOTAL_STATS: readonly TotalStatName[] = [...CHANNEL_STATS, ...QUEUE_STATS.filter((n) => n !== 'publish')] as TotalStatName[];

/** Counters and rates, read by keys the registry also uses; every answer is a fresh copy. */
export interface StatsReader {
  queue(vhost: string, name: string): QueueStats | undefined;
  exchange(vhost: string, name: string): ExchangeStats | undefined;
  /** By the connection's number (Connection.id, per broker). */
  connection(id: number): ConnectionStats | undefined;
  channel(connectionId: number, channel: number): ChannelStats | undefined;
  totals(): TotalStats;
  /** Each vhost's message_stats, by vhost name (RabbitMQ's vhost objects). */
  vhostTotals(): ReadonlyMap<string, TotalStats>;
  /** RabbitMQ's churn_rates: connections, channels and queues created and closed, with their rates. */
  churn(): ChurnStats;
  /**
   * Takes a sample now: rates become (count now - count at the previous sample) / elapsed seconds.
   * The broker samples on its own every `statisticsInterval` ms; `now` is that clock (ms).
   */
  sample(now?: number): void;
}

/** Rates since the sample before `sample`; a counter object's first sample measures from the broker's previous one. */
export function takeSample<K extends string>(counters: Readonly<Record<K, number>>, fields: readonly K[], sample: Sample, now: number, previous: number): void {
  const from = sample.at >= 0 ? sample.at : previous;
  const seconds = (now - from) / 1000;
  for (let i = 0; i < fields.length; i++) {
    const value = counters[fields[i] as K];
    sample.rates[i] = from >= 0 && seconds > 0 ? (value - (sample.values[i] as number)) / seconds : 0;
    sample.values[i] = value;
  }
  sample.at = now;
}

/**
 * A queue's depths into the depth slots of its sample (after the counters'); call it before
 * takeSample, which moves `sample.at`. Depth rates are over the same interval as the counters'.
 */
export function takeDepthSample(sample: Sample, ready: number, unacked: number, now: number, previous: number): void {
  const from = sample.at >= 0 ? sample.at : previous;
  const seconds = (now - from) / 1000;
  const base = QUEUE_STATS.length;
  depth(sample, base, ready + unacked, from, seconds);
  depth(sample, base + 1, ready, from, seconds);
  depth(sample, base + 2, unacked, from, seconds);
}

function depth(sample: Sample, i: number, value: number, from: number, seconds: number): void {
  sample.rates[i] = from >= 0 && seconds > 0 ? (value - (sample.values[i] as number)) / seconds : 0;
  sample.values[i] = value;
}

/** The rate of a queue's depth (0 messages, 1 messages_ready, 2 messages_unacknowledged) at its last sample. */
export function depthRate(sample: Sample, depth: 0 | 1 | 2): number {
  return sample.rates[QUEUE_STATS.length + depth] as number;
}

export function snapshotOf<K extends string>(counters: Readonly<Record<K, number>>, fields: readonly K[], sample: Sample): MessageStats<K> {
  const out: Record<string, number | RateDetails> = {};
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i] as K;
    out[name] = counters[name];
    out[`${name}_details`] = { rate: sample.rates[i] as number };
  }
  return out as MessageStats<K>;
}

/** Adds deliver_get to a snapshot that has the four delivery counters. */
export function withDeliverGet<S extends MessageStats<'deliver' | 'deliver_no_ack' | 'get' | 'get_no_ack'>>(s: S): S & MessageStats<DerivedStatName> {
  const rate = s.deliver_details.rate + s.deliver_no_ack_details.rate + s.get_details.rate + s.get_no_ack_details.rate;
  return { ...s, deliver_get: s.deliver + s.deliver_no_ack + s.get + s.get_no_ack, deliver_get_details: { rate } };
}

/**
 * withDeliverGet(snapshotOf(c, QUEUE_STATS, c.sample)), as one object literal: added key by key, 26
 * properties put the object in V8's dictionary mode, which made it 4-5x slower to build and slower to
 * stringify. Listing 10,000 queues builds 10,000 of them (bench/management-list.ts). Same fields, same
 * order; test/unit/core/stats/queue-stats.test.ts holds the two together.
 */
export function queueStatsOf(c: QueueCounters): QueueStats {
  // The rates by position in QUEUE_STATS: the test fails if it is reordered or grows.
  const r = c.sample.rates as unknown as Readonly<Record<0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11, number>>;
  return {
    publish: c.publish,
    publish_details: { rate: r[0] },
    deliver: c.deliver,
    deliver_details: { rate: r[1] },
    deliver_no_ack: c.deliver_no_ack,
    deliver_no_ack_details: { rate: r[2] },
    get: c.get,
    get_details: { rate: r[3] },
    get_no_ack: c.get_no_ack,
    get_no_ack_details: { rate: r[4] },
    get_empty: c.get_empty,
    get_empty_details: { rate: r[5] },
    ack: c.ack,
    ack_details: { rate: r[6] },
    redeliver: c.redeliver,
    redeliver_details: { rate: r[7] },
    drop_expired: c.drop_expired,
    drop_expired_details: { rate: r[8] },
    drop_maxlen: c.drop_maxlen,
    drop_maxlen_details: { rate: r[9] },
    drop_rejected: c.drop_rejected,
    drop_rejected_details: { rate: r[10] },
    drop_delivery_limit: c.drop_delivery_limit,
    drop_delivery_limit_details: { rate: r[11] },
    deliver_get: c.deliver + c.deliver_no_ack + c.get + c.get_no_ack,
    deliver_get_details: { rate: r[1] + r[2] + r[3] + r[4] },
  };
}

export { CHANNEL_STATS, EXCHANGE_STATS, QUEUE_STATS };

import type { BrokerStats } from './core/stats/broker-stats.js';
import type { StatsReader } from './core/stats/snapshot.js';

/** broker.stats: the counters' read side, sampled on the wall clock when no time is given (core keeps no clock of its own). */
export function statsReaderOf(stats: BrokerStats): StatsReader {
  return {
    queue: (vhost, name) => stats.queue(vhost, name),
    exchange: (vhost, name) => stats.exchange(vhost, name),
    connection: (id) => stats.connection(id),
    channel: (connectionId, channel) => stats.channel(connectionId, channel),
    totals: () => stats.totals(),
    churn: () => stats.churn(),
    vhostTotals: () => stats.vhostTotals(),
    sample: (now = Date.now()) => stats.sample(now),
  };
}

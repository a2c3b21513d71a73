import type { VirtualHost } from '../vhost.js';
import { PublishGlobals } from './publish-globals.js';
import { CHURN_STATS, ChurnCounters, type ChurnStatName, type ChurnStats } from './churn.js';
import { CHANNEL_ALL_STATS, CHANNEL_STATS, ChannelCounters, ConnectionCounters, DeletedQueueCounters, EXCHANGE_STATS, QUEUE_STATS, QueueCounts, Sample } from './counters.js';
import type { ChannelStatName, OctetSource, QueueStatName } from './counters.js';
import {
  queueStatsOf,
  snapshotOf,
  takeDepthSample,
  takeSample,
  TOTAL_STATS,
  withDeliverGet,
  type ChannelStats,
  type ConnectionStats,
  type ExchangeStats,
  type QueueStats,
  type StatsReader,
  type TotalStats,
  type TotalStatName,
} from './snapshot.js';

const OCTETS = ['recv', 'send'] as const;

/** Objects sampled per tick of a sample pass (about 5 ms of work). */
const SAMPLE_SLICE = 4096;

/** A sample pass under way: where it is. */
interface SamplePass {
  readonly previous: number;
  objects: Iterator<undefined, undefined>;
  /** The time of the slice under way: each object is sampled at its slice's time. */
  now: number;
}

/**
 * One broker's counters: connections and channels register here (at open, not per message);
 * queues and exchanges carry their own and are found through the vhosts. The sampler walks them all
 * once per interval (O(objects), every 5 s by default), never per message. Totals are sums taken when
 * asked, over connections (plus what closed ones had) and over each vhost's queue counts, which its
 * queues' counters keep as they count (DeletedQueueCounters.all, deleted queues included): they never
 * go down, and a scrape of 100,000 queues does not walk them for it.
 */
export class BrokerStats implements StatsReader {
  private readonly vhosts: ReadonlyMap<string, VirtualHost>;
  private readonly connections = new Map<number, ConnectionCounters>();
  private readonly closedConnections = new ConnectionCounters();
  /** What the closed connections of each vhost had counted (a vhost's message_stats never go down either). */
  private readonly closedByVhost = new Map<string, ConnectionCounters>();
  /** Vhosts taken out of the table and not yet destroyed: still counted, their queues still live. */
  private readonly detachedVhosts = new Set<VirtualHost>();
  /** What the queues of deleted vhosts had counted (RabbitMQ's overview totals are cumulative). */
  private readonly deletedVhostQueues = new DeletedQueueCounters();
  private readonly totalsSample = new Sample(TOTAL_STATS.length);
  /** Connection, channel and queue churn (RabbitMQ's churn_rates); queue_deleted is kept by the vhosts. */
  private readonly churnCounts = new ChurnCounters();
  /** When the last pass began (-1: never). */
  private lastSampleAt = -1;
  private pass: SamplePass | undefined;
  /** Message sizes and confirm-mode publishes, counted in ChannelCounters.published (Prometheus's global counters). */
  readonly globals = new PublishGlobals();

  constructor(vhosts: ReadonlyMap<string, VirtualHost>) {
    this.vhosts = vhosts;
  }

  /** connection.open-ok was sent on connection `id` to `vhost` (RabbitMQ's connection_created). */
  connectionCreated(id: number, vhost: string): void {
    this.churnCounts.connection_created++;
    const counters = this.connections.get(id);
    if (counters !== undefined) counters.vhost = vhost;
  }

  /** A non-passive queue.declare passed its permission check (RabbitMQ's queue_declared). */
  queueDeclared(): void {
    this.churnCounts.queue_declared++;
  }

  /** A queue.declare made the queue (queue_created). */
  queueCreated(): void {
    this.churnCounts.queue_created++;
  }

  connectionOpened(id: number, octets?: OctetSource): ConnectionCounters {
    const counters = new ConnectionCounters();
    counters.octetSource = octets;
    this.connections.set(id, counters);
    return counters;
  }

  connectionClosed(id: number): void {
    this.churnCounts.connection_closed++;
    const counters = this.connections.get(id);
    if (counters === undefined) return;
    this.connections.delete(id);
    counters.addTo(this.closedConnections);
    if (counters.vhost === undefined) return;
    let ofVhost = this.closedByVhost.get(counters.vhost);
    if (ofVhost === undefined) this.closedByVhost.set(counters.vhost, (ofVhost = new ConnectionCounters()));
    counters.addTo(ofVhost);
  }

  /** A vhost is being deleted (out of the table, its queues not yet gone): totals keep counting it. */
  vhostDetached(vhost: VirtualHost): void {
    this.detachedVhosts.add(vhost);
  }

  /** A detached vhost's queues are gone: their counts are folded into the totals for good. */
  vhostDestroyed(vhost: VirtualHost): void {
    if (!this.detachedVhosts.delete(vhost)) return;
    this.closedByVhost.delete(vhost.name);
    vhost.deletedQueueCounters.all.addTo(this.deletedVhostQueues); // its live queues' counts and its deleted ones'
    this.deletedVhostQueues.queues += vhost.deletedQueueCounters.queues + vhost.queues.size;
  }

  /** A connection the broker did not register (one built outside the server) counts on its own. */
  channelOpened(connectionId: number, channel: number): ChannelCounters {
    const conn = this.connections.get(connectionId) ?? new ConnectionCounters();
    const counters = new ChannelCounters(conn, this.globals);
    conn.channels.set(channel, counters);
    this.churnCounts.channel_created++;
    return counters;
  }

  channelClosed(connectionId: number, channel: number, counters: ChannelCounters): void {
    this.churnCounts.channel_closed++;
    const conn = this.connections.get(connectionId);
    if (conn?.channels.get(channel) === counters) conn.channels.delete(channel);
  }

  /**
   * The broker's ticker calls this: a pass starts when `intervalMs` (> 0) has passed since the last
   * one began, and each call samples at most SAMPLE_SLICE objects of it. With 100,000 queues one
   * whole pass froze every client for 180 ms; sliced, a pass spreads over a few ticks, each object
   * sampled at its own time (its rate is over its own interval, so nothing is skewed).
   */
  tick(now: number, intervalMs: number): void {
    if (this.pass === undefined) {
      if (intervalMs <= 0 || (this.lastSampleAt >= 0 && now - this.lastSampleAt < intervalMs)) return;
      this.pass = this.startPass(now);
    }
    this.runPass(now, SAMPLE_SLICE);
  }

  /** A whole sample now (finishing a pass under way), for `broker.stats.sample()` and tests. */
  sample(now: number): void {
    this.pass ??= this.startPass(now);
    this.runPass(now, Infinity);
  }

  private startPass(now: number): SamplePass {
    const previous = this.lastSampleAt;
    this.lastSampleAt = now;
    const pass: SamplePass = { previous, now, objects: undefined as unknown as Iterator<undefined, undefined> };
    pass.objects = this.sampleObjects(pass);
    return pass;
  }

  private runPass(now: number, budget: number): void {
    const pass = this.pass as SamplePass;
    pass.now = now;
    for (let n = 0; n < budget; n++) {
      if (pass.objects.next().done === true) {
        this.pass = undefined;
        takeSample(this.totalCounts(), TOTAL_STATS, this.totalsSample, now, pass.previous);
        takeSample(this.churnValues(), CHURN_STATS, this.churnCounts.sample, now, pass.previous);
        return;
      }
    }
  }

  /** One step per object. */
  private *sampleObjects(pass: SamplePass): Iterator<undefined, undefined> {
    for (const vhost of this.vhosts.values()) {
      for (const q of vhost.queues.values()) {
        takeDepthSample(q.counters.sample, q.messageCount, q.ref.outstandingCount, pass.now, pass.previous);
        takeSample(q.counters, QUEUE_STATS, q.counters.sample, pass.now, pass.previous);
        yield;
      }
      for (const x of vhost.exchanges.values()) {
        takeSample(x.counters, EXCHANGE_STATS, x.counters.sample, pass.now, pass.previous);
        yield;
      }
    }
    for (const conn of this.connections.values()) {
      const source = conn.octetSource;
      if (source !== undefined) takeSample({ recv: source.recvOct(), send: source.sendOct() }, OCTETS, conn.octets, pass.now, pass.previous);
      takeSample(conn, CHANNEL_STATS, conn.sample, pass.now, pass.previous);
      for (const ch of conn.channels.values()) takeSample(ch, CHANNEL_ALL_STATS, ch.sample, pass.now, pass.previous);
      yield;
    }
  }

  queue(vhost: string, name: string): QueueStats | undefined {
    const c = this.vhosts.get(vhost)?.queues.get(name)?.counters;
    return c === undefined ? undefined : queueStatsOf(c);
  }

  exchange(vhost: string, name: string): ExchangeStats | undefined {
    const c = this.vhosts.get(vhost)?.exchanges.get(name)?.counters;
    return c === undefined ? undefined : snapshotOf(c, EXCHANGE_STATS, c.sample);
  }

  connection(id: number): ConnectionStats | undefined {
    const c = this.connections.get(id);
    return c === undefined ? undefined : snapshotOf(c, CHANNEL_STATS, c.sample);
  }

  /** Bytes per second over the last sample interval: 0 received (recv_oct_details), 1 sent (send_oct_details). */
  octetRate(id: number, which: 0 | 1): number {
    return this.connections.get(id)?.octets.rates[which] ?? 0;
  }

  channel(connectionId: number, channel: number): ChannelStats | undefined {
    const c = this.connections.get(connectionId)?.channels.get(channel);
    return c === undefined ? undefined : withDeliverGet(snapshotOf(c, CHANNEL_ALL_STATS, c.sample));
  }

  totals(): TotalStats {
    return withDeliverGet(snapshotOf(this.totalCounts(), TOTAL_STATS, this.totalsSample));
  }

  /**
   * Each vhost's message_stats (RabbitMQ's vhost objects): the client-side counts of its connections
   * (closed ones too), the delivery-side counts of its queues (deleted ones too). A rate is the sum of
   * its live objects' rates. One pass over queues and connections for all vhosts.
   */
  vhostTotals(): Map<string, TotalStats> {
    const acc = new Map<string, { values: Record<TotalStatName, number>; sample: Sample }>();
    const channelFields = CHANNEL_STATS.length;
    for (const vhost of this.vhosts.values()) {
      const values = {} as Record<TotalStatName, number>;
      const sample = new Sample(TOTAL_STATS.length);
      for (const name of TOTAL_STATS) values[name] = 0;
      const closed = this.closedByVhost.get(vhost.name);
      if (closed !== undefined) for (const name of CHANNEL_STATS) values[name] += closed[name];
      const addQueue = (c: QueueCounts, rates: Float64Array | undefined): void => {
        for (let i = 1; i < QUEUE_STATS.length; i++) {
          const name = QUEUE_STATS[i] as Exclude<QueueStatName, 'publish'>;
          values[name] += c[name];
          if (rates !== undefined) sample.rates[channelFields + i - 1] = (sample.rates[channelFields + i - 1] as number) + (rates[i] as number);
        }
      };
      addQueue(vhost.deletedQueueCounters, undefined);
      for (const q of vhost.queues.values()) addQueue(q.counters, q.counters.sample.rates);
      acc.set(vhost.name, { values, sample });
    }
    for (const c of this.connections.values()) {
      const into = c.vhost === undefined ? undefined : acc.get(c.vhost);
      if (into === undefined) continue;
      for (let i = 0; i < channelFields; i++) {
        const name = CHANNEL_STATS[i] as ChannelStatName;
        into.values[name] += c[name];
        into.sample.rates[i] = (into.sample.rates[i] as number) + (c.sample.rates[i] as number);
      }
    }
    const out = new Map<string, TotalStats>();
    for (const [name, { values, sample }] of acc) out.set(name, withDeliverGet(snapshotOf(values, TOTAL_STATS, sample)));
    return out;
  }

  churn(): ChurnStats {
    return snapshotOf(this.churnValues(), CHURN_STATS, this.churnCounts.sample);
  }

  private churnValues(): Record<ChurnStatName, number> {
    let deleted = this.deletedVhostQueues.queues;
    for (const vhost of this.vhosts.values()) deleted += vhost.deletedQueueCounters.queues;
    for (const vhost of this.detachedVhosts) deleted += vhost.deletedQueueCounters.queues;
    const c = this.churnCounts;
    return {
      connection_created: c.connection_created,
      connection_closed: c.connection_closed,
      channel_created: c.channel_created,
      channel_closed: c.channel_closed,
      queue_declared: c.queue_declared,
      queue_created: c.queue_created,
      queue_deleted: deleted,
    };
  }

  /** Connections' counts and each vhost's queue counts (kept as they count: no walk over queues). */
  private totalCounts(): Record<TotalStatName, number> {
    const conns = new ConnectionCounters();
    this.closedConnections.addTo(conns);
    for (const c of this.connections.values()) c.addTo(conns);
    const queues = new QueueCounts();
    this.deletedVhostQueues.addTo(queues);
    for (const vhost of this.vhosts.values()) vhost.deletedQueueCounters.all.addTo(queues);
    for (const vhost of this.detachedVhosts) vhost.deletedQueueCounters.all.addTo(queues);
    const out = {} as Record<TotalStatName, number>;
    for (const name of CHANNEL_STATS) out[name] = conns[name];
    for (const name of QUEUE_STATS) if (name !== 'publish') out[name] = queues[name];
    return out;
  }
}

import type { VirtualHost } from './vhost.js';

/**
 * Every queue's depths in columns: what a Prometheus scrape of 100,000 queues reads (bench/prometheus-scale.ts).
 * ReadModel.queueDepths fills it in one tight loop, with no call per queue and nothing allocated once the
 * columns are big enough: at 100,000 queues the walk is bound by memory (each figure is a count some
 * object of the queue keeps), and a visitor callback per queue cost as much again as the walk.
 * Columns are valid up to `count`; `vhosts` and `names` are the queues' own string objects.
 */
export class QueueDepths {
  count = 0;
  /** Body bytes paged to disk, summed over these queues (warren_paged_bytes). */
  pagedBytes = 0;
  vhosts: string[] = [];
  names: string[] = [];
  ready = new Float64Array(0);
  /** Delivered and not yet settled. */
  unacked = new Float64Array(0);
  consumers = new Float64Array(0);
  /** Bytes of the ready messages' bodies. */
  readyBytes = new Float64Array(0);

  /** How many queues the columns hold before they grow. */
  get capacity(): number {
    return this.ready.length;
  }

  grow(): void {
    const size = Math.max(1024, this.ready.length * 2);
    const bigger = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const a = new Float64Array(size);
      a.set(old);
      return a;
    };
    this.ready = bigger(this.ready);
    this.unacked = bigger(this.unacked);
    this.consumers = bigger(this.consumers);
    this.readyBytes = bigger(this.readyBytes);
  }
}

/** The depths summed over queues, without labels (/metrics). */
export interface QueueDepthSums {
  readonly queues: number;
  readonly ready: number;
  readonly unacked: number;
  readonly consumers: number;
  readonly readyBytes: number;
  readonly pagedBytes: number;
}

/** Fills `into` with the queues of `vhosts`, in their order; returns it. */
export function fillQueueDepths(into: QueueDepths, vhosts: Iterable<VirtualHost>): QueueDepths {
  let i = 0;
  let paged = 0;
  const vnames = into.vhosts;
  const names = into.names;
  for (const v of vhosts) {
    const vhost = v.name;
    for (const q of v.queues.values()) {
      if (i === into.capacity) into.grow();
      const pb = q.pagedBytes;
      paged += pb;
      into.ready[i] = q.messageCount;
      into.unacked[i] = q.ref.outstandingCount;
      into.consumers[i] = q.consumerCount;
      into.readyBytes[i] = q.messageBytes;
      // Stored only when they differ: most scrapes see the same queues, and a store is a write barrier.
      if (vnames[i] !== vhost) vnames[i] = vhost;
      if (names[i] !== q.name) names[i] = q.name;
      i++;
    }
  }
  vnames.length = i;
  names.length = i;
  into.count = i;
  into.pagedBytes = paged;
  return into;
}

/** The same figures summed, for the queues of `vhosts`. */
export function sumQueueDepths(vhosts: Iterable<VirtualHost>): QueueDepthSums {
  let queues = 0;
  let ready = 0;
  let unacked = 0;
  let consumers = 0;
  let readyBytes = 0;
  let pagedBytes = 0;
  for (const v of vhosts) {
    for (const q of v.queues.values()) {
      queues++;
      ready += q.messageCount;
      unacked += q.ref.outstandingCount;
      consumers += q.consumerCount;
      readyBytes += q.messageBytes;
      pagedBytes += q.pagedBytes;
    }
  }
  return { queues, ready, unacked, consumers, readyBytes, pagedBytes };
}

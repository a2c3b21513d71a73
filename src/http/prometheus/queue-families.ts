import { escapeLabel, type TextWriter } from './exposition.js';
import type { PrometheusBroker } from './prometheus-broker.js';

/**
 * The queue families (RabbitMQ's queue_coarse_metrics, queue_consumer_count and part of queue_metrics):
 * summed on /metrics, one sample per {vhost, queue} on /metrics/per-object and /metrics/detailed. The
 * queues are read once into columns (one label string and a few numbers per queue, no snapshot objects),
 * then written family by family, as the text format groups samples, flushing to the socket every 64 KiB.
 */
interface QueueColumns {
  /** `vhost="…",queue="…"` per queue. */
  readonly labels: string[];
  /** `{vhost="…",queue="…"} `: what each per-queue line repeats. */
  readonly braced: string[];
  readonly ready: number[];
  readonly unacked: number[];
  readonly consumers: number[];
  readonly readyBytes: number[];
}

/** The queue families, by RabbitMQ's family name for /metrics/detailed. */
export type QueueFamily = 'queue_coarse_metrics' | 'queue_consumer_count' | 'queue_metrics';

function columns(api: PrometheusBroker, vhosts: ReadonlySet<string> | undefined): QueueColumns {
  const out: QueueColumns = { labels: [], braced: [], ready: [], unacked: [], consumers: [], readyBytes: [] };
  api.readModel.eachQueueDepth((vhost, name, ready, unacked, consumers, readyBytes) => {
    if (vhosts !== undefined && !vhosts.has(vhost)) return;
    const labels = `vhost="${escapeLabel(vhost)}",queue="${escapeLabel(name)}"`;
    out.labels.push(labels);
    out.braced.push(`{${labels}} `);
    out.ready.push(ready);
    out.unacked.push(unacked);
    out.consumers.push(consumers);
    out.readyBytes.push(readyBytes);
  });
  return out;
}

async function perQueue(w: TextWriter, name: string, type: 'gauge', help: string, braced: readonly string[], values: readonly number[]): Promise<void> {
  w.family(name, type, help);
  for (let i = 0; i < braced.length; i++) {
    w.objectSample(name, braced[i] as string, values[i] as number);
    if (w.full) await w.flush();
  }
}

const HELP = {
  ready: 'Messages ready to be delivered to consumers',
  unacked: 'Messages delivered to consumers but not yet acknowledged',
  messages: 'Sum of ready and unacknowledged messages - total queue depth',
  consumers: 'Consumers on a queue',
  readyBytes: 'Size in bytes of ready messages',
  info: "A metric with a constant '1' value and labels that provide some queue details",
} as const;

/** /metrics: the queue families summed over every queue, without labels (RabbitMQ's aggregated mode); returns how many queues there are. */
export function writeQueueSums(w: TextWriter, api: PrometheusBroker): number {
  let queues = 0;
  let ready = 0;
  let unacked = 0;
  let consumers = 0;
  let readyBytes = 0;
  api.readModel.eachQueueDepth((_v, _n, r, u, c, b) => {
    queues++;
    ready += r;
    unacked += u;
    consumers += c;
    readyBytes += b;
  });
  w.single('rabbitmq_queue_messages_ready', 'gauge', HELP.ready, '', ready);
  w.single('rabbitmq_queue_messages_unacked', 'gauge', HELP.unacked, '', unacked);
  w.single('rabbitmq_queue_messages', 'gauge', HELP.messages, '', ready + unacked);
  w.single('rabbitmq_queue_consumers', 'gauge', HELP.consumers, '', consumers);
  w.single('rabbitmq_queue_messages_ready_bytes', 'gauge', HELP.readyBytes, '', readyBytes);
  return queues;
}

/**
 * One sample per queue of each asked-for family, then rabbitmq[_detailed]_queue_info per queue;
 * `vhosts` limits them to those vhosts (/metrics/detailed?vhost=...).
 */
export async function writeQueuesPerObject(w: TextWriter, api: PrometheusBroker, prefix: string, families: ReadonlySet<QueueFamily>, vhosts?: ReadonlySet<string>): Promise<number> {
  if (families.size === 0) return 0;
  const q = columns(api, vhosts);
  const p = `${prefix}queue_`;
  if (families.has('queue_coarse_metrics')) {
    await perQueue(w, `${p}messages_ready`, 'gauge', HELP.ready, q.braced, q.ready);
    await perQueue(w, `${p}messages_unacked`, 'gauge', HELP.unacked, q.braced, q.unacked);
    await perQueue(w, `${p}messages`, 'gauge', HELP.messages, q.braced, q.ready.map((r, i) => r + (q.unacked[i] as number)));
  }
  // queue_consumer_count is the cheap subset of queue_metrics; one of them, as RabbitMQ does.
  if (families.has('queue_metrics') || families.has('queue_consumer_count')) {
    await perQueue(w, `${p}consumers`, 'gauge', HELP.consumers, q.braced, q.consumers);
  }
  if (families.has('queue_metrics')) {
    await perQueue(w, `${p}messages_ready_bytes`, 'gauge', HELP.readyBytes, q.braced, q.readyBytes);
  }
  const info = `${p}info`;
  w.family(info, 'gauge', HELP.info);
  for (let i = 0; i < q.labels.length; i++) {
    w.sample(info, `${q.labels[i] as string},queue_type="rabbit_classic_queue",membership="leader"`, 1);
    if (w.full) await w.flush();
  }
  return q.labels.length;
}

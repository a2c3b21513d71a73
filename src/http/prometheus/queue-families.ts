import type { TextWriter } from './exposition.js';
import { LineEncoder } from './line-encoder.js';
import type { PrometheusBroker } from './prometheus-broker.js';
import { QueueColumns } from './queue-columns.js';

/**
 * The queue families (RabbitMQ's queue_coarse_metrics, queue_consumer_count and part of queue_metrics):
 * summed on /metrics, one sample per {vhost, queue} on /metrics/per-object and /metrics/detailed. The
 * queues are read once into columns (queue-columns.ts: labels kept between scrapes, figures in reused
 * arrays), then written family by family, as the text format groups samples, in 256 KiB chunks.
 */

/** The queue families, by RabbitMQ's family name for /metrics/detailed. */
export type QueueFamily = 'queue_coarse_metrics' | 'queue_consumer_count' | 'queue_metrics';

const NO_EXTRA = new Uint8Array(0);
/** A kept block goes to the socket in slices of this size. */
const BLOCK_CHUNK = 256 * 1024;
const INFO_EXTRA = Buffer.from(',queue_type="rabbit_classic_queue",membership="leader"', 'latin1');

/** One family's samples, one per queue, encoded as they go out in chunks. */
async function perQueue(w: TextWriter, out: LineEncoder, name: string, help: string, q: QueueColumns, values: Float64Array, extra: Uint8Array): Promise<void> {
  w.family(name, 'gauge', help);
  const head = LineEncoder.prefix(name);
  const labels = q.labels;
  for (let i = 0; i < q.count; i++) {
    out.line(head, labels[i] as Uint8Array, extra, values[i] as number);
    if (out.full) await out.send(w.bytes);
  }
  await out.send(w.bytes);
}

/** The same, from the lines kept since the last scrape: only queues whose value changed are encoded. */
async function perQueueKept(w: TextWriter, name: string, help: string, q: QueueColumns, values: Float64Array, extra: Uint8Array): Promise<void> {
  w.family(name, 'gauge', help);
  await sendBlock(w, q.keptFamily(name, extra).lines(q.labels, values, q.count));
}

/** A kept block goes to the socket in slices (each awaited: the block is rewritten by a later scrape). */
async function sendBlock(w: TextWriter, block: Uint8Array): Promise<void> {
  for (let at = 0; at < block.length; at += BLOCK_CHUNK) await w.bytes(Buffer.from(block.buffer, block.byteOffset + at, Math.min(BLOCK_CHUNK, block.length - at)));
}

const HELP = {
  ready: 'Messages ready to be delivered to consumers',
  unacked: 'Messages delivered to consumers but not yet acknowledged',
  messages: 'Sum of ready and unacknowledged messages - total queue depth',
  consumers: 'Consumers on a queue',
  readyBytes: 'Size in bytes of ready messages',
  info: "A metric with a constant '1' value and labels that provide some queue details",
} as const;

/** What the queue pass counted, for the families written after it. */
export interface QueueTotals {
  readonly queues: number;
  /** warren_paged_bytes. */
  readonly pagedBytes: number;
}

/** /metrics: the queue families summed over every queue, without labels (RabbitMQ's aggregated mode). */
export function writeQueueSums(w: TextWriter, api: PrometheusBroker): QueueTotals {
  const { queues, pagedBytes, ready, unacked, consumers, readyBytes } = api.readModel.queueDepthSums();
  w.single('rabbitmq_queue_messages_ready', 'gauge', HELP.ready, '', ready);
  w.single('rabbitmq_queue_messages_unacked', 'gauge', HELP.unacked, '', unacked);
  w.single('rabbitmq_queue_messages', 'gauge', HELP.messages, '', ready + unacked);
  w.single('rabbitmq_queue_consumers', 'gauge', HELP.consumers, '', consumers);
  w.single('rabbitmq_queue_messages_ready_bytes', 'gauge', HELP.readyBytes, '', readyBytes);
  return { queues, pagedBytes };
}

/**
 * One sample per queue of each asked-for family, then rabbitmq[_detailed]_queue_info per queue;
 * `vhosts` limits them to those vhosts (/metrics/detailed?vhost=...). `cache`: the listener's columns,
 * kept between scrapes (a vhost-limited scrape uses its own, so it does not evict the full set).
 */
export async function writeQueuesPerObject(w: TextWriter, api: PrometheusBroker, prefix: string, families: ReadonlySet<QueueFamily>, cache: QueueColumns, vhosts?: ReadonlySet<string>): Promise<QueueTotals> {
  if (families.size === 0) return { queues: 0, pagedBytes: 0 };
  const q = vhosts === undefined ? cache.load(api.readModel) : new QueueColumns().load(api.readModel, vhosts);
  const out = new LineEncoder();
  // The listener's kept columns keep each family's lines too; a vhost-limited scrape encodes them all.
  const family = (name: string, help: string, values: Float64Array, extra = NO_EXTRA): Promise<void> =>
    q === cache ? perQueueKept(w, name, help, q, values, extra) : perQueue(w, out, name, help, q, values, extra);
  const p = `${prefix}queue_`;
  if (families.has('queue_coarse_metrics')) {
    await family(`${p}messages_ready`, HELP.ready, q.ready);
    await family(`${p}messages_unacked`, HELP.unacked, q.unacked);
    await family(`${p}messages`, HELP.messages, q.messages);
  }
  // queue_consumer_count is the cheap subset of queue_metrics; one of them, as RabbitMQ does.
  if (families.has('queue_metrics') || families.has('queue_consumer_count')) {
    await family(`${p}consumers`, HELP.consumers, q.consumers);
  }
  if (families.has('queue_metrics')) {
    await family(`${p}messages_ready_bytes`, HELP.readyBytes, q.readyBytes);
  }
  // Its value is always 1: kept, its lines (~11 MB at 100,000 queues) are re-encoded only when the queue set changes.
  await family(`${p}info`, HELP.info, q.ones, INFO_EXTRA);
  return { queues: q.count, pagedBytes: q.pagedBytes };
}

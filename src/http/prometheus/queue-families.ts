import { escapeLabel, type TextWriter } from './exposition.js';
import { LabelsBuilder, LineEncoder, type EncodedLabels } from './line-encoder.js';
import type { PrometheusBroker } from './prometheus-broker.js';

/**
 * The queue families (RabbitMQ's queue_coarse_metrics, queue_consumer_count and part of queue_metrics):
 * summed on /metrics, one sample per {vhost, queue} on /metrics/per-object and /metrics/detailed. The
 * queues are read once into columns (one label string and a few numbers per queue, no snapshot objects),
 * then written family by family, as the text format groups samples, flushing to the socket every 64 KiB.
 */
interface QueueColumns {
  /** `vhost="…",queue="…"` per queue, as bytes. */
  readonly labels: EncodedLabels;
  readonly ready: number[];
  readonly unacked: number[];
  readonly messages: number[];
  readonly consumers: number[];
  readonly readyBytes: number[];
}

/** The queue families, by RabbitMQ's family name for /metrics/detailed. */
export type QueueFamily = 'queue_coarse_metrics' | 'queue_consumer_count' | 'queue_metrics';

function columns(api: PrometheusBroker, vhosts: ReadonlySet<string> | undefined): QueueColumns {
  const labels = new LabelsBuilder();
  const ready: number[] = [];
  const unacked: number[] = [];
  const messages: number[] = [];
  const consumers: number[] = [];
  const readyBytes: number[] = [];
  let vhostPart = '';
  let lastVhost: string | undefined;
  api.readModel.eachQueueDepth((vhost, name, r, u, c, b) => {
    if (vhosts !== undefined && !vhosts.has(vhost)) return;
    if (vhost !== lastVhost) {
      lastVhost = vhost;
      vhostPart = `vhost="${escapeLabel(vhost)}",queue="`;
    }
    labels.next();
    labels.text(vhostPart);
    labels.text(escapeLabel(name));
    labels.text('"');
    ready.push(r);
    unacked.push(u);
    messages.push(r + u);
    consumers.push(c);
    readyBytes.push(b);
  });
  return { labels: labels.done(), ready, unacked, messages, consumers, readyBytes };
}

const NO_EXTRA = new Uint8Array(0);

async function perQueue(w: TextWriter, name: string, type: 'gauge', help: string, labels: EncodedLabels, values: readonly number[], extra = NO_EXTRA): Promise<void> {
  w.family(name, type, help);
  const encoder = new LineEncoder();
  const nameBytes = Buffer.from(name, 'latin1');
  for (let i = 0; i < values.length; i++) {
    encoder.line(nameBytes, labels, i, extra, values[i] as number);
    if (encoder.full) await w.bytes(encoder.take() as Buffer);
  }
  const rest = encoder.take();
  if (rest !== undefined) await w.bytes(rest);
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
  const labels = q.labels;
  const p = `${prefix}queue_`;
  if (families.has('queue_coarse_metrics')) {
    await perQueue(w, `${p}messages_ready`, 'gauge', HELP.ready, labels, q.ready);
    await perQueue(w, `${p}messages_unacked`, 'gauge', HELP.unacked, labels, q.unacked);
    await perQueue(w, `${p}messages`, 'gauge', HELP.messages, labels, q.messages);
  }
  // queue_consumer_count is the cheap subset of queue_metrics; one of them, as RabbitMQ does.
  if (families.has('queue_metrics') || families.has('queue_consumer_count')) {
    await perQueue(w, `${p}consumers`, 'gauge', HELP.consumers, labels, q.consumers);
  }
  if (families.has('queue_metrics')) {
    await perQueue(w, `${p}messages_ready_bytes`, 'gauge', HELP.readyBytes, labels, q.readyBytes);
  }
  const ones = q.ready.map(() => 1);
  await perQueue(w, `${p}info`, 'gauge', HELP.info, labels, ones, Buffer.from(',queue_type="rabbit_classic_queue",membership="leader"', 'latin1'));
  return q.ready.length;
}

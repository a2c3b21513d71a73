import { escapeLabel, type TextWriter } from './exposition.js';
import { writeChurn, writeNodeCoarse, writeNodeLimits } from './node-families.js';
import type { PrometheusBroker } from './prometheus-broker.js';
import { writeQueuesPerObject, type QueueFamily } from './queue-families.js';
import type { QueueColumns } from './queue-columns.js';
import { SCHEMA_DETAILED_FAMILY, writeSchemaFamilies } from './schema-families.js';

/**
 * /metrics/detailed?family=...&vhost=...: only the asked-for metric groups, by RabbitMQ's family names,
 * with the rabbitmq_detailed_ prefix; vhost= (repeatable) limits the queue and exchange groups to those
 * vhosts. A family Warren has no figures for (channel_process_metrics, auth_attempt_metrics, ...) is
 * answered with nothing, as RabbitMQ answers an unknown one.
 */
export const DETAILED_FAMILIES = [
  'connection_churn_metrics',
  'node_coarse_metrics',
  'node_metrics',
  'queue_coarse_metrics',
  'queue_consumer_count',
  'queue_metrics',
  'queue_delivery_metrics',
  'exchange_metrics',
  /** Warren's own (warren_exchange_schema_*): x-schema exchanges' verdicts, per exchange. */
  SCHEMA_DETAILED_FAMILY,
] as const;

export type DetailedFamily = (typeof DETAILED_FAMILIES)[number];

const PREFIX = 'rabbitmq_detailed_';

export async function writeDetailed(w: TextWriter, api: PrometheusBroker, families: ReadonlySet<string>, vhosts: ReadonlySet<string> | undefined, columns: QueueColumns): Promise<void> {
  if (families.has('connection_churn_metrics')) writeChurn(w, PREFIX, api);
  if (families.has('node_coarse_metrics')) writeNodeCoarse(w, PREFIX, api);
  if (families.has('node_metrics')) writeNodeLimits(w, PREFIX, api);
  const queueFamilies = new Set<QueueFamily>();
  for (const f of ['queue_coarse_metrics', 'queue_consumer_count', 'queue_metrics'] as const) if (families.has(f)) queueFamilies.add(f);
  await writeQueuesPerObject(w, api, PREFIX, queueFamilies, columns, vhosts);
  if (families.has('queue_delivery_metrics')) await writeQueueDeliveries(w, api, vhosts);
  if (families.has('exchange_metrics')) await writeExchanges(w, api, vhosts);
  if (families.has(SCHEMA_DETAILED_FAMILY)) await writeSchemaFamilies(w, api, true, vhosts);
}

const inView = (vhosts: ReadonlySet<string> | undefined, vhost: string): boolean => vhosts === undefined || vhosts.has(vhost);

/** queue_delivery_metrics: each queue's delivery counters (from its message_stats). */
async function writeQueueDeliveries(w: TextWriter, api: PrometheusBroker, vhosts: ReadonlySet<string> | undefined): Promise<void> {
  const rows: { labels: string; s: Readonly<Record<string, number>> }[] = [];
  for (const q of api.readModel.queues()) {
    if (!inView(vhosts, q.vhost) || q.messageStats === undefined) continue;
    rows.push({ labels: `vhost="${escapeLabel(q.vhost)}",queue="${escapeLabel(q.name)}"`, s: q.messageStats as unknown as Readonly<Record<string, number>> });
  }
  const p = `${PREFIX}queue_`;
  const fields: readonly [string, string, string][] = [
    ['get_ack_total', 'get', 'Total number of messages fetched from a queue with basic.get in manual acknowledgement mode'],
    ['get_total', 'get_no_ack', 'Total number of messages fetched from a queue with basic.get in automatic acknowledgement mode'],
    ['messages_delivered_ack_total', 'deliver', 'Total number of messages delivered from a queue to consumers in manual acknowledgement mode'],
    ['messages_delivered_total', 'deliver_no_ack', 'Total number of messages delivered from a queue to consumers in automatic acknowledgement mode'],
    ['messages_redelivered_total', 'redeliver', 'Total number of messages redelivered from a queue to consumers'],
    ['messages_acked_total', 'ack', 'Total number of messages acknowledged by consumers on a queue'],
    ['get_empty_total', 'get_empty', 'Total number of times basic.get operations fetched no message on a queue'],
  ];
  for (const [name, field, help] of fields) {
    w.family(`${p}${name}`, 'counter', help);
    for (const r of rows) {
      w.sample(`${p}${name}`, r.labels, r.s[field] ?? 0);
      if (w.full) await w.flush();
    }
  }
}

/** exchange_metrics: each exchange's publish counters (confirms are counted per channel only in Warren: left out). */
async function writeExchanges(w: TextWriter, api: PrometheusBroker, vhosts: ReadonlySet<string> | undefined): Promise<void> {
  const rows = api.readModel.exchanges().filter((x) => inView(vhosts, x.vhost) && x.messageStats !== undefined);
  const p = `${PREFIX}exchange_`;
  const fields = [
    ['messages_published_total', 'publish_in', 'Total number of messages published into an exchange'],
    ['messages_unroutable_returned_total', 'return_unroutable', 'Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable'],
    ['messages_unroutable_dropped_total', 'drop_unroutable', 'Total number of messages published as non-mandatory into an exchange and dropped as unroutable'],
  ] as const;
  for (const [name, field, help] of fields) {
    w.family(`${p}${name}`, 'counter', help);
    for (const x of rows) {
      w.sample(`${p}${name}`, `vhost="${escapeLabel(x.vhost)}",exchange="${escapeLabel(x.name)}"`, x.messageStats?.[field] ?? 0);
      if (w.full) await w.flush();
    }
  }
}

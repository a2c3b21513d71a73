import type { TotalStats } from '../../core/stats/snapshot.js';
import type { TextWriter } from './exposition.js';
import type { PrometheusBroker } from './prometheus-broker.js';

/*
 * The broker-wide families of rabbitmq_prometheus, with its names, types and labels (its
 * prometheus_rabbitmq_core_metrics_collector, _global_metrics_collector, _alarm_metrics_collector and
 * rabbit_msg_size_metrics); HELP says what the value means in Warren. `prefix` is rabbitmq_ on /metrics and
 * /metrics/per-object, rabbitmq_detailed_ on /metrics/detailed, as RabbitMQ's.
 */

const AMQP091 = 'protocol="amqp091"';
const CLASSIC = 'protocol="amqp091",queue_type="rabbit_classic_queue"';

/** connection_churn_metrics: counts since start, never going down. */
export function writeChurn(w: TextWriter, prefix: string, api: PrometheusBroker): void {
  const c = api.stats.churn();
  w.single(`${prefix}connections_opened_total`, 'counter', 'Total number of connections opened', '', c.connection_created);
  w.single(`${prefix}connections_closed_total`, 'counter', 'Total number of connections closed or terminated', '', c.connection_closed);
  w.single(`${prefix}channels_opened_total`, 'counter', 'Total number of channels opened', '', c.channel_created);
  w.single(`${prefix}channels_closed_total`, 'counter', 'Total number of channels closed', '', c.channel_closed);
  w.single(`${prefix}queues_declared_total`, 'counter', 'Total number of queues declared', '', c.queue_declared);
  w.single(`${prefix}queues_created_total`, 'counter', 'Total number of queues created', '', c.queue_created);
  w.single(`${prefix}queues_deleted_total`, 'counter', 'Total number of queues deleted', '', c.queue_deleted);
}

/** node_coarse_metrics (what changes) and node_metrics (limits, uptime); a figure the OS does not give is left out. */
export function writeNodeCoarse(w: TextWriter, prefix: string, api: PrometheusBroker): void {
  const n = api.nodeFigures();
  if (n.openFds !== undefined) w.single(`${prefix}process_open_fds`, 'gauge', 'Open file descriptors', '', n.openFds);
  w.single(`${prefix}process_resident_memory_bytes`, 'gauge', 'Memory used in bytes (the process RSS)', '', n.residentMemoryBytes);
  if (n.diskFreeBytes !== undefined) w.single(`${prefix}disk_space_available_bytes`, 'gauge', 'Disk space available in bytes (the data directory)', '', n.diskFreeBytes);
}

export function writeNodeLimits(w: TextWriter, prefix: string, api: PrometheusBroker): void {
  const n = api.nodeFigures();
  if (n.maxFds !== undefined) w.single(`${prefix}process_max_fds`, 'gauge', 'Open file descriptors limit', '', n.maxFds);
  w.single(`${prefix}resident_memory_limit_bytes`, 'gauge', 'Memory high watermark in bytes', '', n.memoryLimitBytes);
  w.single(`${prefix}disk_space_available_limit_bytes`, 'gauge', 'Free disk space low watermark in bytes', '', n.diskFreeLimitBytes);
  w.single(`${prefix}erlang_uptime_seconds`, 'gauge', 'Node uptime (Warren: seconds since the broker started)', '', Math.max(0, api.now() - api.startedAt) / 1000);
}

/** rabbitmq_connections, _channels, _consumers, _queues: what is open now. */
export interface ObjectTotals {
  readonly connections: number;
  readonly channels: number;
  readonly consumers: number;
  readonly queues: number;
  /** Open channels that have published at least once (rabbitmq_global_publishers). */
  readonly publishers: number;
}

/** `queues`: counted by the queue families' pass, not again here. */
export function objectTotals(api: PrometheusBroker, queues: number): ObjectTotals {
  const rm = api.readModel;
  const channels = rm.channels();
  let publishers = 0;
  for (const ch of channels) if ((ch.messageStats?.publish ?? 0) > 0) publishers++;
  return { connections: rm.connections().length, channels: channels.length, consumers: rm.consumers().length, queues, publishers };
}

export function writeTotals(w: TextWriter, t: ObjectTotals): void {
  w.single('rabbitmq_connections', 'gauge', 'Connections currently open', '', t.connections);
  w.single('rabbitmq_channels', 'gauge', 'Channels currently open', '', t.channels);
  w.single('rabbitmq_consumers', 'gauge', 'Consumers currently connected', '', t.consumers);
  w.single('rabbitmq_queues', 'gauge', 'Queues available', '', t.queues);
}

/** rabbit_global_counters: broker-wide counts since start (closed connections and deleted queues included). */
export function writeGlobals(w: TextWriter, api: PrometheusBroker, totals: TotalStats, t: ObjectTotals): void {
  const g = 'rabbitmq_global_';
  const routed = totals.publish - totals.return_unroutable - totals.drop_unroutable;
  w.single(`${g}messages_received_total`, 'counter', 'Total number of messages received from publishers', AMQP091, totals.publish);
  w.single(`${g}messages_received_confirm_total`, 'counter', 'Total number of messages received from publishers expecting confirmations', AMQP091, api.globals.receivedConfirm);
  w.single(`${g}messages_routed_total`, 'counter', 'Total number of messages routed to queues', AMQP091, routed);
  w.single(`${g}messages_unroutable_dropped_total`, 'counter', 'Total number of messages published as non-mandatory into an exchange and dropped as unroutable', AMQP091, totals.drop_unroutable);
  w.single(`${g}messages_unroutable_returned_total`, 'counter', 'Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable', AMQP091, totals.return_unroutable);
  w.single(`${g}messages_confirmed_total`, 'counter', 'Total number of messages confirmed to publishers', AMQP091, totals.confirm);
  w.single(`${g}publishers`, 'gauge', 'Current number of publishers (open channels that have published)', AMQP091, t.publishers);
  w.single(`${g}consumers`, 'gauge', 'Current number of consumers', AMQP091, t.consumers);
  const delivered = totals.deliver + totals.deliver_no_ack + totals.get + totals.get_no_ack;
  w.single(`${g}messages_delivered_total`, 'counter', 'Total number of messages delivered to consumers', CLASSIC, delivered);
  w.single(`${g}messages_delivered_consume_manual_ack_total`, 'counter', 'Total number of messages delivered to consumers using basic.consume with manual acknowledgment', CLASSIC, totals.deliver);
  w.single(`${g}messages_delivered_consume_auto_ack_total`, 'counter', 'Total number of messages delivered to consumers using basic.consume with automatic acknowledgment', CLASSIC, totals.deliver_no_ack);
  w.single(`${g}messages_delivered_get_manual_ack_total`, 'counter', 'Total number of messages delivered to consumers using basic.get with manual acknowledgment', CLASSIC, totals.get);
  w.single(`${g}messages_delivered_get_auto_ack_total`, 'counter', 'Total number of messages delivered to consumers using basic.get with automatic acknowledgment', CLASSIC, totals.get_no_ack);
  w.single(`${g}messages_get_empty_total`, 'counter', 'Total number of times basic.get operations fetched no message', CLASSIC, totals.get_empty);
  w.single(`${g}messages_redelivered_total`, 'counter', 'Total number of messages redelivered to consumers', CLASSIC, totals.redeliver);
  w.single(`${g}messages_acknowledged_total`, 'counter', 'Total number of messages acknowledged by consumers', CLASSIC, totals.ack);
  // Warren counts the messages that left a queue for each reason, with or without a dead-letter exchange:
  // no dead_letter_strategy label (README, Prometheus deviations).
  const dl = 'queue_type="rabbit_classic_queue"';
  w.single(`${g}messages_dead_lettered_expired_total`, 'counter', 'Total number of messages dead-lettered or dropped due to message TTL exceeded', dl, totals.drop_expired);
  w.single(`${g}messages_dead_lettered_maxlen_total`, 'counter', 'Total number of messages dead-lettered or dropped due to overflow drop-head or reject-publish-dlx', dl, totals.drop_maxlen);
  w.single(`${g}messages_dead_lettered_rejected_total`, 'counter', 'Total number of messages dead-lettered or dropped due to basic.reject or basic.nack', dl, totals.drop_rejected);
  w.single(`${g}messages_dead_lettered_delivery_limit_total`, 'counter', 'Total number of messages dead-lettered or dropped due to delivery-limit exceeded', dl, totals.drop_delivery_limit);
}

/** channel_exchange_metrics and channel_queue_metrics summed over every channel (closed ones too, so never going down). */
export function writeChannelTotals(w: TextWriter, prefix: string, t: TotalStats): void {
  const c = `${prefix}channel_`;
  w.single(`${c}messages_published_total`, 'counter', 'Total number of messages published into an exchange on a channel', '', t.publish);
  w.single(`${c}messages_confirmed_total`, 'counter', 'Total number of messages published into an exchange and confirmed on the channel', '', t.confirm);
  w.single(`${c}messages_unroutable_returned_total`, 'counter', 'Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable', '', t.return_unroutable);
  w.single(`${c}messages_unroutable_dropped_total`, 'counter', 'Total number of messages published as non-mandatory into an exchange and dropped as unroutable', '', t.drop_unroutable);
  w.single(`${c}get_ack_total`, 'counter', 'Total number of messages fetched with basic.get in manual acknowledgement mode', '', t.get);
  w.single(`${c}get_total`, 'counter', 'Total number of messages fetched with basic.get in automatic acknowledgement mode', '', t.get_no_ack);
  w.single(`${c}messages_delivered_ack_total`, 'counter', 'Total number of messages delivered to consumers in manual acknowledgement mode', '', t.deliver);
  w.single(`${c}messages_delivered_total`, 'counter', 'Total number of messages delivered to consumers in automatic acknowledgement mode', '', t.deliver_no_ack);
  w.single(`${c}messages_redelivered_total`, 'counter', 'Total number of messages redelivered to consumers', '', t.redeliver);
  w.single(`${c}messages_acked_total`, 'counter', 'Total number of messages acknowledged by consumers', '', t.ack);
  w.single(`${c}get_empty_total`, 'counter', 'Total number of times basic.get operations fetched no message', '', t.get_empty);
}

/** rabbitmq_build_info and rabbitmq_identity_info (untyped, as RabbitMQ's): every RabbitMQ-Overview panel joins on the latter. */
export function writeIdentity(w: TextWriter, api: PrometheusBroker, endpoint: string, labels: (pairs: Record<string, string>) => string): void {
  const build = labels({ rabbitmq_version: api.rabbitmqVersion, product_name: 'Warren', product_version: api.productVersion, prometheus_plugin_version: api.productVersion, prometheus_client_version: api.productVersion, erlang_version: process.version });
  w.single('rabbitmq_build_info', 'untyped', 'RabbitMQ & Erlang/OTP version info (Warren: the RabbitMQ version it follows, its own version, Node.js for Erlang)', build, 1);
  const identity = labels({ rabbitmq_node: api.node, rabbitmq_cluster: api.node, rabbitmq_cluster_permanent_id: api.clusterPermanentId, rabbitmq_endpoint: endpoint });
  w.single('rabbitmq_identity_info', 'untyped', 'RabbitMQ node & cluster identity info', identity, 1);
}

/** rabbitmq_message_size_bytes{protocol} and the resource alarms (prometheus_rabbitmq_alarm_metrics_collector: untyped, as its). */
export function writeMessageSizesAndAlarms(w: TextWriter, api: PrometheusBroker): void {
  w.family('rabbitmq_message_size_bytes', 'histogram', 'Size of messages received from publishers (the body, in bytes)');
  w.histogram('rabbitmq_message_size_bytes', AMQP091, api.globals.sizes);
  const n = api.nodeFigures();
  w.single('rabbitmq_alarms_free_disk_space_watermark', 'untyped', 'is 1 if free disk space watermark alarm is in effect', '', n.diskAlarm ? 1 : 0);
  w.single('rabbitmq_alarms_memory_used_watermark', 'untyped', 'is 1 if VM memory watermark alarm is in effect', '', n.memoryAlarm ? 1 : 0);
}

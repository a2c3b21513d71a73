import type {
  BindingSnapshot,
  ChannelSnapshot,
  ConnectionRef,
  ConnectionSnapshot,
  ConsumerSnapshot,
  ExchangeSnapshot,
  QueueSnapshot,
} from '../core/snapshots.js';
import type { VhostPermission } from '../core/security/permissions.js';
import type { VhostMetadata } from '../core/vhost-meta.js';
import type { ManagementUser } from './management-broker.js';
import type { Json } from './list-query.js';

/*
 * Snapshots into RabbitMQ management's JSON (3.10 field names, checked by the field-shape differential
 * in test/integration/http/). Fields Warren has no value for are left out rather than invented; README
 * ("Management HTTP API") lists them.
 */

/** The default exchange is "" in JSON and amq.default in paths. */
export const DEFAULT_EXCHANGE_PATH = 'amq.default';

function connectionDetails(c: ConnectionRef): Json {
  return { name: c.name, peer_host: c.peerHost, peer_port: c.peerPort };
}

export function queueJson(q: QueueSnapshot): Json {
  const out: Json = {
    name: q.name,
    vhost: q.vhost,
    node: q.node,
    type: q.type,
    state: q.state,
    durable: q.durable,
    auto_delete: q.autoDelete,
    exclusive: q.exclusive,
    arguments: q.arguments,
    messages: q.messages,
    messages_ready: q.messagesReady,
    messages_unacknowledged: q.messagesUnacknowledged,
    messages_details: { rate: q.messagesRate },
    messages_ready_details: { rate: q.messagesReadyRate },
    messages_unacknowledged_details: { rate: q.messagesUnacknowledgedRate },
    message_bytes_ready: q.messageBytesReady,
    // Not the queue's process memory as in RabbitMQ (Warren has none per queue): the ready messages' bytes.
    memory: q.messageBytesReady,
    consumers: q.consumerCount,
    exclusive_consumer_tag: q.exclusiveConsumerTag ?? null,
    single_active_consumer_tag: q.singleActiveConsumerTag ?? null,
    policy: q.policy ?? null,
    operator_policy: q.operatorPolicy ?? null,
    effective_policy_definition: q.effectivePolicyDefinition,
    message_stats: q.messageStats ?? {},
  };
  if (q.owner !== undefined) out['owner_pid_details'] = connectionDetails(q.owner);
  return out;
}

export function exchangeJson(x: ExchangeSnapshot): Json {
  const out: Json = {
    name: x.name,
    vhost: x.vhost,
    type: x.type,
    durable: x.durable,
    auto_delete: x.autoDelete,
    internal: x.internal,
    arguments: x.arguments,
    message_stats: x.messageStats ?? {},
  };
  if (x.messagesDelayed !== undefined) out['messages_delayed'] = x.messagesDelayed;
  if (x.schemaStats !== undefined) out['schema_stats'] = x.schemaStats; // Warren's x-schema exchanges only
  if (x.policy !== undefined) out['policy'] = x.policy; // RabbitMQ lists it only when one applies
  return out;
}

export function bindingJson(b: BindingSnapshot): Json {
  return {
    source: b.source,
    vhost: b.vhost,
    destination: b.destination,
    destination_type: b.destinationType,
    routing_key: b.routingKey,
    arguments: b.arguments,
    properties_key: b.propertiesKey,
  };
}

export function connectionJson(c: ConnectionSnapshot): Json {
  const out: Json = {
    name: c.name,
    node: c.node,
    type: 'network',
    protocol: c.protocol,
    host: c.host,
    port: c.port,
    peer_host: c.peerHost,
    peer_port: c.peerPort,
    user: c.user ?? null,
    vhost: c.vhost ?? null,
    state: c.state,
    channels: c.channels,
    channel_max: c.channelMax,
    frame_max: c.frameMax,
    timeout: c.heartbeat,
    client_properties: c.clientProperties,
    user_provided_name: c.clientName ?? null,
    connected_at: c.connectedAt,
    recv_oct: c.bytesIn,
    recv_oct_details: { rate: c.bytesInRate },
    send_oct: c.bytesOut,
    send_oct_details: { rate: c.bytesOutRate },
    recv_cnt: c.framesIn,
    send_cnt: c.framesOut,
    send_pend: c.sendPending,
    ssl: c.ssl,
    ssl_protocol: c.sslProtocol ?? null,
    ssl_key_exchange: c.sslKeyExchange ?? null,
    ssl_cipher: c.sslCipher ?? null,
    ssl_hash: c.sslHash ?? null,
    peer_cert_subject: c.peerCertSubject ?? null,
    peer_cert_issuer: c.peerCertIssuer ?? null,
    peer_cert_validity: c.peerCertValidity ?? null,
    auth_mechanism: c.authMechanism ?? null,
  };
  return out;
}

export function channelJson(ch: ChannelSnapshot): Json {
  return {
    name: ch.name,
    node: ch.node,
    number: ch.number,
    connection_details: connectionDetails(ch.connection),
    user: ch.user ?? null,
    vhost: ch.vhost,
    state: ch.state,
    prefetch_count: ch.prefetchCount,
    global_prefetch_count: ch.globalPrefetchCount,
    messages_unacknowledged: ch.messagesUnacknowledged,
    consumer_count: ch.consumerCount,
    confirm: ch.confirm,
    transactional: ch.transactional,
    message_stats: ch.messageStats ?? {},
  };
}

export function consumerJson(c: ConsumerSnapshot, node: string): Json {
  return {
    consumer_tag: c.tag,
    queue: { name: c.queue.name, vhost: c.queue.vhost },
    channel_details: {
      name: c.channel.name,
      number: c.channel.number,
      connection_name: c.channel.connection.name,
      peer_host: c.channel.connection.peerHost,
      peer_port: c.channel.connection.peerPort,
      user: c.channel.user ?? null,
      node,
    },
    ack_required: c.ackRequired,
    prefetch_count: c.prefetchCount,
    exclusive: c.exclusive,
    active: c.active,
    activity_status: c.activityStatus,
    arguments: c.arguments,
  };
}

/** A vhost's sums over its queues and connections (RabbitMQ's vhost object fields of the same names). */
export interface VhostTotals {
  messages: number;
  messages_details: { rate: number };
  messages_ready: number;
  messages_ready_details: { rate: number };
  messages_unacknowledged: number;
  messages_unacknowledged_details: { rate: number };
  recv_oct: number;
  recv_oct_details: { rate: number };
  send_oct: number;
  send_oct_details: { rate: number };
  message_stats?: Json;
}

export function emptyVhostTotals(): VhostTotals {
  const rate = (): { rate: number } => ({ rate: 0 });
  return {
    messages: 0,
    messages_details: rate(),
    messages_ready: 0,
    messages_ready_details: rate(),
    messages_unacknowledged: 0,
    messages_unacknowledged_details: rate(),
    recv_oct: 0,
    recv_oct_details: rate(),
    send_oct: 0,
    send_oct_details: rate(),
  };
}

export function vhostJson(name: string, meta: VhostMetadata, node: string, totals: VhostTotals): Json {
  return {
    name,
    description: meta.description,
    tags: meta.tags,
    default_queue_type: meta.defaultQueueType,
    metadata: { description: meta.description, tags: meta.tags },
    tracing: false,
    cluster_state: { [node]: 'running' },
    ...totals,
  };
}

export function userJson(u: ManagementUser): Json {
  const limits: Json = {};
  if (u.limits.maxConnections !== undefined) limits['max-connections'] = u.limits.maxConnections;
  if (u.limits.maxChannels !== undefined) limits['max-channels'] = u.limits.maxChannels;
  return { name: u.name, password_hash: u.passwordHash, hashing_algorithm: u.hashingAlgorithm, tags: u.tags, limits };
}

export function permissionJson(p: VhostPermission): Json {
  return { user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read };
}

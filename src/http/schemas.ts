/*
 * Response schemas, as const: fastify compiles each once into a serializer (fast-json-stringify), which
 * also keeps replies to the fields declared here. No `required` lists: `columns` may drop any field.
 */

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
/** Field tables (arguments, client_properties) and message_stats: free-form objects. */
const free = { type: 'object', additionalProperties: true } as const;
const strings = { type: 'array', items: str } as const;
const num = { type: 'number' } as const;
/** RabbitMQ's `<name>_details`: the rate over the last sample interval. */
const rate = { type: 'object', properties: { rate: num } } as const;
const connectionDetails = { type: 'object', properties: { name: str, peer_host: str, peer_port: int } } as const;

/** reason: RabbitMQ sends an Erlang tuple as a JSON array ("[\"not_boolean\",1]"), so any JSON. */
export const ERROR_SCHEMA = { type: 'object', properties: { error: str, reason: {} } } as const;

export const QUEUE_SCHEMA = {
  type: 'object',
  properties: {
    name: str,
    vhost: str,
    node: str,
    type: str,
    state: str,
    durable: bool,
    auto_delete: bool,
    exclusive: bool,
    arguments: free,
    messages: int,
    messages_ready: int,
    messages_unacknowledged: int,
    messages_details: rate,
    messages_ready_details: rate,
    messages_unacknowledged_details: rate,
    message_bytes_ready: int,
    memory: int,
    consumers: int,
    exclusive_consumer_tag: strOrNull,
    single_active_consumer_tag: strOrNull,
    policy: strOrNull,
    operator_policy: strOrNull,
    effective_policy_definition: free,
    message_stats: free,
    owner_pid_details: connectionDetails,
    consumer_details: { type: 'array', items: free },
  },
} as const;

export const EXCHANGE_SCHEMA = {
  type: 'object',
  properties: {
    name: str,
    vhost: str,
    type: str,
    durable: bool,
    auto_delete: bool,
    internal: bool,
    arguments: free,
    message_stats: free,
    messages_delayed: int,
    /** x-schema exchanges only: a Warren extension (README, Schema-checked exchanges). */
    schema_stats: { type: 'object', properties: { valid: int, invalid: int, unparseable: int, dropped: int } },
    policy: str,
  },
} as const;

export const BINDING_SCHEMA = {
  type: 'object',
  properties: { source: str, vhost: str, destination: str, destination_type: str, routing_key: str, arguments: free, properties_key: str },
} as const;

export const CONNECTION_SCHEMA = {
  type: 'object',
  properties: {
    name: str,
    node: str,
    type: str,
    protocol: str,
    host: str,
    port: int,
    peer_host: str,
    peer_port: int,
    user: strOrNull,
    vhost: strOrNull,
    state: str,
    channels: int,
    channel_max: int,
    frame_max: int,
    timeout: int,
    client_properties: free,
    user_provided_name: strOrNull,
    connected_at: int,
    recv_oct: int,
    recv_oct_details: rate,
    send_oct: int,
    send_oct_details: rate,
    recv_cnt: int,
    send_cnt: int,
    send_pend: int,
    auth_mechanism: strOrNull,
    ssl: bool,
    ssl_protocol: strOrNull,
    ssl_key_exchange: strOrNull,
    ssl_cipher: strOrNull,
    ssl_hash: strOrNull,
    peer_cert_subject: strOrNull,
    peer_cert_issuer: strOrNull,
    peer_cert_validity: strOrNull,
  },
} as const;

export const CHANNEL_SCHEMA = {
  type: 'object',
  properties: {
    name: str,
    node: str,
    number: int,
    connection_details: connectionDetails,
    user: strOrNull,
    vhost: str,
    state: str,
    prefetch_count: int,
    global_prefetch_count: int,
    messages_unacknowledged: int,
    consumer_count: int,
    confirm: bool,
    transactional: bool,
    message_stats: free,
  },
} as const;

export const CONSUMER_SCHEMA = {
  type: 'object',
  properties: {
    consumer_tag: str,
    queue: { type: 'object', properties: { name: str, vhost: str } },
    channel_details: {
      type: 'object',
      properties: { name: str, number: int, connection_name: str, peer_host: str, peer_port: int, user: strOrNull, node: str },
    },
    ack_required: bool,
    prefetch_count: int,
    exclusive: bool,
    active: bool,
    activity_status: str,
    arguments: free,
  },
} as const;

export const VHOST_SCHEMA = {
  type: 'object',
  properties: {
    name: str,
    description: str,
    tags: strings,
    default_queue_type: str,
    metadata: { type: 'object', properties: { description: str, tags: strings } },
    tracing: bool,
    cluster_state: { type: 'object', additionalProperties: str },
    messages: int,
    messages_details: rate,
    messages_ready: int,
    messages_ready_details: rate,
    messages_unacknowledged: int,
    messages_unacknowledged_details: rate,
    recv_oct: int,
    recv_oct_details: rate,
    send_oct: int,
    send_oct_details: rate,
    message_stats: free,
  },
} as const;

export const USER_SCHEMA = {
  type: 'object',
  properties: { name: str, password_hash: str, hashing_algorithm: str, tags: strings, limits: { type: 'object', additionalProperties: int } },
} as const;

export const PERMISSION_SCHEMA = {
  type: 'object',
  properties: { user: str, vhost: str, configure: str, write: str, read: str },
} as const;

/** A list: the array, or with `page` the paged envelope (the route picks its serializer). */
export function listSchemas<S extends object>(item: S) {
  return {
    array: { type: 'array', items: item } as const,
    paged: {
      type: 'object',
      properties: {
        filtered_count: int,
        item_count: int,
        items: { type: 'array', items: item },
        page: int,
        page_count: int,
        page_size: int,
        total_count: int,
      },
    } as const,
  };
}

export const OVERVIEW_SCHEMA = {
  type: 'object',
  properties: {
    management_version: str,
    rates_mode: str,
    exchange_types: { type: 'array', items: { type: 'object', properties: { name: str, description: str, enabled: bool } } },
    product_version: str,
    product_name: str,
    rabbitmq_version: str,
    cluster_name: str,
    node: str,
    disable_stats: bool,
    enable_queue_totals: bool,
    statistics_db_event_queue: int,
    message_stats: free,
    churn_rates: free,
    queue_totals: {
      type: 'object',
      properties: {
        messages: int,
        messages_details: rate,
        messages_ready: int,
        messages_ready_details: rate,
        messages_unacknowledged: int,
        messages_unacknowledged_details: rate,
      },
    },
    object_totals: { type: 'object', properties: { channels: int, connections: int, consumers: int, exchanges: int, queues: int } },
    listeners: {
      type: 'array',
      items: { type: 'object', properties: { node: str, protocol: str, ip_address: str, port: int, socket_opts: free } },
    },
  },
} as const;

export const NODE_SCHEMA = {
  type: 'object',
  properties: {
    name: str,
    type: str,
    running: bool,
    os_pid: str,
    uptime: int,
    mem_used: int,
    mem_limit: int,
    disk_free: int,
    disk_free_limit: int,
    mem_alarm: bool,
    disk_free_alarm: bool,
    processors: int,
    rates_mode: str,
    partitions: strings,
    exchange_types: OVERVIEW_SCHEMA.properties.exchange_types,
  },
} as const;

export const WHOAMI_SCHEMA = { type: 'object', properties: { name: str, tags: strings } } as const;
export const CLUSTER_NAME_SCHEMA = { type: 'object', properties: { name: str } } as const;

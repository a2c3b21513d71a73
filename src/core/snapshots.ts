import type { ChannelStats, ConnectionStats, ExchangeStats, QueueStats } from './stats/snapshot.js';

/**
 * What the read model hands out: plain, frozen copies taken at the moment of the call, never live
 * objects. Field names follow RabbitMQ's management API (GET /api/connections, /api/channels,
 * /api/consumers, /api/queues, /api/exchanges) in camelCase; where ours differs, the doc comment
 * names RabbitMQ's field, so the HTTP layer maps them one to one.
 */

/** A field-table value as plain data (RabbitMQ's JSON shows arguments and client properties so). */
export type PlainValue = string | number | boolean | null | readonly PlainValue[] | PlainTable;
export type PlainTable = { readonly [key: string]: PlainValue };


/**
 * RabbitMQ's connection states: starting, tuning and opening are the handshake steps (waiting for
 * start-ok, tune-ok, open); blocked: held by a memory or disk alarm; closing: connection.close sent
 * or received, close-ok awaited.
 */
export type ConnectionState = 'starting' | 'tuning' | 'opening' | 'running' | 'blocked' | 'closing' | 'closed';

/**
 * A connection's TLS details as RabbitMQ's management API shows them (GET /api/connections), in the
 * same value formats (amqp/tls-details.ts reads them). All undefined on plain TCP, and the three
 * peer_cert ones also on TLS without a client certificate (RabbitMQ's JSON has null there).
 */
export interface TlsDetails {
  /** Over TLS (RabbitMQ: ssl). */
  readonly ssl: boolean;
  /** `tlsv1.2`, `tlsv1.3` (RabbitMQ: ssl_protocol); undefined on plain TCP, as the ssl_* and peer_cert_* fields below. */
  readonly sslProtocol: string | undefined;
  /** Erlang's name for the suite's key exchange: `ecdhe_ecdsa`, `ecdhe_rsa`; `any` for TLS 1.3 (RabbitMQ: ssl_key_exchange). */
  readonly sslKeyExchange: string | undefined;
  /** `aes_256_gcm`, `chacha20_poly1305`, `aes_256_cbc` (RabbitMQ: ssl_cipher). */
  readonly sslCipher: string | undefined;
  /** The suite's MAC: `aead` for GCM, CCM, ChaCha20-Poly1305 and all of TLS 1.3, else `sha384`, `sha256`, `sha` (RabbitMQ: ssl_hash). */
  readonly sslHash: string | undefined;
  /** The client certificate's subject DN, `CN=bob,O=Acme,C=US`; undefined without one (RabbitMQ: peer_cert_subject). */
  readonly peerCertSubject: string | undefined;
  /** Its issuer DN, in the same form (RabbitMQ: peer_cert_issuer). */
  readonly peerCertIssuer: string | undefined;
  /** `2026-12-02T14:57:09Z - 2026-12-04T14:57:09Z`, notBefore - notAfter (RabbitMQ: peer_cert_validity). */
  readonly peerCertValidity: string | undefined;
}

export interface ConnectionSnapshot extends TlsDetails {
  /** Node-qualified and unique for the broker's lifetime: `<node>/<n>`. */
  readonly id: string;
  /** RabbitMQ's connection name, `peerhost:peerport -> host:port`: what the HTTP API addresses. */
  readonly name: string;
  readonly node: string;
  /** The client's `connection_name` client property (RabbitMQ: user_provided_name). */
  readonly clientName: string | undefined;
  /** client_properties as sent in connection.start-ok; empty before it arrived. */
  readonly clientProperties: PlainTable;
  readonly protocol: 'AMQP 0-9-1';
  readonly host: string;
  readonly port: number;
  readonly peerHost: string;
  readonly peerPort: number;
  /** undefined before login. */
  readonly user: string | undefined;
  /** The SASL mechanism the client logged in with, PLAIN, AMQPLAIN or EXTERNAL; undefined before login (RabbitMQ: auth_mechanism). */
  readonly authMechanism: string | undefined;
  /** undefined before connection.open. */
  readonly vhost: string | undefined;
  readonly state: ConnectionState;
  /** Open channels (RabbitMQ: channels). */
  readonly channels: number;
  readonly channelMax: number;
  readonly frameMax: number;
  /** Negotiated heartbeat in seconds, 0 = none (RabbitMQ: timeout). */
  readonly heartbeat: number;
  /** Bytes read from the socket (RabbitMQ: recv_oct). */
  readonly bytesIn: number;
  /** Bytes handed to the socket (RabbitMQ: send_oct). */
  readonly bytesOut: number;
  /** Bytes read per second over the last sample interval (RabbitMQ: recv_oct_details.rate). */
  readonly bytesInRate: number;
  /** Bytes written per second, likewise (RabbitMQ: send_oct_details.rate). */
  readonly bytesOutRate: number;
  /** Frames parsed from the client, heartbeats included. */
  readonly framesIn: number;
  /** Frames written to the client, heartbeats included. */
  readonly framesOut: number;
  /** Bytes written and not yet taken by the kernel (RabbitMQ: send_pend). */
  readonly sendPending: number;
  /** Epoch ms when the socket was accepted (RabbitMQ: connected_at). */
  readonly connectedAt: number;
  /** Message counters and rates (RabbitMQ: message_stats); undefined once the object is gone. */
  readonly messageStats: ConnectionStats | undefined;
}

/** Which connection a channel or consumer belongs to (RabbitMQ: connection_details / channel_details). */
export interface ConnectionRef {
  readonly id: string;
  readonly name: string;
  readonly clientName: string | undefined;
  readonly peerHost: string;
  readonly peerPort: number;
}

export interface ChannelSnapshot {
  /** `<connection id>/<number>`. */
  readonly id: string;
  /** RabbitMQ's channel name: `<connection name> (<number>)`. */
  readonly name: string;
  readonly node: string;
  readonly number: number;
  readonly connection: ConnectionRef;
  readonly user: string | undefined;
  readonly vhost: string;
  readonly state: 'running';
  /** basic.qos global=false: the limit each consumer created afterwards gets; 0 = none (RabbitMQ: prefetch_count). */
  readonly prefetchCount: number;
  /** basic.qos global=true: unacked deliveries allowed on the channel; 0 = none (RabbitMQ: global_prefetch_count). */
  readonly globalPrefetchCount: number;
  /** Deliveries awaiting ack on this channel, basic.get ones included (RabbitMQ: messages_unacknowledged). */
  readonly messagesUnacknowledged: number;
  readonly consumerCount: number;
  /** confirm.select was sent (RabbitMQ: confirm). */
  readonly confirm: boolean;
  /** tx.select was sent (RabbitMQ: transactional). */
  readonly transactional: boolean;
  /** Message counters and rates (RabbitMQ: message_stats); undefined once the object is gone. */
  readonly messageStats: ChannelStats | undefined;
}

export interface ChannelRef {
  readonly id: string;
  readonly name: string;
  readonly number: number;
  readonly connection: ConnectionRef;
  readonly user: string | undefined;
}

export interface ResourceRef {
  readonly vhost: string;
  readonly name: string;
}

/**
 * RabbitMQ's activity_status: up (delivering), single_active (the active one of a single-active-consumer
 * queue), waiting (another consumer of that queue is the active one).
 */
export type ConsumerActivity = 'up' | 'single_active' | 'waiting';

export interface ConsumerSnapshot {
  /** RabbitMQ: consumer_tag. */
  readonly tag: string;
  readonly channel: ChannelRef;
  readonly queue: ResourceRef;
  /** Not no-ack (RabbitMQ: ack_required). */
  readonly ackRequired: boolean;
  /** The per-consumer prefetch in force when it was created; 0 = none (RabbitMQ: prefetch_count). */
  readonly prefetchCount: number;
  readonly exclusive: boolean;
  /** Receives deliveries: always, unless a single-active-consumer queue has another active consumer. */
  readonly active: boolean;
  readonly activityStatus: ConsumerActivity;
  /** Deliveries to this consumer awaiting ack. */
  readonly unacknowledged: number;
  readonly arguments: PlainTable;
}

export interface QueueSnapshot {
  readonly name: string;
  readonly vhost: string;
  readonly node: string;
  readonly type: 'classic';
  readonly state: 'running';
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly exclusive: boolean;
  /** The connection that owns an exclusive queue (RabbitMQ: owner_pid_details). */
  readonly owner: ConnectionRef | undefined;
  readonly arguments: PlainTable;
  /** Name of the policy in force (RabbitMQ: policy); undefined: none. */
  readonly policy: string | undefined;
  /** Name of the operator policy in force (RabbitMQ: operator_policy). */
  readonly operatorPolicy: string | undefined;
  /** The policy merged with the operator policy, {} when none (RabbitMQ: effective_policy_definition). */
  readonly effectivePolicyDefinition: PlainTable;
  /** Ready + unacknowledged (RabbitMQ: messages). */
  readonly messages: number;
  /** Waiting for a consumer, in memory or paged to disk (RabbitMQ: messages_ready). */
  readonly messagesReady: number;
  /** Delivered and awaiting ack, on any channel (RabbitMQ: messages_unacknowledged). */
  readonly messagesUnacknowledged: number;
  /** Change of `messages` per second over the last sample interval (RabbitMQ: messages_details.rate). */
  readonly messagesRate: number;
  /** Likewise of messagesReady (RabbitMQ: messages_ready_details.rate). */
  readonly messagesReadyRate: number;
  /** Likewise of messagesUnacknowledged (RabbitMQ: messages_unacknowledged_details.rate). */
  readonly messagesUnacknowledgedRate: number;
  /** Property and body bytes of the ready messages (RabbitMQ: message_bytes_ready). */
  readonly messageBytesReady: number;
  /** RabbitMQ: consumers. */
  readonly consumerCount: number;
  /** The tag of the exclusive consumer, if one holds the queue (RabbitMQ: exclusive_consumer_tag). */
  readonly exclusiveConsumerTag: string | undefined;
  /** The active consumer of a single-active-consumer queue (RabbitMQ: single_active_consumer_tag). */
  readonly singleActiveConsumerTag: string | undefined;
  /** Message counters and rates (RabbitMQ: message_stats); undefined once the object is gone. */
  readonly messageStats: QueueStats | undefined;
}

export interface ExchangeSnapshot {
  /** '' is the default exchange (RabbitMQ's API shows it as "" too). */
  readonly name: string;
  readonly vhost: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  /** Predeclared by the broker (the default exchange and amq.*); RabbitMQ lists them alike. */
  readonly builtin: boolean;
  readonly arguments: PlainTable;
  /** Name of the policy in force (RabbitMQ: policy); undefined: none. */
  readonly policy: string | undefined;
  /** Name of the operator policy in force (RabbitMQ: operator_policy). */
  readonly operatorPolicy: string | undefined;
  /** The policy merged with the operator policy, {} when none (RabbitMQ: effective_policy_definition). */
  readonly effectivePolicyDefinition: PlainTable;
  /** x-delayed-message exchanges: messages waiting for their delay (the plugin's messages_delayed). */
  readonly messagesDelayed: number | undefined;
  /** Message counters and rates (RabbitMQ: message_stats); undefined once the object is gone. */
  readonly messageStats: ExchangeStats | undefined;
  /** x-schema exchanges only (a Warren extension, no RabbitMQ field): what the schema check found. */
  readonly schemaStats: SchemaStats | undefined;
}

export interface SchemaStats {
  readonly valid: number;
  readonly invalid: number;
  readonly unparseable: number;
  /** Failed, neither returned, nacked nor sent to an x-invalid-exchange. */
  readonly dropped: number;
}

/** An x-schema exchange's schema and its last invalid messages (GET /api/exchanges/{vhost}/{name}/schema). */
export interface ExchangeSchemaSnapshot {
  readonly vhost: string;
  readonly exchange: string;
  /** x-schema as given (inline JSON or a registered name), and the schema it comes to (parsed). */
  readonly source: string | undefined;
  readonly schema: unknown;
  readonly byKey: readonly { readonly pattern: string; readonly source: string; readonly schema: unknown }[];
  readonly registered: readonly string[];
  readonly contentTypes: readonly string[];
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly stats: SchemaStats;
  /** Oldest first; at most SCHEMA_REJECTS_KEPT. */
  readonly invalidMessages: readonly {
    readonly at: number;
    readonly routingKey: string;
    readonly verdict: string;
    readonly reason: string;
    readonly outcome: string;
    readonly bodySize: number;
    /** The first bytes of the body, decoded as UTF-8. */
    readonly bodyStart: string;
  }[];
}

/** One binding (RabbitMQ's /api/bindings object); the default exchange's implicit ones included, source ''. */
export interface BindingSnapshot {
  readonly vhost: string;
  readonly source: string;
  readonly destination: string;
  readonly destinationType: 'queue' | 'exchange';
  readonly routingKey: string;
  readonly arguments: PlainTable;
  /** RabbitMQ's properties_key (core/binding-key.ts): computed from the typed arguments, which the plain ones no longer carry. */
  readonly propertiesKey: string;
}

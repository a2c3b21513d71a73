import type { BasicProperties } from '../protocol/content-header.js';
import type { FieldTable } from '../protocol/field-table.js';

/*
 * What the management API's write endpoints for queues, exchanges and bindings need of a broker:
 * each operation as the named HTTP user, through the same declare, delete, bind, get and publish
 * paths AMQP uses (permissions, argument validation, the vhost's default queue type, policies).
 * Failures are the broker's coded errors (AmqpError, with RabbitMQ's texts); the routes map them to
 * RabbitMQ's HTTP answers. Built by src/broker-management-topology.ts.
 */

export interface QueueDeclareRequest {
  readonly name: string;
  readonly passive: boolean;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
}

export interface ExchangeDeclareRequest {
  readonly name: string;
  readonly type: string;
  readonly passive: boolean;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: FieldTable;
}

export interface BindingRequest {
  readonly source: string;
  readonly destinationType: 'queue' | 'exchange';
  readonly destination: string;
  readonly routingKey: string;
  readonly arguments: FieldTable;
}

/** POST /api/queues/{vhost}/{name}/get's ackmode. */
export type AckMode = 'ack_requeue_true' | 'ack_requeue_false' | 'reject_requeue_true' | 'reject_requeue_false';

/** One message a get took, copied out of the queue. */
export interface GotMessage {
  readonly redelivered: boolean;
  readonly exchange: string;
  readonly routingKey: string;
  /** Ready messages left in the queue after this one was taken (basic.get-ok's message_count). */
  readonly messageCount: number;
  readonly properties: BasicProperties;
  readonly body: Buffer;
  /** With x-delivery-limit: how often it came back (x-delivery-count); else 0. */
  readonly deliveryCount: number;
}

export interface TopologyOps {
  /** queue.declare as `user`: true when created, false when an equivalent queue was there. Resolves once it is on disk. */
  declareQueue(user: string, vhost: string, req: QueueDeclareRequest): Promise<boolean>;
  /** queue.delete as `user`; a missing queue is not an error (the route answers 404 before). */
  deleteQueue(user: string, vhost: string, name: string, options: { readonly ifUnused: boolean; readonly ifEmpty: boolean }): Promise<void>;
  /** queue.purge as `user` (read on the queue). */
  purgeQueue(user: string, vhost: string, name: string): void;
  /**
   * Up to `count` basic.gets as `user` (a negative count: until the queue is empty, as RabbitMQ's
   * loop runs), then the ackmode applied to all of them at once: ack_requeue_false takes them,
   * reject_requeue_false rejects them (dead-lettered where the queue says), the other two put them
   * back where they were, marked redelivered.
   */
  getMessages(user: string, vhost: string, name: string, count: number, ackmode: AckMode): Promise<readonly GotMessage[]>;
  declareExchange(user: string, vhost: string, req: ExchangeDeclareRequest): Promise<boolean>;
  deleteExchange(user: string, vhost: string, name: string, ifUnused: boolean): Promise<void>;
  bind(user: string, vhost: string, req: BindingRequest): Promise<void>;
  unbind(user: string, vhost: string, req: BindingRequest): Promise<void>;
  /** The binding a properties_key names (core/binding-key.ts), with its typed arguments; undefined when there is none. */
  findBinding(vhost: string, source: string, destinationType: 'queue' | 'exchange', destination: string, propertiesKey: string): BindingRequest | undefined;
  /** broker.publish as `user` (src/broker-publish.ts): rejects with PublishRequestError. */
  publish(user: string, vhost: string, exchange: string, request: unknown): Promise<{ readonly routed: boolean }>;
}

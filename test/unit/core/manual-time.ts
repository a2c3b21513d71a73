/**
 * A vhost on a ManualClock, driven the way a client would drive it: declare, publish (route, then
 * enqueue with the message's own TTL, as basic.publish does), consume, basic.get. Time moves only
 * when a test calls clock.advance(), so TTL, x-expires and delays are checked to the millisecond
 * without waiting.
 */
import { Message } from '../../../src/core/message.js';
import { connectionPrincipal } from '../../../src/core/principal.js';
import type { QueueConsumer } from '../../../src/core/queue/consumer-set.js';
import type { Queue } from '../../../src/core/queue/queue.js';
import { VirtualHost } from '../../../src/core/vhost.js';
import { encodePropertiesBuffer, type BasicProperties } from '../../../src/protocol/content-header.js';
import type { FieldTable, FieldValue } from '../../../src/protocol/field-table.js';
import { ManualClock } from '../../../src/util/manual-clock.js';

/** 2026-01-01T00:00:00.250Z: off a whole second, so a stamp truncated to seconds is checked too. */
export const START = Date.UTC(2026, 0, 1) + 250;

export const OWNER = connectionPrincipal('guest', '/', 'test@node/1');

export function manualVhost(): { clock: ManualClock; vhost: VirtualHost } {
  const clock = new ManualClock(START);
  return { clock, vhost: new VirtualHost('/', clock) };
}

export function int(value: number): FieldValue {
  return { type: 'int32', value };
}

export function str(value: string): FieldValue {
  return { type: 'string', value };
}

export function declareQueue(vhost: VirtualHost, name: string, args: FieldTable = {}): Queue {
  return vhost.declareQueue({ name, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: args }, OWNER);
}

export function declareExchange(vhost: VirtualHost, name: string, type: string, args: FieldTable = {}): void {
  vhost.declareExchange({ name, type, passive: false, durable: false, autoDelete: false, internal: false, arguments: args });
}

/** basic.publish of a text body through the vhost's one publish path; how many queues (or delayed exchanges) took it. */
export function publish(vhost: VirtualHost, exchange: string, routingKey: string, body: string, props: BasicProperties = {}): number {
  const message = new Message(exchange, routingKey, encodePropertiesBuffer(props), Buffer.from(body));
  const result = vhost.publish(vhost.getExchange(exchange), message, [routingKey], false);
  return result.enqueued + result.refused + result.held;
}

/** What basic.get with no-ack hands out, until get-empty. */
export function getAll(queue: Queue): string[] {
  const bodies: string[] = [];
  for (let e = queue.get(); e !== undefined; e = queue.get()) {
    queue.settle(e);
    bodies.push(e.message.body.toString());
  }
  return bodies;
}

/** A consumer with manual acks and unlimited credit that records each delivery as it comes. */
export function recordingConsumer(queue: Queue): { bodies: string[]; seqs: number[]; cancel(): void } {
  const bodies: string[] = [];
  const seqs: number[] = [];
  const consumer: QueueConsumer = {
    tag: 'ctag',
    exclusive: false,
    noAck: false,
    owner: OWNER,
    canDeliver: () => true,
    deliver: (_q, seq, message) => {
      seqs.push(seq);
      bodies.push(message.body.toString());
    },
    cancelledByQueue: () => undefined,
  };
  queue.addConsumer(consumer, 0);
  return { bodies, seqs, cancel: () => queue.removeConsumer(consumer) };
}

/** Deliveries are batched on a microtask: lets the queue's drain run. */
export async function drained(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => queueMicrotask(r));
}

/** The x-death entries of a dead-lettered message, newest first, as plain values. */
export function deathsOf(message: Message): Record<string, unknown>[] {
  const xDeath = message.properties.headers?.['x-death'];
  if (xDeath?.type !== 'array') return [];
  return xDeath.value.map((v) => {
    const table = v.type === 'table' ? v.value : {};
    return Object.fromEntries(Object.entries(table).map(([k, f]) => [k, f.type === 'array' ? f.value.map((x) => x.value) : f.value]));
  });
}

/** What one publish did, copied out of the reused PublishResult. */
export interface Published {
  enqueued: number;
  refused: number;
  held: number;
  routed: boolean;
  mustReturn: boolean;
}

/** basic.publish through the vhost's one publish path, with routing keys (CC-style) and mandatory: the whole PublishResult. */
export function publishResult(
  vhost: VirtualHost,
  exchange: string,
  routingKeys: string | readonly string[],
  body: string,
  props: BasicProperties = {},
  mandatory = false,
): Published {
  const keys = typeof routingKeys === 'string' ? [routingKeys] : routingKeys;
  const message = new Message(exchange, keys[0] ?? '', encodePropertiesBuffer(props), Buffer.from(body));
  const r = vhost.publish(vhost.getExchange(exchange), message, keys, mandatory);
  return { enqueued: r.enqueued, refused: r.refused, held: r.held, routed: r.routed, mustReturn: r.mustReturn };
}

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS, type DeliverEvent, type PublishEvent } from '../amqp/diagnostics.js';
import type { BasicProperties } from '../protocol/content-header.js';

/** A message as a test sees it: copied out of the broker, so it stays as it was. */
export interface TestMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly body: Buffer;
  readonly properties: BasicProperties;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON (throws as JSON.parse does). */
  json(): unknown;
}

export function testMessage(exchange: string, routingKey: string, body: Buffer, properties: BasicProperties): TestMessage {
  const copy = Buffer.from(body);
  return {
    exchange,
    routingKey,
    body: copy,
    properties,
    text: () => copy.toString('utf8'),
    json: () => JSON.parse(copy.toString('utf8')) as unknown,
  };
}

/**
 * Records what one broker's clients published (per vhost and exchange) and what its consumers were
 * given (per vhost and queue), from the diagnostics events. Events are process-wide, so only those
 * whose connection id carries this broker's node name are kept. Each name keeps its latest `limit`
 * messages: a long test cannot grow the record without bound.
 */
export class MessageRecorder {
  private readonly prefix: string;
  private readonly limit: number;
  private readonly publishedBy = new Map<string, TestMessage[]>();
  private readonly deliveredFrom = new Map<string, TestMessage[]>();

  constructor(node: string, limit: number) {
    this.prefix = `${node}/`;
    this.limit = limit;
    subscribe(DIAGNOSTICS_CHANNELS.publish, this.onPublish);
    subscribe(DIAGNOSTICS_CHANNELS.deliver, this.onDeliver);
  }

  published(vhost: string, exchange: string): readonly TestMessage[] {
    return (this.publishedBy.get(key(vhost, exchange)) ?? []).slice(-this.limit);
  }

  delivered(vhost: string, queue: string): readonly TestMessage[] {
    return (this.deliveredFrom.get(key(vhost, queue)) ?? []).slice(-this.limit);
  }

  clear(): void {
    this.publishedBy.clear();
    this.deliveredFrom.clear();
  }

  close(): void {
    unsubscribe(DIAGNOSTICS_CHANNELS.publish, this.onPublish);
    unsubscribe(DIAGNOSTICS_CHANNELS.deliver, this.onDeliver);
  }

  private readonly onPublish = (message: unknown): void => {
    const e = message as PublishEvent;
    if (!e.connection.startsWith(this.prefix)) return;
    this.add(this.publishedBy, key(e.vhost, e.exchange), testMessage(e.exchange, e.routingKey, e.body, e.properties));
  };

  private readonly onDeliver = (message: unknown): void => {
    const e = message as DeliverEvent;
    if (!e.connection.startsWith(this.prefix)) return;
    this.add(this.deliveredFrom, key(e.vhost, e.queue), testMessage(e.exchange, e.routingKey, e.body, e.properties));
  };

  private add(into: Map<string, TestMessage[]>, k: string, m: TestMessage): void {
    let list = into.get(k);
    if (list === undefined) into.set(k, (list = []));
    list.push(m);
    // Trimmed in batches (amortized O(1) per message, no shift per publish); readers see the latest `limit`.
    if (list.length >= 2 * this.limit) list.splice(0, list.length - this.limit);
  }
}

function key(vhost: string, name: string): string {
  return `${vhost}\u0000${name}`;
}

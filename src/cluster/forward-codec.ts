import { BatchReader, BatchWriter } from './batch-bytes.js';

/**
 * The bytes of a forwarded batch: messages one node routed to queues another node owns. A record is
 * one message for one or more queues of one vhost on the receiving node; the reply is one byte per
 * record (1 stored by every queue that still exists, 0 refused by one or not stored).
 *
 *   batch:  u32 count, record*
 *   record: u8 len + vhost, u8 len + exchange, u8 len + routing key, u16 queues × (u8 len + name),
 *           u32 len + properties (the content header's property list as received), u32 len + body
 *
 * Names are at most 255 bytes of UTF-8 (the AMQP short-string rule every name passed at declare).
 */
export interface ForwardRecord {
  readonly vhost: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly queues: string[];
  readonly properties: Buffer;
  readonly body: Buffer;
}

export const STORED = 1;
export const NOT_STORED = 0;

export function recordSize(r: ForwardRecord): number {
  let n = 3 + Buffer.byteLength(r.vhost) + Buffer.byteLength(r.exchange) + Buffer.byteLength(r.routingKey) + 2 + 8 + r.properties.length + r.body.length;
  for (const q of r.queues) n += 1 + Buffer.byteLength(q);
  return n;
}

export function encodeBatch(records: readonly ForwardRecord[], size: number): Buffer {
  const w = new BatchWriter(4 + size);
  w.u32(records.length);
  for (const r of records) {
    w.short(r.vhost);
    w.short(r.exchange);
    w.short(r.routingKey);
    w.u16(r.queues.length);
    for (const q of r.queues) w.short(q);
    w.bytes(r.properties);
    w.bytes(r.body);
  }
  return w.done();
}

export function decodeBatch(data: Uint8Array): ForwardRecord[] {
  const r = new BatchReader(data, 'forward batch');
  const count = r.u32();
  const records: ForwardRecord[] = [];
  for (let i = 0; i < count; i++) {
    const vhost = r.short();
    const exchange = r.short();
    const routingKey = r.short();
    const queues: string[] = [];
    for (let q = r.u16(); q > 0; q--) queues.push(r.short());
    const properties = r.bytes();
    records.push({ vhost, exchange, routingKey, queues, properties, body: r.bytes() });
  }
  return records;
}

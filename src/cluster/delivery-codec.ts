import { BatchReader, BatchWriter } from './batch-bytes.js';

/**
 * Deliveries from an owner node to the node where the consumer is (cluster/remote-consume.ts):
 *
 *   batch:    u32 count, delivery*
 *   delivery: u8 len + subscription id, f64 seq, u8 redelivered, u32 delivery count,
 *             u8 len + exchange, u8 len + routing key, u32 len + properties, u32 len + body
 */
export interface Delivery {
  readonly id: string;
  readonly seq: number;
  readonly redelivered: boolean;
  readonly deliveryCount: number;
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: Buffer;
  readonly body: Buffer;
}

export function deliverySize(d: Delivery): number {
  return 3 + Buffer.byteLength(d.id) + Buffer.byteLength(d.exchange) + Buffer.byteLength(d.routingKey) + 8 + 1 + 4 + 8 + d.properties.length + d.body.length;
}

export function encodeDeliveries(list: readonly Delivery[], size: number): Buffer {
  const w = new BatchWriter(4 + size);
  w.u32(list.length);
  for (const d of list) {
    w.short(d.id);
    w.f64(d.seq);
    w.u8(d.redelivered ? 1 : 0);
    w.u32(d.deliveryCount);
    w.short(d.exchange);
    w.short(d.routingKey);
    w.bytes(d.properties);
    w.bytes(d.body);
  }
  return w.done();
}

export function decodeDeliveries(data: Uint8Array): Delivery[] {
  const r = new BatchReader(data, 'delivery batch');
  const count = r.u32();
  const list: Delivery[] = [];
  for (let i = 0; i < count; i++) {
    const id = r.short();
    const seq = r.f64();
    const redelivered = r.u8() === 1;
    const deliveryCount = r.u32();
    const exchange = r.short();
    const routingKey = r.short();
    const properties = r.bytes();
    list.push({ id, seq, redelivered, deliveryCount, exchange, routingKey, properties, body: r.bytes() });
  }
  return list;
}

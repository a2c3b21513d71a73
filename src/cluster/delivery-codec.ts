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
  const out = Buffer.allocUnsafe(4 + size);
  let at = out.writeUInt32BE(list.length, 0);
  const short = (s: string): void => {
    const len = out.write(s, at + 1, 'utf8');
    out[at] = len;
    at += 1 + len;
  };
  for (const d of list) {
    short(d.id);
    at = out.writeDoubleBE(d.seq, at);
    out[at++] = d.redelivered ? 1 : 0;
    at = out.writeUInt32BE(d.deliveryCount, at);
    short(d.exchange);
    short(d.routingKey);
    at = out.writeUInt32BE(d.properties.length, at);
    at += d.properties.copy(out, at);
    at = out.writeUInt32BE(d.body.length, at);
    at += d.body.copy(out, at);
  }
  return out.subarray(0, at);
}

/** Properties and bodies are copied out, so a message held unacked does not keep the whole batch. */
export function decodeDeliveries(data: Uint8Array): Delivery[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  const need = (n: number): void => {
    if (at + n > buf.length) throw new RangeError('truncated delivery batch');
  };
  const short = (): string => {
    need(1);
    const len = buf[at] as number;
    need(1 + len);
    const s = buf.toString('utf8', at + 1, at + 1 + len);
    at += 1 + len;
    return s;
  };
  const bytes = (): Buffer => {
    need(4);
    const len = buf.readUInt32BE(at);
    need(4 + len);
    const b = Buffer.from(buf.subarray(at + 4, at + 4 + len));
    at += 4 + len;
    return b;
  };
  need(4);
  const count = buf.readUInt32BE(0);
  at = 4;
  const list: Delivery[] = [];
  for (let i = 0; i < count; i++) {
    const id = short();
    need(13);
    const seq = buf.readDoubleBE(at);
    const redelivered = buf[at + 8] === 1;
    const deliveryCount = buf.readUInt32BE(at + 9);
    at += 13;
    const exchange = short();
    const routingKey = short();
    const properties = bytes();
    list.push({ id, seq, redelivered, deliveryCount, exchange, routingKey, properties, body: bytes() });
  }
  return list;
}

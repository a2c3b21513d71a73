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
  const out = Buffer.allocUnsafe(4 + size);
  let at = out.writeUInt32BE(records.length, 0);
  const short = (s: string): void => {
    const len = out.write(s, at + 1, 'utf8');
    out[at] = len;
    at += 1 + len;
  };
  for (const r of records) {
    short(r.vhost);
    short(r.exchange);
    short(r.routingKey);
    at = out.writeUInt16BE(r.queues.length, at);
    for (const q of r.queues) short(q);
    at = out.writeUInt32BE(r.properties.length, at);
    at += r.properties.copy(out, at);
    at = out.writeUInt32BE(r.body.length, at);
    at += r.body.copy(out, at);
  }
  return at === out.length ? out : out.subarray(0, at);
}

/** Properties and bodies are copied out: a message kept in a queue must not hold the whole batch. */
export function decodeBatch(data: Uint8Array): ForwardRecord[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  const need = (n: number): void => {
    if (at + n > buf.length) throw new RangeError('truncated forward batch');
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
  const records: ForwardRecord[] = [];
  for (let i = 0; i < count; i++) {
    const vhost = short();
    const exchange = short();
    const routingKey = short();
    need(2);
    const n = buf.readUInt16BE(at);
    at += 2;
    const queues: string[] = [];
    for (let q = 0; q < n; q++) queues.push(short());
    const properties = bytes();
    records.push({ vhost, exchange, routingKey, queues, properties, body: bytes() });
  }
  return records;
}

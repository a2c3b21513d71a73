import { Message } from '../../core/message.js';

/**
 * A quorum queue's message as one JetStream message's data: what the queue must give back on delivery
 * (exchange, routing key, the content header's property list as received, the body), nothing of the
 * queue itself (the subject says which queue).
 *
 *   u8 len + exchange, u8 len + routing key, u32 len + properties, body (the rest)
 *
 * Names are at most 255 bytes of UTF-8 (the AMQP short-string rule every publish passed).
 */
export function encodeQuorumMessage(message: Message): Uint8Array {
  const ex = Buffer.byteLength(message.exchange);
  const rk = Buffer.byteLength(message.routingKey);
  const props = message.rawProperties;
  const out = Buffer.allocUnsafe(1 + ex + 1 + rk + 4 + props.length + message.body.length);
  let at = 0;
  out[at++] = ex;
  at += out.write(message.exchange, at, 'utf8');
  out[at++] = rk;
  at += out.write(message.routingKey, at, 'utf8');
  out.writeUInt32BE(props.length, at);
  at += 4;
  at += props.copy(out, at);
  message.body.copy(out, at);
  return out;
}

/** Throws RangeError on bytes that are not one of ours (cut short). */
export function decodeQuorumMessage(data: Uint8Array): Message {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  const ex = buf[at++] as number;
  const exchange = buf.toString('utf8', at, at + ex);
  at += ex;
  const rk = buf[at++] as number;
  const routingKey = buf.toString('utf8', at, at + rk);
  at += rk;
  const propsLength = buf.readUInt32BE(at);
  at += 4;
  if (at + propsLength > buf.length) throw new RangeError('quorum message cut short');
  const properties = buf.subarray(at, at + propsLength);
  const body = buf.subarray(at + propsLength);
  return new Message(exchange, routingKey, properties, body, false);
}

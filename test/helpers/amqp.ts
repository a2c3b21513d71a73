import type { Channel, ConsumeMessage } from 'amqplib';

/** Resolves with the error that closes the channel (amqplib emits 'error' then 'close'). */
export function channelError(ch: Channel): Promise<Error & { code?: number; classId?: number; methodId?: number }> {
  return new Promise((resolve) => {
    ch.once('error', (err: Error) => resolve(err));
  });
}

/** Consumes until n messages arrived (no ack unless the caller does it) and resolves with them. */
export function consumeN(
  ch: Channel,
  queue: string,
  n: number,
  options: { noAck?: boolean; onMessage?: (m: ConsumeMessage) => void } = {},
): Promise<ConsumeMessage[]> {
  return new Promise((resolve, reject) => {
    const got: ConsumeMessage[] = [];
    ch.consume(
      queue,
      (msg) => {
        if (msg === null) return;
        got.push(msg);
        options.onMessage?.(msg);
        if (got.length === n) resolve(got);
      },
      { noAck: options.noAck ?? false },
    ).catch(reject);
  });
}

/** Lets queued microtasks and socket traffic settle: a round trip on the channel. */
export async function roundTrip(ch: Channel, queue: string): Promise<void> {
  await ch.checkQueue(queue);
}

export const body = (s: string): Buffer => Buffer.from(s);

/**
 * Every message left in a queue, in order, taken with basic.get (no-ack) on a connection of its
 * own; `assertDurable` first declares the queue durable (it may be gone after a refused recovery).
 */
export async function getAllBodies(url: string, queue: string, options: { assertDurable?: boolean } = {}): Promise<string[]> {
  const { default: amqp } = await import('amqplib');
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  if (options.assertDurable === true) await ch.assertQueue(queue, { durable: true });
  const out: string[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) break;
    out.push(m.content.toString());
  }
  await conn.close();
  return out;
}

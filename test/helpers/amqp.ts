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

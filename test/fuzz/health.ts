import { RawClient } from '../helpers/raw-client.js';

/**
 * The healthy client: on its own connection, publish one message to its own queue and get it back.
 * Resolves with undefined when that worked within timeoutMs, else with what went wrong.
 */
export async function roundTrip(port: number, timeoutMs = 5000): Promise<string | undefined> {
  let client: RawClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no round trip within ${timeoutMs} ms${client === undefined ? '' : `: ${client.describe()}`}`), timeoutMs);
  });
  const attempt = (async (): Promise<string | undefined> => {
    client = await RawClient.open(port);
    client.keepFrames = true;
    await client.openChannel(1);
    client.sendMethod(1, { name: 'queue.declare', ticket: 0, queue: '', passive: false, durable: false, exclusive: true, autoDelete: false, nowait: false, arguments: {} });
    const ok = await client.waitMethod('queue.declare-ok', 1, timeoutMs);
    client.publish(1, '', ok.queue, Buffer.from('still up'));
    client.sendMethod(1, { name: 'basic.get', ticket: 0, queue: ok.queue, noAck: true });
    await client.waitFor((f) => f.kind === 'body' && f.channel === 1, 'the message back', timeoutMs);
    await client.close();
    return undefined;
  })().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
    client?.destroy();
  }
}

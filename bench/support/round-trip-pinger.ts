/**
 * The unrelated client of bench/paging-stalls.ts, in its own process so the flood's client work
 * does not show up in its round trips: publish one small message to its own queue, basic.get it
 * back, wait 10 ms, again. IPC 'report' answers with the round trips since the last report.
 */
import amqp from 'amqplib';

const url = process.argv[2] as string;
// Nagle's algorithm on the client (amqplib's default) would add 40 ms delayed-ACK waits.
const conn = await amqp.connect(url, { noDelay: true });
const ch = await conn.createChannel();
await ch.assertQueue('ping', { durable: false });
let samples: number[] = [];
let running = true;

function summary(list: number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...list].sort((a, b) => a - b);
  const at = (q: number): number => Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) * 100) / 100;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: Math.round((s.at(-1) ?? 0) * 100) / 100 };
}

process.on('message', (msg: unknown) => {
  if (msg === 'report') {
    process.send?.(summary(samples));
    samples = [];
  }
  if (msg === 'stop') running = false;
});
process.send?.('ready');
while (running) {
  const t0 = performance.now();
  ch.sendToQueue('ping', Buffer.from('x'));
  while ((await ch.get('ping', { noAck: true })) === false) {
    // the publish has not landed yet: ask again
  }
  samples.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 10));
}
await conn.close();
process.exit(0);

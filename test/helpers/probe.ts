import { Worker } from 'node:worker_threads';
import amqp from 'amqplib';
import { PROTOCOL_HEADER } from '../../src/protocol/constants.js';
import { encodeMethodFrame, type Method } from '../../src/protocol/methods.generated.js';
import { Writer } from '../../src/protocol/writer.js';

/**
 * How long an unrelated client waits for answers while bulk work runs. The client connects, then
 * calls `begin` (which starts the bulk work) while it keeps one request in flight on its own
 * channel: `step`, again and again, until `step` returns true after `begin` resolved. Returns the
 * gaps between consecutive answers in ms: the longest is the stall a client sees when the broker
 * does bulk work in one turn of its event loop.
 */
export async function answerGapsDuring(
  url: string,
  begin: () => Promise<unknown>,
  step: (ch: amqp.Channel) => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<number[]> {
  const conn = await amqp.connect(url);
  const gaps: number[] = [];
  try {
    const ch = await conn.createChannel();
    await step(ch);
    let begun = false;
    const started = begin().then(() => (begun = true));
    const start = performance.now();
    let last = start;
    for (;;) {
      const done = await step(ch);
      const now = performance.now();
      gaps.push(now - last);
      last = now;
      if (done && begun) break;
      if (now - start > timeoutMs) throw new Error(`bulk work not finished within ${timeoutMs} ms`);
    }
    await started;
    return gaps;
  } finally {
    await conn.close();
  }
}

/**
 * A consumer on a worker thread that reads its socket as fast as the kernel hands data over and
 * discards it. A client on the broker's own thread could not read until the broker yields, and a
 * parsing client falls behind: either way the socket fills, back-pressure stops the broker's
 * delivery loop early and hides the stall the test is about.
 */
export function startDiscardingConsumer(port: number, queue: string, noAck = true): { worker: Worker; consuming: Promise<void> } {
  const w = new Writer(1024);
  const method = (channel: number, m: Method): void => encodeMethodFrame(w, channel, m);
  method(0, { name: 'connection.start-ok', clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\0guest\0guest'), locale: 'en_US' });
  method(0, { name: 'connection.tune-ok', channelMax: 16, frameMax: 131072, heartbeat: 0 });
  method(0, { name: 'connection.open', virtualHost: '/', capabilities: '', insist: false });
  method(1, { name: 'channel.open', outOfBand: '' });
  method(1, { name: 'basic.consume', ticket: 0, queue, consumerTag: 'bulk', noLocal: false, noAck, exclusive: false, nowait: false, arguments: {} });
  const source = `const net = require('node:net'); const { parentPort, workerData } = require('node:worker_threads');
    const s = net.connect(workerData.port, '127.0.0.1');
    s.write(Buffer.from(workerData.header));
    let started = false;
    s.on('data', () => { if (!started) { started = true; s.write(Buffer.from(workerData.rest)); parentPort.postMessage('consuming'); } });
    s.on('error', () => {});`;
  const worker = new Worker(source, { eval: true, workerData: { port, header: PROTOCOL_HEADER, rest: w.take() } });
  const consuming = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return { worker, consuming };
}

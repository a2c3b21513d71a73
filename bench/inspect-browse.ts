/**
 * Browse deep in a long, paged queue (README "Beyond RabbitMQ"): 200,000 messages of 1 KB, so
 * 180,000 are paged to disk; GET .../browse of 1,000 messages from position 150,000, through
 * fastify's inject(). Reports the time and the heap and RSS growth over the browse, and checks that
 * the queue is unchanged (nothing paged in, delivered or reordered). Messages are enqueued straight
 * on the queue to keep set-up short.
 *
 *   npx tsx bench/inspect-browse.ts [runs=5]
 */
import { startBroker } from '../src/index.js';
import { Message } from '../src/core/message.js';
import { brokerPrincipal } from '../src/core/principal.js';
import { encodePropertiesBuffer } from '../src/protocol/content-header.js';

const runs = Number(process.argv[2] ?? 5);
const N = 200_000;
const auth = 'Basic ' + Buffer.from('guest:guest').toString('base64');
const broker = await startBroker({ port: 0, managementPort: 0 });
const vhost = broker.vhosts.get('/')!;
const queue = vhost.declareQueue({ name: 'long', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, brokerPrincipal('/'));
const props = encodePropertiesBuffer({});
for (let i = 0; i < N; i++) {
  const body = Buffer.alloc(1024);
  body.writeUInt32BE(i, 0);
  queue.enqueue(new Message('', 'long', props, body), undefined);
  if (i % 10_000 === 0) await new Promise((r) => setImmediate(r)); // let page writes go out
}
await new Promise((r) => setTimeout(r, 500));
const app = broker.managementApp!;
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const res = await app.inject({ method: 'GET', url: '/api/queues/%2F/long/browse?from=150000&count=1000&encoding=base64&truncate=16', headers: { authorization: auth } });
  const ms = performance.now() - t0;
  times.push(ms);
  const got = JSON.parse(res.body) as { position: number; payload: string }[];
  const first = Buffer.from(got[0]!.payload, 'base64').readUInt32BE(0);
  const mem = process.memoryUsage();
  console.log(`browse 1000 @150000: ${ms.toFixed(1)} ms, heap +${((mem.heapUsed - heap0) / 1e6).toFixed(1)} MB, rss +${((mem.rss - rss0) / 1e6).toFixed(1)} MB, first body #${first}, ${got.length} messages, queue ${queue.messageCount} messages`);
}
console.log(`median ${[...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!.toFixed(1)} ms; loadavg ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
await broker.close();

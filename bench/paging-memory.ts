/**
 * Issue check: RSS with N messages of 100 B in one queue (paging keeps bodies on disk and a small
 * index per message in memory), then the drain back in order. Core only, no sockets:
 *   node --expose-gc --import tsx bench/paging-memory.ts [count] [persistent 0|1]
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startBroker } from '../src/index.js';
import { Message } from '../src/core/message.js';
import type { QueueConsumer } from '../src/core/queue/consumer-set.js';
import { encodePropertiesBuffer } from '../src/protocol/content-header.js';
import { silentLogger } from '../src/util/logger.js';
import { brokerPrincipal } from '../src/core/principal.js';

const count = Number(process.argv[2] ?? 10_000_000);
const persistent = process.argv[3] === '1';
const dataDir = '/tmp/warren-paging-bench';
rmSync(dataDir, { recursive: true, force: true });
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mib = (n: number): number => Math.round(n / 2 ** 20);

const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(), fsync: 'never' });
const vhost = broker.vhosts.get('/')!;
const queue = vhost.declareQueue({ name: 'big', passive: false, durable: persistent, exclusive: false, autoDelete: false, arguments: {} }, brokerPrincipal('/'));
const props = encodePropertiesBuffer({ deliveryMode: persistent ? 2 : 1 });
gc();
const rssStart = process.memoryUsage().rss;
const t0 = Date.now();
let peak = 0;
for (let i = 0; i < count; i++) {
  const body = Buffer.allocUnsafe(100);
  body.writeUInt32BE(i, 0);
  queue.enqueue(new Message('', 'big', props, body), undefined);
  // Yield as a socket-fed broker does, so the asynchronous page writes keep pace.
  if (i % 10_000 === 9_999) await new Promise((r) => setImmediate(r));
  if (i % 100_000 === 99_999) peak = Math.max(peak, process.memoryUsage().rss);
}
const fillMs = Date.now() - t0;
// Page writes are asynchronous: measure once they are all in the files.
const pagedBytes = Math.max(0, count - 20_000) * (1 + 1 + 'big'.length + 4 + props.length + 100);
const pageFileBytes = (): number => {
  const dir = join(dataDir, 'pages');
  return existsSync(dir) ? readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) : 0;
};
while (pageFileBytes() < pagedBytes) await new Promise((r) => setTimeout(r, 20));
const writtenMs = Date.now() - t0;
gc();
const rssFull = process.memoryUsage().rss;

// Drain with a consumer that takes everything, checking order.
let expected = 0;
let outOfOrder = 0;
const consumer: QueueConsumer = {
  tag: 'bench',
  exclusive: false,
  noAck: true,
  owner: brokerPrincipal('/'),
  canDeliver: () => true,
  deliver: (_q, _seq, message) => {
    if (message.body.readUInt32BE(0) !== expected) outOfOrder++;
    expected++;
  },
  cancelledByQueue: () => undefined,
};
const t1 = Date.now();
queue.addConsumer(consumer, 0);
while (expected < count) await new Promise((r) => setImmediate(r));
const drainMs = Date.now() - t1;
console.log(
  JSON.stringify({
    count,
    persistent,
    fillMs,
    writtenMs,
    drainMs,
    rssStartMiB: mib(rssStart),
    rssFullMiB: mib(rssFull),
    rssPeakMiB: mib(Math.max(peak, rssFull)),
    drained: expected,
    outOfOrder,
  }),
);
await broker.close();
rmSync(dataDir, { recursive: true, force: true });

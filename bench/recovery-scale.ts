/**
 * Issue check: start-up time with 1,000,000 persistent messages across 1,000 durable queues.
 * Fills a data directory through the broker's core (no sockets), stops, then times a restart and
 * measures the longest event-loop stall during it (what an embedding application would feel):
 *   node --import tsx bench/recovery-scale.ts [queues] [perQueue] [dataDir]
 */
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startBroker } from '../src/index.js';
import { Message } from '../src/core/message.js';
import { encodePropertiesBuffer } from '../src/protocol/content-header.js';
import { createLogger, silentLogger } from '../src/util/logger.js';
import { brokerPrincipal } from '../src/core/principal.js';

const queues = Number(process.argv[2] ?? 1000);
const perQueue = Number(process.argv[3] ?? 1000);
const dataDir = process.argv[4] ?? '/tmp/warren-recovery-scale';
rmSync(dataDir, { recursive: true, force: true });

const fill = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(), fsync: 'never' });
const vhost = fill.vhosts.get('/')!;
const props = encodePropertiesBuffer({ deliveryMode: 2 });
const body = Buffer.alloc(100, 7);
const t0 = Date.now();
for (let q = 0; q < queues; q++) {
  const name = `q${q}`;
  const queue = vhost.declareQueue({ name, passive: false, durable: true, exclusive: false, autoDelete: false, arguments: {} }, brokerPrincipal('/'));
  for (let i = 0; i < perQueue; i++) queue.enqueue(new Message('', name, props, body), undefined);
  if (q % 50 === 49) await new Promise((r) => setImmediate(r)); // let the writer drain
}
await fill.close();
const filledMs = Date.now() - t0;

// Two views of the stall: perf_hooks' histogram, and the longest gap between turns of a 1 ms
// timer (which also sees a loop that was blocked from the start, before the histogram sampled).
const stalls = monitorEventLoopDelay({ resolution: 5 });
stalls.enable();
let lastTurn = performance.now();
let longestGapMs = 0;
const ticker = setInterval(() => {
  const now = performance.now();
  longestGapMs = Math.max(longestGapMs, now - lastTurn);
  lastTurn = now;
}, 1);
const t1 = Date.now();
const restarted = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: createLogger('info') });
const recoveredMs = Date.now() - t1;
await new Promise((r) => setTimeout(r, 20)); // let both views record the last stretch
clearInterval(ticker);
stalls.disable();
let total = 0;
for (const q of restarted.vhosts.get('/')!.queues.values()) total += q.messageCount;
console.log(
  JSON.stringify({
    queues,
    perQueue,
    filledMs,
    recoveredMs,
    messagesRecovered: total,
    messagesPerSecond: Math.round(total / (recoveredMs / 1000)),
    longestStallMs: +(stalls.max / 1e6).toFixed(1),
    longestTimerGapMs: +longestGapMs.toFixed(1),
    p99StallMs: +(stalls.percentile(99) / 1e6).toFixed(1),
    rssMiB: +(process.memoryUsage().rss / 2 ** 20).toFixed(0),
  }),
);
await restarted.close();
rmSync(dataDir, { recursive: true, force: true });

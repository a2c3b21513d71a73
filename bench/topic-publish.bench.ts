/**
 * The core publish path for perf scenario e, without sockets: a topic exchange with the perf tool's
 * 10,000 binding keys plus 'perf.key' bound to one queue, messages of 16 B published with keys drawn at
 * random from the literal binding keys, consumed by an auto-ack consumer. Each publish does what
 * basic.publish does once its frames are assembled (amqp/publisher.ts): a Message from the property
 * bytes, checkExpiration, vhost.publish, the channel's counters and the diagnostics check. Deliveries
 * run in the queue's microtask drain, as in the broker.
 * Run: npx tsx bench/topic-publish.bench.ts [--seconds=3] [--batch=200]
 * The last line is `topic-publish msg/s N msg/cpu-s M` (M: per second of this process's CPU time, less
 * sensitive to a loaded machine), for scripts that alternate builds (A/B/A/B).
 */
import { diagnostics } from '../src/amqp/diagnostics.js';
import { Message } from '../src/core/message.js';
import { connectionPrincipal } from '../src/core/principal.js';
import { checkExpiration, checkPublishable } from '../src/core/publish.js';
import type { QueueConsumer } from '../src/core/queue/consumer-set.js';
import { ChannelCounters, ConnectionCounters } from '../src/core/stats/counters.js';
import { VirtualHost } from '../src/core/vhost.js';
import { encodePropertiesBuffer } from '../src/protocol/content-header.js';
import { SystemClock } from '../src/util/system-clock.js';
import { randomBindingKeys } from './perf/topology.js';

const arg = (name: string, fallback: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? fallback : Number(a.slice(name.length + 3));
};
const SECONDS = arg('seconds', 3);
const BATCH = arg('batch', 200);

const OWNER = connectionPrincipal('guest', '/', 'bench@node/1');
const clock = new SystemClock();
const vhost = new VirtualHost('/', clock);
vhost.declareExchange({ name: 'perf-topic', type: 'topic', passive: false, durable: false, autoDelete: false, internal: false, arguments: {} });
const queue = vhost.declareQueue({ name: 'perf-q', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, OWNER);
const bindingKeys = randomBindingKeys(10_000);
for (const key of bindingKeys) vhost.bindQueue('perf-q', 'perf-topic', key, {}, OWNER);
vhost.bindQueue('perf-q', 'perf-topic', 'perf.key', {}, OWNER);
const keys = bindingKeys.filter((k) => !k.includes('*') && !k.includes('#'));

let delivered = 0;
const consumer: QueueConsumer = {
  tag: 'ctag',
  exclusive: false,
  noAck: true,
  owner: OWNER,
  canDeliver: () => true,
  deliver: () => {
    delivered++;
  },
  cancelledByQueue: () => undefined,
};
queue.addConsumer(consumer, 0);

const counters = new ChannelCounters(new ConnectionCounters());
const properties = encodePropertiesBuffer({ deliveryMode: 1 });
const body = Buffer.alloc(16);
const oneKey: string[] = [''];
let seed = 0x2545f491;
const nextKey = (): string => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return keys[seed % keys.length] as string;
};

function publishOne(): void {
  const key = nextKey();
  const exchange = vhost.getExchange('perf-topic');
  checkPublishable(exchange, vhost.name);
  const message = new Message('perf-topic', key, properties, body);
  checkExpiration(message);
  oneKey[0] = key;
  const result = vhost.publish(exchange, message, oneKey, false, undefined);
  counters.published(exchange.counters, result.enqueued + result.refused, result.routed, false);
  if (diagnostics.publish.hasSubscribers) throw new Error('nobody listens in this bench');
}

async function run(ms: number): Promise<[number, number]> {
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const end = start + ms;
  let published = 0;
  while (performance.now() < end) {
    for (let i = 0; i < BATCH; i++) publishOne();
    published += BATCH;
    await null; // the queue's drain microtask runs first
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (delivered !== published) throw new Error(`delivered ${delivered} of ${published}`);
  return [published / seconds, published / ((cpu.user + cpu.system) / 1e6)];
}

await run(500); // warm-up
delivered = 0;
const [rate, perCpu] = await run(SECONDS * 1000);
process.stdout.write(`topic-publish msg/s ${Math.round(rate)} msg/cpu-s ${Math.round(perCpu)}\n`);

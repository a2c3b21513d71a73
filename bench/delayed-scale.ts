/**
 * Issue check: memory of 1,000,000 scheduled delayed messages, and how late the last fires.
 * Runs the core directly (no sockets) so the number is the broker's own cost:
 *   node --expose-gc --import tsx bench/delayed-scale.ts [count] [bodyBytes]
 */
import { Message } from '../src/core/message.js';
import { VirtualHost } from '../src/core/vhost.js';
import { SystemClock } from '../src/util/system-clock.js';
import { encodePropertiesBuffer } from '../src/protocol/content-header.js';
import { brokerPrincipal } from '../src/core/principal.js';

const count = Number(process.argv[2] ?? 1_000_000);
const bodySize = Number(process.argv[3] ?? 100);
// "spread": due times spread over 10 s after scheduling; otherwise all due within one millisecond.
const spread = process.argv[4] === "spread";
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const vhost = new VirtualHost('/', new SystemClock());
vhost.declareExchange({ name: 'delayed', type: 'x-delayed-message', passive: false, durable: false, autoDelete: false, internal: false, arguments: { 'x-delayed-type': { type: 'string', value: 'fanout' } } });
const queue = vhost.declareQueue({ name: 'target', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, brokerPrincipal('/'));
vhost.bindQueue('target', 'delayed', '', {}, brokerPrincipal('/'));
const exchange = vhost.getExchange('delayed');

gc();
const before = process.memoryUsage();
const start = Date.now();
const fireAt = start + 20_000 + count / 50; // all due at about the same moment, after scheduling ends
const body = Buffer.alloc(bodySize, 1);
for (let i = 0; i < count; i++) {
  const delay = Math.floor((spread ? start + 20_000 + (i * 10_000) / count : fireAt) - Date.now() + (i === count - 1 ? 1 : 0)); // the last one is due last
  const props = encodePropertiesBuffer({ deliveryMode: 1, headers: { 'x-delay': { type: 'int32', value: delay } } });
  vhost.publish(exchange, new Message('delayed', '', props, body), [''], false);
}
const scheduledMs = Date.now() - start;
gc();
const held = process.memoryUsage();
const perMessage = (held.rss - before.rss) / count;
console.log(
  JSON.stringify({
    count,
    bodySize,
    scheduledMs,
    heldInScheduler: exchange.delayed?.size,
    rssMiB: +(held.rss / 2 ** 20).toFixed(1),
    heapUsedMiB: +(held.heapUsed / 2 ** 20).toFixed(1),
    externalMiB: +((held.external + held.arrayBuffers) / 2 ** 20).toFixed(1),
    rssDeltaBytesPerMessage: Math.round(perMessage),
  }),
);
const lastDue = (spread ? start + 30_000 : fireAt) + 1;
const timer = setInterval(() => {
  if (queue.messageCount === count) {
    clearInterval(timer);
    console.log(JSON.stringify({ released: queue.messageCount, lastFiredLateMs: Date.now() - lastDue }));
  }
}, 1);

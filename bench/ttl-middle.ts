/**
 * Issue check: how long an expired message in the middle of a 1,000,000-message queue takes to
 * leave (RabbitMQ drops expired messages only at the head). Core only, no sockets:
 *   node --import tsx bench/ttl-middle.ts [count]
 */
import { Message } from '../src/core/message.js';
import { VirtualHost } from '../src/core/vhost.js';
import { SystemClock } from '../src/util/system-clock.js';
import { encodePropertiesBuffer } from '../src/protocol/content-header.js';
import { brokerPrincipal } from '../src/core/principal.js';

const count = Number(process.argv[2] ?? 1_000_000);
const vhost = new VirtualHost('/', new SystemClock());
const queue = vhost.declareQueue({ name: 'q', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, brokerPrincipal('/'));
const plain = encodePropertiesBuffer({});
const body = Buffer.alloc(100, 1);
const ttlMs = 2000;
let due = 0;
for (let i = 0; i < count; i++) {
  if (i === count / 2) {
    const props = encodePropertiesBuffer({ expiration: String(ttlMs) });
    due = Date.now() + ttlMs;
    queue.enqueue(new Message('', 'q', props, body), ttlMs);
  } else {
    queue.enqueue(new Message('', 'q', plain, body), undefined);
  }
}
const filled = queue.messageCount;
const timer = setInterval(() => {
  if (queue.messageCount === filled - 1) {
    clearInterval(timer);
    console.log(JSON.stringify({ count: filled, position: count / 2, ttlMs, leftAfterDueMs: Date.now() - due }));
  }
}, 0);

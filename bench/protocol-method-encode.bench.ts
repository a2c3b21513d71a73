/**
 * The delivery hot path: basic.deliver + content header from the publisher's raw property bytes + body
 * frames, written into one Writer that is reset every 100 deliveries (as a flush would).
 * Run: npm run bench -- protocol-method-encode
 */
import { encodePropertiesBuffer, writeBodyFrames, writeHeaderFrame } from '../src/protocol/content-header.js';
import { encodeBasicAckFrame, encodeBasicDeliverFrame } from '../src/protocol/methods.generated.js';
import { Writer } from '../src/protocol/writer.js';
import { bench, header, sink } from './harness.js';

const BATCH = 100;
const props = encodePropertiesBuffer({ contentType: 'application/json', deliveryMode: 2, messageId: 'm-1' });

header('method encoding');
for (const bodySize of [16, 1024]) {
  const body = Buffer.alloc(bodySize, 0x61);
  const w = new Writer(65536);
  let tag = 0;
  bench(`deliver + header + body, ${bodySize} B body`, () => {
    w.reset();
    for (let i = 0; i < BATCH; i++) {
      encodeBasicDeliverFrame(w, 1, 'amq.ctag-Xu2cE8lq5wRy', ++tag, false, 'amq.topic', 'orders.eu.created');
      writeHeaderFrame(w, 1, 60, bodySize, props);
      writeBodyFrames(w, 1, body, 131072);
    }
  }, { opsPerCall: BATCH });
  sink.value = w.pos;
}

{
  const w = new Writer(65536);
  let tag = 0;
  bench('basic.ack frame', () => {
    w.reset();
    for (let i = 0; i < BATCH; i++) encodeBasicAckFrame(w, 1, ++tag, false);
  }, { opsPerCall: BATCH });
  sink.value = w.pos;
}

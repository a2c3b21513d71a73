/**
 * Delivery output: Outbound with basic.deliver + content header + body frames written the way
 * Channel.deliver writes them (commit after each message; flushed at 64 KiB or on the microtask).
 * Two sinks: a Writable that discards (the encoding and buffering cost alone) and a real TCP socket
 * over loopback read by a server in this process (what syscalls and the kernel add).
 * Reported per message; MB/s counts frame bytes, frames/s is three frames per message.
 * Run: npm run bench -- outbound
 */
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { Outbound } from '../src/amqp/outbound.js';
import { ClassId } from '../src/protocol/constants.js';
import { encodePropertiesBuffer, writeBodyFrames, writeHeaderFrame } from '../src/protocol/content-header.js';
import { encodeBasicDeliverFrame } from '../src/protocol/methods.generated.js';
import { bench, header } from './harness.js';

const SIZES = [16, 256, 1024, 16384] as const;
const FRAME_MAX = 131072;
const CONSUMER_TAG = 'amq.ctag-Xq3L9cWm2Vb7Yk1RzTnD0w';
const PROPS = encodePropertiesBuffer({ contentType: 'application/octet-stream', deliveryMode: 2 });
const BATCH = 1000;

let deliveryTag = 1;

function writeDelivery(out: Outbound, body: Buffer): void {
  encodeBasicDeliverFrame(out.writer, 1, CONSUMER_TAG, deliveryTag++, false, 'amq.direct', 'orders.created');
  writeHeaderFrame(out.writer, 1, ClassId.basic, body.length, PROPS);
  writeBodyFrames(out.writer, 1, body, FRAME_MAX);
  out.commit();
}

/** Bytes one delivery of this body size puts on the wire. */
function bytesPerDelivery(size: number): number {
  let written = 0;
  const probe = new Writable({
    write(chunk: Buffer, _enc, cb) {
      written += chunk.length;
      cb();
    },
  });
  const out = new Outbound(probe as unknown as Socket, () => {});
  writeDelivery(out, Buffer.alloc(size));
  out.flush();
  return written;
}

function rates(label: string, nsPerMessage: number, size: number): void {
  const perSec = 1e9 / nsPerMessage;
  const mb = (perSec * bytesPerDelivery(size)) / 1e6;
  process.stdout.write(`  ${label}: ${mb.toFixed(0)} MB/s, ${Math.round(perSec * 3).toLocaleString('en-US')} frames/s\n`);
}

header('Outbound into a Writable that discards');
for (const size of SIZES) {
  const body = Buffer.alloc(size, 0x61);
  const sinkStream = new Writable({
    write(_chunk: Buffer, _enc, cb) {
      cb();
    },
  });
  const out = new Outbound(sinkStream as unknown as Socket, () => {});
  const r = bench(`deliver ${size} B x${BATCH}, flush`, () => {
    for (let i = 0; i < BATCH; i++) writeDelivery(out, body);
    out.flush();
  }, { opsPerCall: BATCH });
  rates(`${size} B`, r.nsPerOp, size);
}

header('Outbound into a loopback TCP socket (reader in this process)');
const server = createServer((s) => {
  s.on('data', (d: Buffer) => {
    received += d.length;
    if (waitingFor !== 0 && received >= waitingFor) {
      waitingFor = 0;
      done?.();
    }
  });
});
let received = 0;
let waitingFor = 0;
let done: (() => void) | undefined;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
client.setNoDelay(true);
await once(client, 'connect');
const out = new Outbound(client, () => {});

for (const size of SIZES) {
  const body = Buffer.alloc(size, 0x61);
  const perDelivery = bytesPerDelivery(size);
  const messages = Math.min(1_000_000, Math.floor((512 * 1024 * 1024) / perDelivery));
  for (let run = 0; run < 2; run++) {
    // Run 0 warms up the JIT and the socket buffers; run 1 is reported.
    const count = run === 0 ? Math.floor(messages / 4) : messages;
    const target = received + count * perDelivery;
    const start = process.hrtime.bigint();
    let sent = 0;
    while (sent < count) {
      const n = Math.min(BATCH, count - sent);
      for (let i = 0; i < n; i++) writeDelivery(out, body);
      sent += n;
      await new Promise<void>((resolve) => setImmediate(resolve));
      // Honour back-pressure as the broker does: wait for 'drain' once the socket holds a few MB.
      if (client.writableLength > 4 * 1024 * 1024) await once(client, 'drain');
    }
    out.flush();
    if (received < target) {
      waitingFor = target;
      await new Promise<void>((resolve) => (done = resolve));
    }
    if (run === 0) continue;
    const ns = Number(process.hrtime.bigint() - start);
    const nsPerMessage = ns / count;
    const label = `deliver ${size} B over TCP (${count.toLocaleString('en-US')} messages)`;
    process.stdout.write(`${label.padEnd(58)} ${Math.round(1e9 / nsPerMessage).toLocaleString('en-US').padStart(14)} ops/s ${nsPerMessage.toFixed(1).padStart(10)} ns/op\n`);
    rates(`${size} B`, nsPerMessage, size);
  }
}
client.destroy();
server.close();

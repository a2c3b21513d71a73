/**
 * Frame parsing throughput: a buffer of 10,000 publishes (basic.publish + content header + one body frame)
 * pushed at once, and the same bytes in 64 KiB chunks as a socket delivers them (frames straddling chunk
 * boundaries are gathered). Reported per publish, i.e. per three frames.
 * Run: npm run bench -- protocol-frame-parser
 */
import { encodePropertiesBuffer, writeBodyFrames, writeHeaderFrame } from '../src/protocol/content-header.js';
import { FrameParser, type FrameSink } from '../src/protocol/frame-parser.js';
import { encodeBasicPublishFrame } from '../src/protocol/methods.generated.js';
import { Writer } from '../src/protocol/writer.js';
import { bench, header, sink } from './harness.js';

const PUBLISHES = 10_000;

function publishes(bodySize: number): Buffer {
  const w = new Writer(1 << 20);
  const props = encodePropertiesBuffer({ contentType: 'application/json', deliveryMode: 2 });
  const body = Buffer.alloc(bodySize, 0x61);
  for (let i = 0; i < PUBLISHES; i++) {
    encodeBasicPublishFrame(w, 1, 0, 'amq.topic', 'orders.eu.created', false, false);
    writeHeaderFrame(w, 1, 60, bodySize, props);
    writeBodyFrames(w, 1, body, 131072);
  }
  return w.take();
}

class CountingSink implements FrameSink {
  methods = 0;
  bytes = 0;
  onProtocolHeader(): void {}
  onMethod(): void {
    this.methods++;
  }
  onContentHeader(_channel: number, _classId: number, bodySize: number): void {
    this.bytes += bodySize;
  }
  onBody(_channel: number, body: Buffer): void {
    this.bytes += body.length;
  }
  onHeartbeat(): void {}
}

function chunks(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

header('frame parser');
for (const bodySize of [16, 1024]) {
  const buf = publishes(bodySize);
  const counting = new CountingSink();
  const parser = new FrameParser(counting, { frameMax: 131072 });
  bench(`parse 10k publishes, ${bodySize} B body, one push`, () => {
    parser.push(buf);
  }, { opsPerCall: PUBLISHES });
  const split = chunks(buf, 65536);
  const parser2 = new FrameParser(counting, { frameMax: 131072 });
  bench(`parse 10k publishes, ${bodySize} B body, 64 KiB chunks`, () => {
    for (const c of split) parser2.push(c);
  }, { opsPerCall: PUBLISHES });
  sink.value = counting.methods;
  process.stdout.write(`  (${(buf.length / PUBLISHES).toFixed(0)} bytes per publish)\n`);
}

import { describe, expect, it } from 'vitest';
import type { AmqpConnection, FastPath } from '../../../bench/perf/amqp-client.js';
import { Consumer } from '../../../bench/perf/consumer.js';
import { Body, producerTag } from '../../../bench/perf/measure.js';
import { Producer, type ProducerSpec } from '../../../bench/perf/producer.js';
import { FrameParser, type FrameSink } from '../../../src/protocol/frame-parser.js';
import type { Method } from '../../../src/protocol/methods.generated.js';

/** Just enough of a connection: records writes, lets the test play the broker through `fast`. */
function fakeConnection(): { conn: AmqpConnection; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const fake = {
    frameMax: 131072,
    blocked: false,
    error: undefined,
    fast: {} as FastPath,
    socket: {
      write(chunk: Buffer, cb?: () => void): boolean {
        writes.push(Buffer.from(chunk));
        if (cb !== undefined) setImmediate(cb);
        return true;
      },
    },
    openChannel: async () => {},
    qos: async () => {},
    consume: async () => {},
    confirmSelect: async () => {},
  };
  return { conn: fake as unknown as AmqpConnection, writes };
}

function body(runId: number, producer: number, seq: number, sentNs: number): Buffer {
  const b = Buffer.alloc(Body.minSize);
  b.writeDoubleLE(sentNs, Body.timestamp);
  b.writeUInt32LE(seq, Body.seq);
  b.writeUInt32LE(producerTag(runId, producer), Body.producer);
  return b;
}

describe('consumer accounting', () => {
  async function consumerWith(runId: number): Promise<{ consumer: Consumer; fast: FastPath; deliver: (b: Buffer, tag: number) => void }> {
    const { conn } = fakeConnection();
    const consumer = await Consumer.open(conn, { index: 0, runId, queue: 'q', autoAck: true, qos: 0 }, process.hrtime.bigint());
    const fast = conn.fast;
    const deliver = (b: Buffer, tag: number): void => {
      fast.onDeliver?.(1, tag);
      fast.onContentHeader?.(1, b.length);
      fast.onBody?.(1, b);
    };
    return { consumer, fast, deliver };
  }

  it('counts in-order messages with no reordering and no gaps', async () => {
    const { consumer, fast, deliver } = await consumerWith(7);
    fast.beforeChunk?.();
    for (let seq = 0; seq < 5; seq++) deliver(body(7, 0, seq, 0), seq + 1);
    for (let seq = 0; seq < 3; seq++) deliver(body(7, 1, seq, 0), seq + 6);
    expect(consumer.received).toBe(8);
    expect(consumer.reorders).toBe(0);
    expect(consumer.gaps).toBe(0);
    expect(consumer.latency.count).toBe(8);
  });

  it('reports a sequence number going back as reordering and a jump as a gap', async () => {
    const { consumer, fast, deliver } = await consumerWith(7);
    fast.beforeChunk?.();
    for (const [seq, tag] of [[0, 1], [2, 2], [1, 3], [3, 4], [3, 5], [9, 6]] as const) deliver(body(7, 0, seq, 0), tag);
    expect(consumer.received).toBe(6);
    expect(consumer.reorders).toBe(2); // 1 after 2, and 3 twice
    expect(consumer.gaps).toBe(1 + 5); // 1 skipped before 2; 4..8 skipped before 9
  });

  it("keeps other runs' messages out of the counts", async () => {
    const { consumer, fast, deliver } = await consumerWith(7);
    fast.beforeChunk?.();
    deliver(body(8, 0, 0, 0), 1);
    deliver(Buffer.from('short'), 2);
    deliver(body(7, 0, 0, 0), 3);
    expect(consumer.foreign).toBe(2);
    expect(consumer.received).toBe(1);
  });

  it('acks once per socket read with multiple=true, only in manual-ack mode', async () => {
    const { conn, writes } = fakeConnection();
    await Consumer.open(conn, { index: 0, runId: 1, queue: 'q', autoAck: false, qos: 10 }, process.hrtime.bigint());
    const fast = conn.fast;
    fast.beforeChunk?.();
    for (let tag = 1; tag <= 3; tag++) {
      fast.onDeliver?.(1, tag);
      fast.onContentHeader?.(1, 16);
      fast.onBody?.(1, body(1, 0, tag - 1, 0));
    }
    fast.afterChunk?.();
    fast.afterChunk?.(); // nothing new: no second ack
    expect(writes).toHaveLength(1);
    const methods: Method[] = [];
    const sink: FrameSink = {
      onProtocolHeader() {},
      onMethod: (_c, m) => methods.push(m),
      onContentHeader() {},
      onBody() {},
      onHeartbeat() {},
    };
    new FrameParser(sink, { frameMax: 131072 }).push(writes[0] as Buffer);
    expect(methods).toEqual([{ name: 'basic.ack', deliveryTag: 3, multiple: true }]);
  });
});

describe('producer confirm accounting', () => {
  const spec: ProducerSpec = { index: 0, runId: 1, exchange: 'x', keys: ['k'], size: 16, persistent: false, confirm: 8, rate: 0, limit: 0 };

  it('settles single acks out of order and multiple acks over them exactly once', async () => {
    const { conn } = fakeConnection();
    const p = new Producer(conn, spec, process.hrtime.bigint());
    p.sent = 8; // pretend 8 went out: tags 1..8
    const confirm = (tag: number, multiple: boolean, ack = true): void => conn.fast.onConfirm?.(tag, multiple, ack);
    confirm(3, false);
    confirm(5, false, false);
    expect([p.confirmed, p.nacked]).toEqual([1, 1]);
    confirm(4, true); // settles 1, 2, 4 (3 was already)
    expect([p.confirmed, p.nacked]).toEqual([4, 1]);
    confirm(6, false);
    confirm(8, true); // 7 and 8 (5 and 6 already)
    expect([p.confirmed, p.nacked]).toEqual([7, 1]);
    expect(p.outstanding).toBe(0);
    confirm(8, true); // a repeat settles nothing
    expect(p.confirmed).toBe(7);
  });

  it('publishes pre-encoded batches whose bodies carry consecutive sequence numbers', async () => {
    const { conn, writes } = fakeConnection();
    const p = new Producer(conn, { ...spec, limit: 5, confirm: 0 }, process.hrtime.bigint());
    p.start();
    await p.whenIdle(2000);
    const bodies: Buffer[] = [];
    const sink: FrameSink = {
      onProtocolHeader() {},
      onMethod() {},
      onContentHeader() {},
      onBody: (_c, b) => bodies.push(Buffer.from(b)),
      onHeartbeat() {},
    };
    const parser = new FrameParser(sink, { frameMax: 131072 });
    for (const w of writes) parser.push(w);
    expect(p.sent).toBe(5);
    expect(bodies.map((b) => b.readUInt32LE(Body.seq))).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(bodies.map((b) => b.readUInt32LE(Body.producer)))).toEqual(new Set([producerTag(1, 0)]));
  });
});

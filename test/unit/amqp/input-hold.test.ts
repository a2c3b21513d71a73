import { createServer, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InputHold } from '../../../src/amqp/input-hold.js';
import { FrameParser } from '../../../src/protocol/frame-parser.js';
import { Writer } from '../../../src/protocol/writer.js';
import { encodeMethodFrame } from '../../../src/protocol/methods.generated.js';
import { Recorder } from '../protocol/frame-recorder.js';

/** A connected socket pair over loopback: `near` is the one under test, `far` writes to it. */
async function socketPair(): Promise<{ near: Socket; far: Socket; close: () => void }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const far = connect({ port, host: '127.0.0.1' });
  const near = await accepted;
  return { near, far, close: () => (near.destroy(), far.destroy(), server.close()) };
}

function acks(n: number): Buffer {
  const w = new Writer(64);
  for (let i = 1; i <= n; i++) encodeMethodFrame(w, 1, { name: 'basic.ack', deliveryTag: i, multiple: false });
  return w.take();
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('InputHold', () => {
  it('holds for independent reasons; the last release parses the kept bytes first, then reads the socket again', async () => {
    const { near, far, close } = await socketPair();
    cleanup = close;
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 4096 });
    const order: string[] = [];
    const hold = new InputHold(parser, near, () => {
      order.push(`retained parsed, socket paused: ${near.isPaused()}`);
      parser.resume();
    });
    let holdAfter = 3;
    const onData = (chunk: Buffer): void => {
      order.push('data');
      parser.push(chunk);
    };
    near.on('data', onData);
    // The sink holds input on the third frame: frames 4.. of the same chunk wait in the parser.
    const origOnMethod = sink.onMethod.bind(sink);
    sink.onMethod = (ch, m) => {
      origOnMethod(ch, m);
      if (--holdAfter === 0) {
        hold.hold('output');
        hold.hold('sync');
      }
    };
    far.write(acks(10));
    await new Promise<void>((r) => {
      const check = (): void => (sink.events.length >= 3 ? r() : void setTimeout(check, 5));
      check();
    });
    await tick();
    expect(sink.events.length).toBe(3);
    expect(near.isPaused()).toBe(true);
    expect(parser.retainedBytes).toBeGreaterThan(0);

    far.write(acks(2)); // arrives while held: stays in the socket
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.events.length).toBe(3);

    hold.release('output');
    hold.release('output'); // releasing twice is harmless
    await tick();
    expect(hold.active).toBe(true);
    expect(sink.events.length).toBe(3);

    hold.release('sync');
    expect(sink.events.length).toBe(3); // not inside the caller's stack
    await tick();
    // The kept bytes were parsed while the socket was still paused, and before any new read.
    expect(order.filter((o) => o !== 'data')).toEqual(['retained parsed, socket paused: true']);
    const tags = (): number[] => sink.events.map((e) => (e.kind === 'method' && e.method.name === 'basic.ack' ? e.method.deliveryTag : -1));
    await new Promise<void>((r) => {
      const check = (): void => (sink.events.length >= 12 ? r() : void setTimeout(check, 5));
      check();
    });
    expect(tags()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2]);
    expect(near.isPaused()).toBe(false);
  });

  it('a reason held again while the kept bytes are parsed keeps the socket paused', async () => {
    const { near, far, close } = await socketPair();
    cleanup = close;
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 4096 });
    let reHold = true;
    const hold = new InputHold(parser, near, () => {
      parser.resume();
      if (reHold) hold.hold('work');
    });
    near.on('data', (c: Buffer) => parser.push(c));
    sink.onMethod = ((orig) => (ch: number, m: Parameters<Recorder['onMethod']>[1]) => {
      orig(ch, m);
      if (sink.events.length === 1) hold.hold('alarm');
    })(sink.onMethod.bind(sink));
    far.write(acks(4));
    await new Promise<void>((r) => {
      const check = (): void => (sink.events.length >= 1 ? r() : void setTimeout(check, 5));
      check();
    });
    hold.release('alarm');
    await tick();
    expect(sink.events.length).toBe(4);
    expect(hold.has('work')).toBe(true);
    expect(near.isPaused()).toBe(true);
    reHold = false;
    hold.release('work');
    await tick();
    expect(near.isPaused()).toBe(false);
  });

  it('work holds nest: input flows again only when every piece of work released it', async () => {
    const { near, far, close } = await socketPair();
    cleanup = close;
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 4096 });
    const hold = new InputHold(parser, near, () => parser.resume());
    near.on('data', (c: Buffer) => parser.push(c));
    hold.hold('work'); // e.g. a sliced tx.commit
    hold.hold('work'); // and the sliced settle of its acks
    far.write(acks(3));
    await new Promise((r) => setTimeout(r, 50));
    hold.release('work');
    await tick();
    expect(hold.active).toBe(true);
    expect(near.isPaused()).toBe(true);
    hold.release('work');
    await new Promise<void>((r) => {
      const check = (): void => (sink.events.length >= 3 ? r() : void setTimeout(check, 5));
      check();
    });
    expect(hold.active).toBe(false);
  });
});

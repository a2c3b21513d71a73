import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_HEADER } from '../../../src/protocol/constants.js';
import { eventually, withBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

/**
 * A peer that finishes sending (TCP FIN) without connection.close: the listeners allow half-open
 * sockets so that the broker, not Node's end-on-EOF, closes them, a time-bounded slice per turn of
 * the event loop (src/amqp/server.ts END_BUDGET_MS).
 */

/** Counts turns of the event loop (one per check phase) until stopped. */
function turnCounter(): { readonly now: () => number; readonly stop: () => void } {
  let turns = 0;
  let running = true;
  const next = (): void => {
    turns++;
    if (running) setImmediate(next);
  };
  setImmediate(next);
  return { now: () => turns, stop: () => (running = false) };
}

/** A socket past the protocol header: the broker has a Connection for it and sent connection.start. */
function started(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('error', reject);
    s.once('connect', () => s.write(PROTOCOL_HEADER));
    s.once('data', () => {
      s.off('error', reject);
      s.on('error', () => undefined);
      resolve(s);
    });
  });
}

describe('half-closed sockets', () => {
  it('a client that half-closes without connection.close is closed and released: its exclusive queue goes', async () => {
    await withBroker(async (broker) => {
      const client = await RawClient.open(broker.port);
      await client.openChannel(1);
      client.sendMethod(1, { name: 'queue.declare', ticket: 0, queue: 'mine', passive: false, durable: false, exclusive: true, autoDelete: false, nowait: false, arguments: {} });
      await client.waitMethod('queue.declare-ok', 1);
      expect(broker.vhosts.get('/')?.queues.has('mine')).toBe(true);
      client.socket.end(); // FIN: the client sends nothing more, but could still read
      await client.closed; // the broker closed its side too
      await eventually(() => broker.connectionCount() === 0 && broker.vhosts.get('/')?.queues.has('mine') === false);
    });
  });

  it('what the broker still had to send when the client half-closed is sent in full before it closes', async () => {
    await withBroker(async (broker) => {
      const client = await RawClient.open(broker.port);
      await client.openChannel(1);
      client.sendMethod(1, { name: 'queue.declare', ticket: 0, queue: 'big', passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} });
      await client.waitMethod('queue.declare-ok', 1);
      const body = Buffer.alloc(1 << 20, 7);
      for (let i = 0; i < 32; i++) client.publish(1, '', 'big', body, 65536);
      await eventually(() => broker.vhosts.get('/')?.queues.get('big')?.messageCount === 32, 5000, `published: ${broker.vhosts.get('/')?.queues.get('big')?.messageCount} ${client.describe()}`);
      client.pause(); // the kernel's buffers fill, then the broker's own
      client.sendMethod(1, { name: 'basic.consume', ticket: 0, queue: 'big', consumerTag: 'c', noLocal: false, noAck: true, exclusive: false, nowait: false, arguments: {} });
      await eventually(() => (broker.vhosts.get('/')?.queues.get('big')?.messageCount ?? 32) < 32);
      await new Promise((r) => setTimeout(r, 200)); // until the broker's output backs up
      client.socket.end();
      // Let the broker read the EOF while its output is still backed up (only a pass of the mutant waits on this).
      await new Promise((r) => setTimeout(r, 300));
      client.resume();
      await client.closed;
      const received = Buffer.concat(client.chunks);
      // Whole frames to the end (destroying the socket at once cuts the stream mid-frame) ...
      expect(client.decodeError).toBeUndefined();
      expect(received[received.length - 1]).toBe(0xce);
      expect(client.counts.get('basic.deliver') ?? 0).toBeGreaterThan(0);
    });
  });

  it('many half-closes at once are closed over several turns, not all in the turn that read their EOFs', async () => {
    await withBroker(async (broker) => {
      const n = 800;
      const sockets: Socket[] = [];
      for (let i = 0; i < n; i += 100) sockets.push(...(await Promise.all(Array.from({ length: 100 }, () => started(broker.port)))));
      const turns = turnCounter();
      const closedAt: number[] = [];
      const allClosed = Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve(void closedAt.push(turns.now()))))));
      for (const s of sockets) s.end();
      await allClosed;
      turns.stop();
      // Node's own end-on-EOF closes all of them within a turn or two of reading the EOFs; in 3 ms
      // slices, 800 destroys (tens of microseconds each) take several.
      const distinct = new Set(closedAt).size;
      expect(distinct).toBeGreaterThanOrEqual(3);
      await eventually(() => broker.connectionCount() === 0);
    });
  });
});

import { describe, it } from 'vitest';
import { withBroker } from '../../helpers/broker.js';
import { RawClient, type RawFrame } from '../../helpers/raw-client.js';

/** Handshake timeouts and heartbeats, seen from a raw socket that does exactly what the test says. */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Concurrent: each test has its own broker, and most of the time is waiting.
describe.concurrent('handshake timeout', () => {
  it('closes a socket that sends nothing, and one that sends only the protocol header', async ({ expect }) => {
    await withBroker(
      async (broker) => {
        const start = Date.now();
        const silent = await RawClient.connect(broker.port);
        const headerOnly = await RawClient.connect(broker.port);
        headerOnly.sendProtocolHeader();
        await headerOnly.waitMethod('connection.start', 0);
        const [silentClosed, headerClosed] = await Promise.all([silent.waitSocketClose(5000), headerOnly.waitSocketClose(5000)]);
        // Not before the timeout (200 ms), and not long after it (the server checks on a 250 ms tick).
        expect(silentClosed - start).toBeGreaterThanOrEqual(190);
        expect(headerClosed - start).toBeGreaterThanOrEqual(190);
        expect(Math.max(silentClosed, headerClosed) - start).toBeLessThan(3000);
        expect(silent.received().length).toBe(0);
        await eventuallyZero(() => broker.connectionCount());
      },
      { handshakeTimeout: 200 },
    );
  });

  it('does not close clients that take most of the timeout to start their handshake', async ({ expect }) => {
    // Connections arrive at all points of the server's tick; each waits 120 ms, then shakes hands. A
    // timeout measured from a stale coarse clock used to close about half of them.
    await withBroker(
      async (broker) => {
        const outcomes = await Promise.all(
          Array.from({ length: 12 }, async (_, i) => {
            await sleep(i * 37);
            const c = await RawClient.connect(broker.port);
            await sleep(120);
            try {
              await c.handshake();
              return 'open';
            } catch (err) {
              return (err as Error).message;
            } finally {
              c.destroy();
            }
          }),
        );
        expect(outcomes).toEqual(Array.from({ length: 12 }, () => 'open'));
      },
      { handshakeTimeout: 200 },
    );
  });

  it('does not close a connection that finished the handshake in time', async ({ expect }) => {
    await withBroker(
      async (broker) => {
        const c = await RawClient.open(broker.port);
        await sleep(800); // several handshake timeouts
        expect(c.isClosed).toBe(false);
        await c.openChannel(1);
        await c.close();
      },
      { handshakeTimeout: 200 },
    );
  });
});

describe.concurrent('heartbeats', () => {
  it('disconnects a client that negotiated heartbeat=1 and then sends nothing, after about two intervals', async ({ expect }) => {
    await withBroker(async (broker) => {
      const c = await RawClient.open(broker.port, { heartbeat: 1 });
      const openedAt = Date.now();
      const closedAt = await c.waitSocketClose(10_000);
      expect(closedAt - openedAt).toBeGreaterThanOrEqual(1500);
      expect(closedAt - openedAt).toBeLessThanOrEqual(5000);
      // The server kept sending its own heartbeats to the silent client meanwhile.
      expect(c.count('heartbeat')).toBeGreaterThanOrEqual(1);
      // RabbitMQ drops the socket without connection.close here; so does Warren.
      expect(c.count('connection.close')).toBe(0);
    });
  });

  it('an idle client that sends heartbeats hears the server\'s, at least one per interval, and stays connected', async ({ expect }) => {
    await withBroker(async (broker) => {
      const c = await RawClient.open(broker.port, { heartbeat: 1 });
      await c.openChannel(1);
      c.startHeartbeats(400);
      const from = c.frames.length;
      const idleStart = Date.now();
      await sleep(3000);
      const beats = c.frames.slice(from).filter((f: RawFrame) => f.kind === 'heartbeat');
      expect(c.isClosed).toBe(false);
      expect(beats.every((f) => f.channel === 0)).toBe(true);
      // About one per half interval (the server sends after 0.5 s of silence); generous bounds for a
      // loaded machine: three at least in three seconds, never 1.5 s without one.
      expect(beats.length).toBeGreaterThanOrEqual(3);
      const times = [idleStart, ...beats.map((f) => f.at)];
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      expect(Math.max(...gaps)).toBeLessThan(1500);
      c.stopHeartbeats();
      await c.close();
    });
  });

  it('with heartbeat=0 negotiated, an idle client is neither sent heartbeats nor dropped', async ({ expect }) => {
    await withBroker(async (broker) => {
      const c = await RawClient.open(broker.port, { heartbeat: 0 });
      await sleep(1200);
      expect(c.count('heartbeat')).toBe(0);
      expect(c.isClosed).toBe(false);
      await c.close();
    }, { heartbeat: 1 });
  });
});

async function eventuallyZero(read: () => number): Promise<void> {
  const start = Date.now();
  while (read() !== 0) {
    if (Date.now() - start > 3000) throw new Error(`still ${read()} connections`);
    await sleep(10);
  }
}

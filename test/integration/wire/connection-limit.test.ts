import amqp from 'amqplib';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { eventually, withBroker } from '../../helpers/broker.js';

/**
 * A connection over max-connections is told why: its connection.start-ok is answered (instead of with
 * connection.tune) by 530 NOT_ALLOWED "connection limit (N) reached", then the socket closes. The
 * sockets waiting for that answer are bounded too (64 at once; beyond, they close at once).
 */

describe('max-connections', () => {
  it('the connection over the limit gets connection.close 530 with the reason, which amqplib shows', async () => {
    await withBroker(
      async (broker) => {
        const a = await amqp.connect(broker.url);
        const b = await amqp.connect(broker.url);
        const refused = await amqp.connect(broker.url).then(
          () => undefined,
          (err: Error) => err,
        );
        expect(refused?.message).toContain('530');
        expect(refused?.message).toContain('NOT_ALLOWED - connection limit (2) reached');
        expect(broker.connectionCount()).toBe(2);
        // Below the limit again, a client gets in.
        await a.close();
        await eventually(() => broker.connectionCount() === 1);
        const c = await amqp.connect(broker.url);
        await (await c.createChannel()).assertQueue('', { exclusive: true });
        await c.close();
        await b.close();
      },
      { maxConnections: 2 },
    );
  });

  it('sockets waiting to be refused are bounded: past 64 of them, more are closed at once', async () => {
    await withBroker(
      async (broker) => {
        const served = await amqp.connect(broker.url);
        const sockets: Socket[] = [];
        const closed = new Set<Socket>();
        for (let i = 0; i < 80; i++) {
          const s = connect({ port: broker.port, host: '127.0.0.1' });
          s.on('error', () => undefined);
          s.on('close', () => closed.add(s));
          sockets.push(s);
        }
        await eventually(() => closed.size >= 16, 5000, `only ${closed.size} closed`);
        await new Promise((r) => setTimeout(r, 300));
        expect(closed.size).toBe(16); // the other 64 wait for their handshake (and its timeout)
        expect(broker.connectionCount()).toBe(1);
        for (const s of sockets) s.destroy();
        await served.close();
      },
      { maxConnections: 1, handshakeTimeout: 10_000 },
    );
  });
});

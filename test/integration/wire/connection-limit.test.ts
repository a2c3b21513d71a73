import amqp from 'amqplib';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { eventually, withBroker } from '../../helpers/broker.js';
import { HandshakeRefused, RawClient } from '../../helpers/raw-client.js';

/**
 * A connection over max-connections is refused as RabbitMQ 4.x refuses one over its node-wide
 * connection_max (rabbit_reader:is_over_node_connection_limit): its connection.open is answered by
 * 530 NOT_ALLOWED "connection refused: node connection limit (N) is reached", then the socket
 * closes. The sockets waiting for that answer are bounded too (64 at once; beyond, they close at once).
 */

describe('max-connections', () => {
  it('the connection over the limit gets connection.close 530 with RabbitMQ 4.x text, in answer to connection.open', async () => {
    await withBroker(
      async (broker) => {
        const a = await amqp.connect(broker.url);
        const b = await amqp.connect(broker.url);
        const refused = await amqp.connect(broker.url).then(
          () => undefined,
          (err: Error) => err,
        );
        // amqplib shows no reply text for a close in answer to connection.open (nor for RabbitMQ's).
        expect(refused?.message).toBe('Expected ConnectionOpenOk; got <ConnectionClose channel:0>');
        // A raw client: the refusal answers connection.open (after tune), naming it, and the socket closes.
        const raw = await RawClient.connect(broker.port);
        const err = await raw.handshake().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(HandshakeRefused);
        expect((err as HandshakeRefused).close).toEqual({
          name: 'connection.close',
          replyCode: 530,
          replyText: 'NOT_ALLOWED - connection refused: node connection limit (2) is reached',
          classId: 10,
          methodId: 40,
        });
        expect(raw.count('connection.tune')).toBe(1);
        await raw.waitSocketClose();
        raw.destroy();
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

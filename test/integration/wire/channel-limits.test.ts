import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { withBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

/** channel.flow and max_message_size, with RabbitMQ 3.10's answers. */

const QOS = { name: 'basic.qos', prefetchSize: 0, prefetchCount: 10, global: false } as const;

describe('channel.flow', () => {
  it('active=true is confirmed with flow-ok active=true and the channel keeps working', async () => {
    await withBroker(async (broker) => {
      const c = await RawClient.open(broker.port);
      await c.openChannel(1);
      c.sendMethod(1, { name: 'channel.flow', active: true });
      const ok = await c.waitMethod('channel.flow-ok', 1);
      expect(ok.active).toBe(true);
      c.sendMethod(1, QOS);
      await c.waitMethod('basic.qos-ok', 1);
      await c.close();
    });
  });

  it('active=false closes the connection with 540 NOT_IMPLEMENTED, as RabbitMQ does', async () => {
    await withBroker(async (broker) => {
      const c = await RawClient.open(broker.port);
      await c.openChannel(1);
      c.sendMethod(1, { name: 'channel.flow', active: false });
      const close = await c.waitConnectionClose();
      // RabbitMQ 3.10: connection.close 540 "NOT_IMPLEMENTED - active=false", class 20 method 20.
      expect(close).toMatchObject({ replyCode: 540, replyText: 'NOT_IMPLEMENTED - active=false', classId: 20, methodId: 20 });
      await c.waitSocketClose();
    });
  });
});

describe('max message size', () => {
  it('a 1001-byte publish closes the channel with 406 and the connection keeps working on another channel (amqplib)', async () => {
    await withBroker(
      async (broker) => {
        const conn = await amqp.connect(broker.url);
        const connErrors: Error[] = [];
        conn.on('error', (err: Error) => connErrors.push(err));
        const big = await conn.createChannel();
        const closed = new Promise<Error & { code?: number }>((resolve) => big.on('error', resolve));
        const q = await big.assertQueue('limits', { exclusive: true });
        big.sendToQueue(q.queue, Buffer.alloc(1001, 1));
        const err = await closed;
        expect(err.code).toBe(406);
        expect(err.message).toContain('PRECONDITION_FAILED - message size 1001 is larger than configured max size 1000');

        const other = await conn.createChannel();
        other.sendToQueue(q.queue, Buffer.alloc(1000, 2));
        let got: false | amqp.GetMessage = false;
        for (let i = 0; i < 200 && got === false; i++) {
          got = await other.get(q.queue, { noAck: true });
          if (got === false) await new Promise((r) => setTimeout(r, 5));
        }
        expect(got === false ? -1 : got.content.length).toBe(1000);
        expect(connErrors).toEqual([]);
        await conn.close();
      },
      { maxMessageSize: 1000 },
    );
  });

  it('the channel.close names basic.publish (60/40), the message is dropped, and other channels are untouched', async () => {
    await withBroker(
      async (broker) => {
        const c = await RawClient.open(broker.port);
        await c.openChannel(1);
        await c.openChannel(2);
        c.sendMethod(2, { name: 'queue.declare', ticket: 0, queue: 'limits', passive: false, durable: false, exclusive: true, autoDelete: false, nowait: false, arguments: {} });
        await c.waitMethod('queue.declare-ok', 2);
        c.publish(1, '', 'limits', Buffer.alloc(1001));
        const close = await c.waitMethod('channel.close', 1);
        expect(close).toMatchObject({ replyCode: 406, classId: 60, methodId: 40 });
        c.sendMethod(1, { name: 'channel.close-ok' });
        c.publish(2, '', 'limits', Buffer.alloc(1000, 7));
        c.sendMethod(2, { name: 'basic.get', ticket: 0, queue: 'limits', noAck: true });
        const getOk = await c.waitMethod('basic.get-ok', 2);
        expect(getOk.messageCount).toBe(0); // only the 1000-byte message was queued
        const header = await c.waitFor((f) => f.kind === 'header' && f.channel === 2, 'content header');
        expect(header.kind === 'header' ? header.bodySize : -1).toBe(1000);
        // Channel 1 can be opened again after its close-ok.
        await c.openChannel(1);
        expect(c.count('connection.close')).toBe(0);
        await c.close();
      },
      { maxMessageSize: 1000 },
    );
  });
});

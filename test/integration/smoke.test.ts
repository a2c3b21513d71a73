import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { withBroker } from '../helpers/broker.js';

describe('smoke', () => {
  it('publishes and consumes with amqplib', async () => {
    await withBroker(async (broker) => {
      const conn = await amqp.connect(broker.url);
      const ch = await conn.createChannel();
      const q = await ch.assertQueue('', { exclusive: true });
      ch.sendToQueue(q.queue, Buffer.from('hello'));
      const got = await new Promise<string>((resolve) => {
        void ch.consume(q.queue, (msg) => {
          if (msg) {
            ch.ack(msg);
            resolve(msg.content.toString());
          }
        });
      });
      expect(got).toBe('hello');
      await conn.close();
    });
  });
});

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
      // A lost message fails in 2 s with a reason, rather than hanging until the test timeout.
      const got = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the published message was not delivered within 2 s')), 2000);
        void ch.consume(q.queue, (msg) => {
          if (msg) {
            clearTimeout(timer);
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

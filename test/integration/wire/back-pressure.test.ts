import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { withBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

/**
 * Outbound back-pressure: a no-ack consumer whose client stops reading. The broker must stop pulling
 * messages off the queue once the socket is full instead of buffering the whole queue in memory, and
 * must deliver everything once the client reads again.
 */

const MESSAGES = 20_000;
const BODY = Buffer.alloc(1024, 0x61);
const QUEUE = 'back-pressure';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('outbound back-pressure', () => {
  it('a consumer that stops reading holds the rest in the queue, then receives everything', async () => {
    await withBroker(async (broker) => {
      const admin = await amqp.connect(broker.url);
      const pub = await admin.createConfirmChannel();
      await pub.assertQueue(QUEUE);
      for (let i = 0; i < MESSAGES; i++) {
        if (!pub.sendToQueue(QUEUE, BODY)) await new Promise((r) => pub.once('drain', r));
      }
      await pub.waitForConfirms();
      const depth = async (): Promise<number> => (await pub.checkQueue(QUEUE)).messageCount;
      expect(await depth()).toBe(MESSAGES);

      const c = await RawClient.open(broker.port);
      c.keepFrames = false;
      await c.openChannel(1);
      c.pause();
      c.sendMethod(1, { name: 'basic.consume', ticket: 0, queue: QUEUE, consumerTag: 'slow', noLocal: false, noAck: true, exclusive: false, nowait: false, arguments: {} });

      // The queue drains into the socket until the kernel buffers and the broker's write buffer are
      // full, then stops: its depth settles above zero and stays there while the client does not read.
      let last = -1;
      let stableSince = Date.now();
      const deadline = Date.now() + 15_000;
      for (;;) {
        const now = await depth();
        if (now !== last) {
          last = now;
          stableSince = Date.now();
        } else if (now < MESSAGES && Date.now() - stableSince >= 500) {
          break;
        }
        if (Date.now() > deadline) throw new Error(`queue depth never settled (last ${last})`);
        await sleep(50);
      }
      expect(last).toBeGreaterThan(0);
      expect(last).toBeLessThan(MESSAGES); // the consumer did start
      await sleep(300);
      expect(await depth()).toBe(last);

      c.resume();
      const start = Date.now();
      while (c.count('basic.deliver') < MESSAGES) {
        if (Date.now() - start > 20_000) throw new Error(`only ${c.count('basic.deliver')} of ${MESSAGES} delivered`);
        await sleep(20);
      }
      expect(c.count('basic.deliver')).toBe(MESSAGES);
      expect(c.count('body')).toBe(MESSAGES);
      expect(await depth()).toBe(0);
      expect(c.count('connection.close')).toBe(0);
      await c.close();
      await admin.close();
    });
  });
});

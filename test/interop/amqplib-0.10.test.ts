import type { ChannelModel } from 'amqplib';
import amqplib010 from 'amqplib-0.10';
import { describe, expect, it } from 'vitest';
import { withBroker } from '../helpers/broker.js';
import { amqplibScenarios } from './helpers/amqplib-suite.js';

/** amqplib 0.10.0 keeps the frame size it negotiated in connection.frameMax (not in the typings). */
const negotiatedFrameMax = (conn: ChannelModel): unknown => (conn.connection as unknown as { frameMax: unknown }).frameMax;

// 0.10.0 is the oldest 0.10.x; it defaults to, and negotiates, the protocol minimum frame_max of 4096,
// and it checks every incoming frame against it, so the broker must split bodies it delivers.
amqplibScenarios('amqplib-0.10', amqplib010, {
  urlSuffix: '?frameMax=4096',
  afterConnect: (conn) => expect(negotiatedFrameMax(conn)).toBe(4096),
});

describe('amqplib-0.10: frameMax 4096', () => {
  it('publishes and consumes a 20 kB body split into 4096-byte frames both ways', async () => {
    await withBroker(async (broker) => {
      const conn = await amqplib010.connect(`${broker.url}?frameMax=4096`);
      expect(negotiatedFrameMax(conn)).toBe(4096);
      const ch = await conn.createConfirmChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      const body = Buffer.alloc(20_000, 0);
      for (let i = 0; i < body.length; i++) body[i] = i % 251;
      ch.sendToQueue(queue, body, { headers: { filler: 'x'.repeat(3000) } });
      await ch.waitForConfirms();
      const got = await new Promise<Buffer>((resolve) => {
        void ch.consume(queue, (m) => m && resolve(m.content), { noAck: true });
      });
      expect(got.equals(body)).toBe(true);
      await conn.close();
    });
  });
});

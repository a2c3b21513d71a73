import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/index.js';
import { withBroker } from '../../helpers/broker.js';

/**
 * An embedder's clock reaches every queue and exchange: a stock client over TCP sees TTL, x-expires
 * and delays follow the injected clock, not the wall clock (the test never waits for them).
 */
describe('BrokerOptions.clock', () => {
  it('TTL, x-expires, delayed release and x-death time follow the injected clock', async () => {
    const clock = new ManualClock(Date.UTC(2030, 5, 1));
    await withBroker(
      async (broker) => {
        const conn = await amqp.connect(broker.url);
        try {
          const ch = await conn.createChannel();
          await ch.assertExchange('dlx', 'fanout', { durable: false });
          await ch.assertQueue('dead', { durable: false });
          await ch.bindQueue('dead', 'dlx', '');
          await ch.assertQueue('work', { durable: false, arguments: { 'x-dead-letter-exchange': 'dlx' } });
          await ch.assertQueue('idle', { durable: false, arguments: { 'x-expires': 60_000 } });
          await ch.assertExchange('later', 'x-delayed-message', { durable: false, arguments: { 'x-delayed-type': 'direct' } });
          await ch.bindQueue('work', 'later', 'k');
          ch.sendToQueue('work', Buffer.from('ttl'), { expiration: '10000' });
          ch.publish('later', 'k', Buffer.from('delayed'), { headers: { 'x-delay': 30_000 } });
          await ch.checkQueue('work'); // a round trip: both publishes are in
          expect((await ch.checkQueue('work')).messageCount).toBe(1);

          clock.advance(10_000);
          expect((await ch.checkQueue('work')).messageCount).toBe(0);
          const dead = await ch.get('dead', { noAck: true });
          expect(dead && dead.content.toString()).toBe('ttl');
          const death = (dead as amqp.GetMessage).properties.headers?.['x-death']?.[0] as { reason: string; time: unknown } | undefined;
          expect(death?.reason).toBe('expired');
          // An AMQP timestamp: seconds.
          expect(death?.time).toEqual({ '!': 'timestamp', value: (Date.UTC(2030, 5, 1) + 10_000) / 1000 });

          clock.advance(20_000);
          const released = await ch.get('work', { noAck: true });
          expect(released && released.content.toString()).toBe('delayed');

          clock.advance(30_000); // 60 s since 'idle' was declared, unused
          ch.on('error', () => undefined); // the 404 below closes the channel
          await expect(ch.checkQueue('idle')).rejects.toThrow(/404/);
        } finally {
          await conn.close().catch(() => undefined);
        }
      },
      { clock },
    );
  });
});

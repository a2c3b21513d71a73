import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/index.js';
import { withBroker } from '../../helpers/broker.js';

/**
 * An embedder's clock reaches every queue and exchange, and the consumer timeout: a stock client
 * over TCP sees TTL, x-expires, delays and the delivery acknowledgement timeout follow the injected
 * clock, not the wall clock (the test never waits for them).
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

  it('a consumer timeout follows the injected clock: 406 on the channel, the message back in its queue', async () => {
    const clock = new ManualClock(Date.UTC(2030, 5, 1));
    await withBroker(
      async (broker) => {
        const conn = await amqp.connect(broker.url);
        try {
          const ch = await conn.createChannel();
          const watcher = await conn.createChannel();
          await ch.assertQueue('slow', { durable: false });
          const delivered = new Promise<void>((resolve) => void ch.consume('slow', () => resolve())); // never acks
          watcher.sendToQueue('slow', Buffer.from('held'));
          await delivered;
          let early: Error | undefined;
          ch.once('error', (e: Error) => (early = e));
          clock.advance(30 * 60_000); // the 30 min default, to the millisecond: not yet
          await watcher.checkQueue('slow'); // a round trip on the same connection
          expect(early).toBeUndefined();
          const closed = new Promise<Error & { code?: number }>((resolve) => ch.once('error', resolve));
          clock.advance(1);
          const err = await closed;
          expect(err.code).toBe(406);
          expect(err.message).toContain(
            'PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: 1800000 ms. This timeout value can be configured, see consumers doc guide to learn more',
          );
          const back = await watcher.get('slow', { noAck: true });
          expect(back && [back.content.toString(), back.fields.redelivered]).toEqual(['held', true]);
        } finally {
          await conn.close().catch(() => undefined);
        }
      },
      { clock },
    );
  });
});

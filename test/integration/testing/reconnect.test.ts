import { AMQPSession } from '@cloudamqp/amqp-client';
import amqpcm from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { Connection } from 'rabbitmq-client';
import rascal from 'rascal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../../../src/testing/index.js';

/**
 * warren/testing's faults drive the stock clients' reconnect logic: the connection is closed (320)
 * or the broker restarted, the client connects again and recovers its consumer, and a message
 * published after that still gets through. "Recovered" is read off the broker: the queue has a
 * consumer again.
 */
let kit: TestBroker;
beforeAll(async () => {
  kit = await createTestBroker();
});
afterAll(async () => kit.close());

const consumersOn = (vhost: string, queue: string): number | undefined => kit.broker.readModel.queue(vhost, queue)?.consumerCount;
const connectionsOn = (vhost: string): number => kit.broker.readModel.connections().filter((c) => c.vhost === vhost).length;

describe('reconnect through the fault injection', () => {
  it('amqp-connection-manager: closeConnections, then it reconnects, re-runs its setup, and consumes', async () => {
    const { vhost, url } = await kit.isolate();
    const got: string[] = [];
    let setups = 0;
    const manager = amqpcm.connect([url], { reconnectTimeInSeconds: 0.05 });
    const wrapper = manager.createChannel({
      setup: async (ch: ConfirmChannel) => {
        setups++;
        await ch.assertQueue('jobs', { durable: true });
        await ch.consume('jobs', (m) => m && (got.push(m.content.toString()), ch.ack(m)));
      },
    });
    try {
      await wrapper.waitForConnect();
      expect(kit.closeConnections({ vhost, reason: 'failover drill' })).toBe(1);
      await expect.poll(() => setups, { timeout: 5000 }).toBe(2);
      await expect.poll(() => consumersOn(vhost, 'jobs'), { timeout: 5000 }).toBe(1);
      await wrapper.sendToQueue('jobs', Buffer.from('after the drill'));
      await expect.poll(() => got).toEqual(['after the drill']);
    } finally {
      await manager.close();
    }
  });

  it('rabbitmq-client: restart, then its consumer comes back and a confirmed publish gets through', async () => {
    const { vhost, url } = await kit.isolate();
    const rabbit = new Connection({ url, retryLow: 20, retryHigh: 100 });
    rabbit.on('error', () => undefined);
    const got: string[] = [];
    const sub = rabbit.createConsumer({ queue: 'jobs', queueOptions: { durable: true } }, (m) => {
      got.push(String(m.body));
    });
    const pub = rabbit.createPublisher({ confirm: true });
    try {
      await expect.poll(() => consumersOn(vhost, 'jobs'), { timeout: 5000 }).toBe(1);
      await kit.restart();
      expect(consumersOn(vhost, 'jobs')).toBe(0);
      await expect.poll(() => consumersOn(vhost, 'jobs'), { timeout: 5000 }).toBe(1);
      await pub.send('jobs', 'after the restart');
      await expect.poll(() => got).toEqual(['after the restart']);
    } finally {
      await pub.close();
      await sub.close();
      await rabbit.close();
    }
  });

  it('@cloudamqp/amqp-client (AMQPSession): closeConnections, then the subscription recovers', async () => {
    const { vhost, url } = await kit.isolate();
    let connects = 0;
    const session = await AMQPSession.connect(url, { reconnectInterval: 20, onconnect: () => void connects++ });
    const got: string[] = [];
    try {
      const q = await session.queue('jobs', { durable: true });
      await q.subscribe(async (m) => void got.push(m.bodyString() ?? ''));
      expect(kit.closeConnections({ vhost })).toBe(1);
      await expect.poll(() => connects, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      await expect.poll(() => consumersOn(vhost, 'jobs'), { timeout: 5000 }).toBe(1);
      await q.publish('after the drill');
      await expect.poll(() => got).toEqual(['after the drill']);
    } finally {
      await session.stop();
    }
  });

  it('rascal: restart, then it reconnects, declares its topology again and its subscription consumes', async () => {
    const { vhost, url } = await kit.isolate();
    const config = rascal.withDefaultConfig({
      vhosts: {
        [vhost]: {
          connection: { url, retry: { min: 20, max: 100, factor: 1, strategy: 'linear' } },
          queues: { jobs: { options: { durable: true } } },
          publications: { jobs: { queue: 'jobs' } },
          subscriptions: { jobs: { queue: 'jobs' } },
        },
      },
    });
    const r = await rascal.BrokerAsPromised.create(config);
    r.on('error', () => undefined);
    const got: string[] = [];
    try {
      const sub = await r.subscribe('jobs');
      sub.on('message', (_m, content, ackOrNack) => {
        got.push(String(content));
        ackOrNack();
      });
      sub.on('error', () => undefined);
      await expect.poll(() => consumersOn(vhost, 'jobs'), { timeout: 5000 }).toBe(1);
      await kit.restart();
      await expect.poll(() => consumersOn(vhost, 'jobs'), { timeout: 5000 }).toBe(1);
      expect(connectionsOn(vhost)).toBeGreaterThanOrEqual(1);
      const session = await r.publish('jobs', 'after the restart');
      await new Promise<void>((resolve, reject) => session.on('success', () => resolve()).on('error', reject));
      await expect.poll(() => got).toEqual(['after the restart']);
    } finally {
      await r.shutdown();
    }
  });
});

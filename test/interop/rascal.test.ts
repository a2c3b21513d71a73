import type { Message } from 'amqplib';
import rascal, { type AckOrNack, type PublishOverrides, type RascalBroker } from 'rascal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/index.js';
import { eventually, openBroker } from '../helpers/broker.js';
import { expectedXDeath, resourceNames, SCENARIO_CONSTANTS as C, scenarioTitle as title } from './helpers/scenarios.js';
import { withCredentials } from './helpers/wait.js';

const client = 'rascal';
const n = resourceNames(client);

/** Rascal's whole topology, declared from configuration on vhost '/'. */
function topology(url: string) {
  return rascal.withDefaultConfig({
    vhosts: {
      '/': {
        connection: { url },
        exchanges: {
          [n.topic]: { type: 'topic', options: { durable: true } },
          [n.dlx]: { type: 'fanout', options: { durable: true } },
          [n.headers]: { type: 'headers', options: { durable: false } },
        },
        queues: {
          [n.work]: {
            options: { durable: true, arguments: { 'x-dead-letter-exchange': n.dlx, 'x-max-priority': C.maxPriority } },
          },
          [n.dead]: { options: { durable: true } },
          [n.headersQueue]: { options: { durable: false } },
        },
        bindings: {
          work: { source: n.topic, destination: n.work, bindingKey: n.pattern },
          dead: { source: n.dlx, destination: n.dead, bindingKey: '' },
          reports: { source: n.headers, destination: n.headersQueue, bindingKey: '', options: { ...C.headersBinding } },
        },
        // Rascal's defaults make publications confirmed, mandatory and persistent.
        publications: {
          orders: { exchange: n.topic, routingKey: 'orders.new' },
          reports: { exchange: n.headers },
        },
        subscriptions: {
          work: { queue: n.work, prefetch: C.prefetch },
          dead: { queue: n.dead },
          reports: { queue: n.headersQueue },
        },
      },
    },
  });
}

interface Delivery {
  readonly message: Message;
  readonly content: unknown;
  readonly ackOrNack: AckOrNack;
}

describe('rascal: scenarios', () => {
  let broker: Broker;
  let closeBroker: () => Promise<void>;
  let r: RascalBroker | undefined;
  const brokerErrors: Error[] = [];
  const returned: Message[] = [];

  const depth = (queue: string): number | undefined => broker.readModel.queue('/', queue)?.messagesReady;
  const rascalBroker = (): RascalBroker => {
    if (r === undefined) throw new Error('scenario 2 did not create the rascal broker');
    return r;
  };
  /** Publishes and resolves on rascal's 'success' (the broker's confirm). */
  const publish = async (publication: string, content: string, overrides?: string | PublishOverrides): Promise<void> => {
    const session = await rascalBroker().publish(publication, content, overrides);
    session.on('return', (m) => returned.push(m));
    await new Promise<void>((resolve, reject) => {
      session.on('success', () => resolve());
      session.on('error', (err) => reject(err));
    });
  };
  /** Subscribes and collects deliveries without acking them. */
  const subscribe = async (subscription: string): Promise<{ got: Delivery[]; cancel: () => Promise<void> }> => {
    const got: Delivery[] = [];
    const session = await rascalBroker().subscribe(subscription);
    session.on('message', (message, content, ackOrNack) => got.push({ message, content, ackOrNack }));
    session.on('error', (err) => brokerErrors.push(err));
    return { got, cancel: () => session.cancel() };
  };

  beforeAll(async () => ({ broker, close: closeBroker } = await openBroker()));
  afterAll(async () => {
    await r?.shutdown().catch(() => undefined);
    await closeBroker();
  });

  it(title(1), async () => {
    const bare = (url: string) => rascal.withDefaultConfig({ vhosts: { '/': { connection: { url } } } });
    await expect(rascal.BrokerAsPromised.create(bare(withCredentials(broker.url, 'guest', 'wrong')))).rejects.toThrow(
      /ACCESS.REFUSED|403/,
    );
    const probe = await rascal.BrokerAsPromised.create(bare(broker.url));
    await eventually(() => broker.connectionCount() === 1);
    await probe.shutdown();
    await eventually(() => broker.connectionCount() === 0);
  });

  it(title(2), async () => {
    r = await rascal.BrokerAsPromised.create(topology(broker.url));
    r.on('error', (err: Error) => brokerErrors.push(err));
    expect(broker.readModel.exchange('/', n.topic)?.type).toBe('topic');
    expect(broker.readModel.exchange('/', n.headers)?.type).toBe('headers');
    expect(broker.readModel.queue('/', n.work)?.durable).toBe(true);
    // The binding routes, and the queue honours x-max-priority: highest priority first.
    for (const p of C.priorities) await publish('orders', `p${p}`, { routingKey: 'orders.priority', options: { priority: p } });
    const sub = await subscribe('work');
    const order: unknown[] = [];
    await eventually(() => {
      for (const d of sub.got.splice(0)) {
        order.push(d.content);
        d.ackOrNack();
      }
      return order.length === C.priorities.length;
    });
    expect(order).toEqual(['p9', 'p5', 'p1']);
    await sub.cancel();
  });

  it(title(3), async () => {
    await publish('orders', 'confirmed');
    await publish('orders', 'lost', 'nowhere.at.all');
    await eventually(() => returned.length === 1);
    expect(returned[0]?.fields).toMatchObject({ replyCode: C.noRoute.code, replyText: C.noRoute.text, exchange: n.topic, routingKey: 'nowhere.at.all' });
    expect(returned[0]?.content.toString()).toBe('lost');
    expect(depth(n.work)).toBe(1);
  });

  it(title(4), async () => {
    await publish('orders', 'c1');
    await publish('orders', 'c2');
    const sub = await subscribe('work');
    await eventually(() => sub.got.length === 2);
    expect(depth(n.work)).toBe(1); // prefetch 2 holds the third back
    sub.got[0]?.ackOrNack();
    await eventually(() => sub.got.length === 3);
    sub.got[1]?.ackOrNack();
    sub.got[2]?.ackOrNack();
    expect(sub.got.map((d) => d.content)).toEqual(['confirmed', 'c1', 'c2']);
    await sub.cancel(); // closes the channel: unacked deliveries would be back in the queue
    expect(depth(n.work)).toBe(0);
  });

  it(title(5), async () => {
    await publish('orders', 'doomed', 'orders.reject');
    const work = await subscribe('work');
    await eventually(() => work.got.length === 1);
    work.got[0]?.ackOrNack(new Error('rejected on purpose'), { strategy: 'nack' });
    const dead = await subscribe('dead');
    await eventually(() => dead.got.length === 1, 3000, 'nothing reached the dead-letter queue');
    const d = dead.got[0] as Delivery;
    d.ackOrNack();
    expect(d.content).toBe('doomed');
    const xDeath = (d.message.properties.headers ?? {})['x-death'] as unknown[];
    expect(xDeath).toHaveLength(1);
    expect(xDeath[0]).toMatchObject(expectedXDeath(client, 'orders.reject'));
    await work.cancel();
    await dead.cancel();
  });

  it.skip(`${title(6)}: n/a (rascal has no API for basic.get)`, () => undefined);

  it(title(7), async () => {
    await publish('reports', 'partial', { options: { headers: { format: 'pdf' } } });
    await publish('reports', 'full', { options: { headers: { format: 'pdf', type: 'report', extra: 1 } } });
    // 'partial' matched only one of the two headers: mandatory, so it came back.
    await eventually(() => returned.length === 2);
    expect(returned[1]?.content.toString()).toBe('partial');
    const sub = await subscribe('reports');
    await eventually(() => sub.got.length === 1);
    sub.got[0]?.ackOrNack();
    expect(sub.got[0]?.content).toBe('full');
    await sub.cancel();
    expect(depth(n.headersQueue)).toBe(0);
  });

  it.skip(`${title(8)}: n/a (rascal has no API for tx.select/commit/rollback)`, () => undefined);

  it(title(9), async () => {
    await rascalBroker().unsubscribeAll();
    await rascalBroker().nuke();
    const left = [...broker.readModel.exchanges('/'), ...broker.readModel.queues('/')].map((r) => r.name).filter((name) => name.startsWith(`interop.${client}.`));
    expect(left).toEqual([]);
  });

  it(title(10), async () => {
    await rascalBroker().shutdown();
    r = undefined;
    await eventually(() => broker.connectionCount() === 0);
    expect(brokerErrors).toEqual([]);
  });
});

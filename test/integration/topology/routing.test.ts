/**
 * Routing through direct, fanout and topic exchanges, exchange-to-exchange graphs, alternate
 * exchanges and sender-selected distribution (CC/BCC), observed with basic.get after confirms.
 * Expected results are what RabbitMQ 3.10 delivers for the same publishes.
 */
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { confirmChannel, drain, drainBodies, sharedBroker } from './support.js';

const { connect, connectClient } = sharedBroker();

/** Declares n exclusive server-named queues. */
async function queues(ch: ConfirmChannel, n: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i++) names.push((await ch.assertQueue('', { exclusive: true })).queue);
  return names;
}

describe('direct', () => {
  it('routes on exact key equality, to every queue bound with that key', async () => {
    const ch = await confirmChannel(await connect());
    await ch.assertExchange('r.direct', 'direct', { durable: false });
    const [a, b, c] = await queues(ch, 3);
    await ch.bindQueue(a!, 'r.direct', 'red');
    await ch.bindQueue(b!, 'r.direct', 'red');
    await ch.bindQueue(c!, 'r.direct', 'green');
    ch.publish('r.direct', 'red', Buffer.from('r'));
    ch.publish('r.direct', 'green', Buffer.from('g'));
    ch.publish('r.direct', 'Red', Buffer.from('case differs'));
    ch.publish('r.direct', 'red.x', Buffer.from('longer key'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, a!)).toEqual(['r']);
    expect(await drainBodies(ch, b!)).toEqual(['r']);
    expect(await drainBodies(ch, c!)).toEqual(['g']);
  });

  it('binds the empty key like any other', async () => {
    const ch = await confirmChannel(await connect());
    const [q] = await queues(ch, 1);
    await ch.bindQueue(q!, 'amq.direct', '');
    ch.publish('amq.direct', '', Buffer.from('empty'));
    ch.publish('amq.direct', ' ', Buffer.from('space'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, q!)).toEqual(['empty']);
  });
});

describe('fanout', () => {
  it('routes to every bound queue whatever the key', async () => {
    const ch = await confirmChannel(await connect());
    await ch.assertExchange('r.fanout', 'fanout', { durable: false });
    const [a, b] = await queues(ch, 2);
    await ch.bindQueue(a!, 'r.fanout', 'ignored');
    await ch.bindQueue(b!, 'r.fanout', '');
    ch.publish('r.fanout', 'anything', Buffer.from('1'));
    ch.publish('r.fanout', '', Buffer.from('2'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, a!)).toEqual(['1', '2']);
    expect(await drainBodies(ch, b!)).toEqual(['1', '2']);
  });
});

describe('topic', () => {
  // Each binding key with the routing keys RabbitMQ 3.10 delivers to it, from the same publishes.
  const publishes = ['a', 'a.b', 'a..b', 'a.x.b', '', 'b', '.', 'a.', '.b', 'a.b.c', 'a.b.b', 'x.a.b'];
  const expected: Record<string, string[]> = {
    'a.*': ['a.b', 'a.'],
    'a.#': ['a', 'a.b', 'a..b', 'a.x.b', 'a.', 'a.b.c', 'a.b.b'],
    '#': publishes,
    '*': ['a', 'b'],
    'a..b': ['a..b'],
    'a.*.b': ['a..b', 'a.x.b', 'a.b.b'],
    '#.b': ['a.b', 'a..b', 'a.x.b', 'b', '.b', 'a.b.b', 'x.a.b'],
    '': [''],
    'a.#.b': ['a.b', 'a..b', 'a.x.b', 'a.b.b'],
    '*.*': ['a.b', '.', 'a.', '.b'],
    'a.b.#': ['a.b', 'a.b.c', 'a.b.b'],
  };

  it('matches *, # and empty words as RabbitMQ does', async () => {
    const ch = await confirmChannel(await connect());
    await ch.assertExchange('r.topic', 'topic', { durable: false });
    const bindingKeys = Object.keys(expected);
    const qs = await queues(ch, bindingKeys.length);
    for (const [i, key] of bindingKeys.entries()) await ch.bindQueue(qs[i]!, 'r.topic', key);
    for (const rk of publishes) ch.publish('r.topic', rk, Buffer.from(rk));
    await ch.waitForConfirms();
    const got: Record<string, string[]> = {};
    for (const [i, key] of bindingKeys.entries()) got[key] = await drainBodies(ch, qs[i]!);
    expect(got).toEqual(expected);
  });

  it('stops matching after unbind', async () => {
    const ch = await confirmChannel(await connect());
    const [q] = await queues(ch, 1);
    await ch.bindQueue(q!, 'amq.topic', 'stock.*.nyse');
    ch.publish('amq.topic', 'stock.ibm.nyse', Buffer.from('before'));
    await ch.waitForConfirms();
    await ch.unbindQueue(q!, 'amq.topic', 'stock.*.nyse');
    ch.publish('amq.topic', 'stock.ibm.nyse', Buffer.from('after'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, q!)).toEqual(['before']);
  });
});

describe('exchange-to-exchange routing', () => {
  it('follows chains, each hop applying its own type', async () => {
    const ch = await confirmChannel(await connect());
    await ch.assertExchange('chain.1', 'topic', { durable: false });
    await ch.assertExchange('chain.2', 'direct', { durable: false });
    await ch.assertExchange('chain.3', 'fanout', { durable: false });
    await ch.bindExchange('chain.2', 'chain.1', 'orders.#');
    await ch.bindExchange('chain.3', 'chain.2', 'orders.eu');
    const [end, mid] = await queues(ch, 2);
    await ch.bindQueue(end!, 'chain.3', '');
    await ch.bindQueue(mid!, 'chain.2', 'orders.us');
    ch.publish('chain.1', 'orders.eu', Buffer.from('eu'));
    ch.publish('chain.1', 'orders.us', Buffer.from('us'));
    ch.publish('chain.1', 'invoices.eu', Buffer.from('not orders'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, end!)).toEqual(['eu']);
    expect(await drainBodies(ch, mid!)).toEqual(['us']);
  });

  it('delivers once per queue through several bindings and several paths, and cycles end', async () => {
    const ch = await confirmChannel(await connect());
    for (const x of ['dd.s', 'dd.m1', 'dd.m2', 'dd.d']) await ch.assertExchange(x, 'fanout', { durable: false });
    // Diamond s -> m1 -> d, s -> m2 -> d, plus a cycle d -> s.
    await ch.bindExchange('dd.m1', 'dd.s', '');
    await ch.bindExchange('dd.m2', 'dd.s', '');
    await ch.bindExchange('dd.d', 'dd.m1', '');
    await ch.bindExchange('dd.d', 'dd.m2', '');
    await ch.bindExchange('dd.s', 'dd.d', '');
    const [q] = await queues(ch, 1);
    await ch.bindQueue(q!, 'dd.d', '');
    await ch.bindQueue(q!, 'dd.s', '');
    await ch.bindQueue(q!, 'dd.m1', 'a');
    await ch.bindQueue(q!, 'dd.m1', 'b');
    ch.publish('dd.s', 'k', Buffer.from('once'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, q!)).toEqual(['once']);
  });

  it('terminates on an exchange bound to itself', async () => {
    const ch = await confirmChannel(await connect());
    await ch.assertExchange('self.loop', 'fanout', { durable: false });
    await ch.bindExchange('self.loop', 'self.loop', '');
    const [q] = await queues(ch, 1);
    await ch.bindQueue(q!, 'self.loop', '');
    ch.publish('self.loop', '', Buffer.from('loop'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, q!)).toEqual(['loop']);
  });
});

describe('alternate exchanges', () => {
  it('take what the exchange cannot route; mandatory returns only what nothing routed', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    const returned: ConsumeMessage[] = [];
    ch.on('return', (m: ConsumeMessage) => returned.push(m));
    await ch.assertExchange('ae.catch', 'fanout', { durable: false });
    await ch.assertExchange('ae.main', 'direct', { durable: false, alternateExchange: 'ae.catch' });
    await ch.assertExchange('ae.missing-ae', 'direct', { durable: false, alternateExchange: 'ae.does-not-exist' });
    await ch.assertExchange('ae.empty', 'fanout', { durable: false });
    await ch.assertExchange('ae.to-empty', 'direct', { durable: false, alternateExchange: 'ae.empty' });
    const [caught, main] = await queues(ch, 2);
    await ch.bindQueue(caught!, 'ae.catch', '');
    await ch.bindQueue(main!, 'ae.main', 'k');

    ch.publish('ae.main', 'k', Buffer.from('routed'), { mandatory: true });
    ch.publish('ae.main', 'other', Buffer.from('to the AE'), { mandatory: true });
    ch.publish('ae.missing-ae', 'x', Buffer.from('AE missing'), { mandatory: true });
    ch.publish('ae.to-empty', 'x', Buffer.from('AE routes nowhere'), { mandatory: true });
    await ch.waitForConfirms();
    await ch.checkQueue(main!); // basic.return precedes the ack; one more round trip to be sure

    expect(await drainBodies(ch, main!)).toEqual(['routed']);
    expect(await drainBodies(ch, caught!)).toEqual(['to the AE']);
    expect(returned.map((m) => [m.content.toString(), m.fields.exchange, (m.fields as { replyCode?: number }).replyCode])).toEqual([
      ['AE missing', 'ae.missing-ae', 312],
      ['AE routes nowhere', 'ae.to-empty', 312],
    ]);
  });

  it('is not used when the exchange routed to another exchange, even one that routes nowhere', async () => {
    const ch = await confirmChannel(await connect());
    await ch.assertExchange('ae2.catch', 'fanout', { durable: false });
    await ch.assertExchange('ae2.main', 'fanout', { durable: false, alternateExchange: 'ae2.catch' });
    await ch.assertExchange('ae2.dead-end', 'fanout', { durable: false });
    await ch.bindExchange('ae2.dead-end', 'ae2.main', '');
    const [caught] = await queues(ch, 1);
    await ch.bindQueue(caught!, 'ae2.catch', '');
    ch.publish('ae2.main', 'k', Buffer.from('lost'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, caught!)).toEqual([]);
  });
});

describe('sender-selected distribution (CC and BCC)', () => {
  it('routes to the CC and BCC keys too, each queue once; BCC is removed, CC kept', async () => {
    const ch = await confirmChannel(await connect());
    const [a, b, c] = await queues(ch, 3);
    ch.publish('', a!, Buffer.from('m1'), { headers: { CC: [b!], BCC: [c!], keep: 1 } });
    ch.publish('', a!, Buffer.from('m2'), { headers: { CC: [a!, a!] } });
    await ch.waitForConfirms();
    const seen = async (q: string) => (await drain(ch, q)).map((m) => [m.content.toString(), m.properties.headers, m.fields.routingKey]);
    expect(await seen(a!)).toEqual([
      ['m1', { CC: [b!], keep: 1 }, a!],
      ['m2', { CC: [a!, a!] }, a!],
    ]);
    expect(await seen(b!)).toEqual([['m1', { CC: [b!], keep: 1 }, a!]]);
    expect(await seen(c!)).toEqual([['m1', { CC: [b!], keep: 1 }, a!]]);
  });

  it('applies CC keys on a topic exchange', async () => {
    const ch = await confirmChannel(await connect());
    const [eu, us] = await queues(ch, 2);
    await ch.bindQueue(eu!, 'amq.topic', 'orders.eu.*');
    await ch.bindQueue(us!, 'amq.topic', 'orders.us.*');
    ch.publish('amq.topic', 'orders.eu.new', Buffer.from('both'), { headers: { CC: ['orders.us.new'] } });
    await ch.waitForConfirms();
    expect(await drainBodies(ch, eu!)).toEqual(['both']);
    expect(await drainBodies(ch, us!)).toEqual(['both']);
  });
});

describe('with @cloudamqp/amqp-client', () => {
  it('routes through a topic exchange and an exchange-to-exchange binding', async () => {
    const conn = await connectClient();
    const ch = await conn.channel();
    await ch.confirmSelect();
    await ch.exchangeDeclare('cl.r.topic', 'topic', { durable: false });
    await ch.exchangeDeclare('cl.r.fan', 'fanout', { durable: false });
    await ch.exchangeBind('cl.r.fan', 'cl.r.topic', 'logs.#');
    const q = await ch.queueDeclare('', { exclusive: true });
    await ch.queueBind(q.name, 'cl.r.fan', '');
    await ch.basicPublish('cl.r.topic', 'logs.app.error', 'hit');
    await ch.basicPublish('cl.r.topic', 'metrics.cpu', 'miss');
    const first = await ch.basicGet(q.name);
    expect(first?.bodyString()).toBe('hit');
    expect(first?.routingKey).toBe('logs.app.error');
    expect(first?.exchange).toBe('cl.r.topic');
    expect(await ch.basicGet(q.name)).toBeNull();
  });
});

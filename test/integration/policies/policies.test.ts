import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, PolicyError, type Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { roundTrip } from '../../helpers/amqp.js';

let broker: Broker;
let close: () => Promise<void>;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;
const clock = new ManualClock(Date.UTC(2030, 0, 1));
beforeAll(async () => {
  ({ broker, close } = await openBroker({ clock }));
  conn = await amqp.connect(broker.url);
  ch = await conn.createChannel();
});
afterAll(async () => {
  await conn.close();
  await close();
});

const count = (q: string): number => broker.readModel.queue('/', q)?.messagesReady ?? -1;
async function publish(q: string, n: number, options: amqp.Options.Publish = {}): Promise<void> {
  for (let i = 0; i < n; i++) ch.sendToQueue(q, Buffer.from(String(i)), options);
  await roundTrip(ch, q);
}
async function bodies(q: string): Promise<string[]> {
  const out: string[] = [];
  for (let m = await ch.get(q, { noAck: true }); m !== false; m = await ch.get(q, { noAck: true })) out.push(m.content.toString());
  return out;
}

describe('policies through AMQP and the read model', () => {
  it('a policy applies at declare: the read model shows it, max-length drops from the head', async () => {
    await broker.policies.set('/', 'len2', { pattern: '^p1\\.', definition: { 'max-length': 2 } });
    await ch.assertQueue('p1.q', { exclusive: true });
    await publish('p1.q', 5);
    expect(await bodies('p1.q')).toEqual(['3', '4']);
    const q = broker.readModel.queue('/', 'p1.q');
    expect([q?.policy, q?.operatorPolicy, q?.effectivePolicyDefinition]).toEqual(['len2', undefined, { 'max-length': 2 }]);
    await broker.policies.delete('/', 'len2');
  });

  it('the highest priority wins; a tie goes to the lexically first name; apply-to exchanges skips queues', async () => {
    await broker.policies.set('/', 'b-tie', { pattern: '^p2', definition: { 'max-length': 1 } });
    await broker.policies.set('/', 'a-tie', { pattern: '^p2', definition: { 'max-length': 2 } });
    await broker.policies.set('/', 'x-only', { pattern: '^p2', 'apply-to': 'exchanges', priority: 9, definition: { 'alternate-exchange': 'ae' } });
    await ch.assertQueue('p2.q', { exclusive: true });
    expect(broker.readModel.queue('/', 'p2.q')?.policy).toBe('a-tie');
    await broker.policies.set('/', 'c-high', { pattern: 'q$', priority: 5, definition: { 'max-length': 3 } });
    expect(broker.readModel.queue('/', 'p2.q')?.policy).toBe('c-high');
    await publish('p2.q', 5);
    expect(count('p2.q')).toBe(3);
    for (const name of ['a-tie', 'b-tie', 'x-only', 'c-high']) expect(await broker.policies.delete('/', name)).toBe(true);
    expect(broker.readModel.queue('/', 'p2.q')?.policy).toBeUndefined();
    expect(broker.readModel.queue('/', 'p2.q')?.effectivePolicyDefinition).toEqual({});
  });

  it('argument vs policy: the lesser limit; the dead-letter-exchange argument wins over the policy’s', async () => {
    await ch.assertQueue('p3.dlq-arg', { exclusive: true });
    await ch.assertQueue('p3.dlq-pol', { exclusive: true });
    await broker.policies.set('/', 'p3', { pattern: '^p3\\.q', definition: { 'max-length': 4, 'dead-letter-exchange': '', 'dead-letter-routing-key': 'p3.dlq-pol' } });
    await ch.assertQueue('p3.q', { exclusive: true, arguments: { 'x-max-length': 2, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'p3.dlq-arg' } });
    await ch.assertQueue('p3.qb', { exclusive: true, arguments: { 'x-max-length': 9 } });
    await publish('p3.q', 5);
    await publish('p3.qb', 6);
    await roundTrip(ch, 'p3.dlq-arg');
    await roundTrip(ch, 'p3.dlq-pol');
    // p3.q: its own limit 2 and its own DLX; p3.qb: the policy's 4 < the argument's 9, and the policy's DLX.
    expect([count('p3.q'), count('p3.dlq-arg'), count('p3.qb'), count('p3.dlq-pol')]).toEqual([2, 3, 4, 2]);
    await broker.policies.delete('/', 'p3');
  });

  it('live: a smaller max-length dead-letters at once; deleting the policy lifts the limit', async () => {
    await ch.assertQueue('p4.dlq', { exclusive: true });
    await ch.assertQueue('p4.q', { exclusive: true });
    await publish('p4.q', 6);
    await broker.policies.set('/', 'p4', { pattern: '^p4\\.q$', definition: { 'max-length': 2, 'dead-letter-exchange': '', 'dead-letter-routing-key': 'p4.dlq' } });
    await roundTrip(ch, 'p4.dlq');
    expect([count('p4.q'), count('p4.dlq')]).toEqual([2, 4]);
    expect(await bodies('p4.dlq')).toEqual(['0', '1', '2', '3']);
    await broker.policies.delete('/', 'p4');
    await publish('p4.q', 3);
    expect(count('p4.q')).toBe(5);
  });

  it('live: a dead-letter exchange added to a queue of expiring messages takes the next expired one; stored messages keep their TTL', async () => {
    await ch.assertQueue('p5.dlq', { exclusive: true });
    await ch.assertQueue('p5.q', { exclusive: true, arguments: { 'x-message-ttl': 10_000 } });
    await publish('p5.q', 2);
    await broker.policies.set('/', 'p5', { pattern: '^p5\\.q$', definition: { 'dead-letter-exchange': '', 'dead-letter-routing-key': 'p5.dlq', 'message-ttl': 1_000 } });
    await publish('p5.q', 1); // expires 1 s from now: the policy's TTL is lower than the argument's
    clock.advance(1_000);
    await eventually(() => count('p5.dlq') === 1);
    expect(count('p5.q')).toBe(2); // published before the policy: still the 10 s of their time
    clock.advance(9_000);
    await eventually(() => count('p5.dlq') === 3);
    expect(count('p5.q')).toBe(0);
    await broker.policies.delete('/', 'p5');
  });

  it('operator policies cap the user policy: the lesser limit, both names shown, the merged definition', async () => {
    await broker.policies.set('/', 'p6-user', { pattern: '^p6', definition: { 'max-length': 100, 'message-ttl': 500 } });
    await broker.operatorPolicies.set('/', 'p6-cap', { pattern: '^p6', definition: { 'max-length': 3, 'message-ttl': 60_000 } });
    await ch.assertQueue('p6.q', { exclusive: true, arguments: { 'x-max-length': 50 } });
    await publish('p6.q', 5);
    expect(count('p6.q')).toBe(3);
    const q = broker.readModel.queue('/', 'p6.q');
    expect([q?.policy, q?.operatorPolicy, q?.effectivePolicyDefinition]).toEqual(['p6-user', 'p6-cap', { 'max-length': 3, 'message-ttl': 500 }]);
    expect(broker.operatorPolicies.list('/')).toEqual([{ vhost: '/', name: 'p6-cap', pattern: '^p6', 'apply-to': 'all', priority: 0, definition: { 'max-length': 3, 'message-ttl': 60_000 } }]);
    await broker.policies.delete('/', 'p6-user');
    await broker.operatorPolicies.delete('/', 'p6-cap');
  });

  it('an alternate-exchange policy on an exchange, unless the exchange has the argument', async () => {
    await ch.assertQueue('p7.ae-q', { exclusive: true });
    await ch.assertExchange('p7.ae', 'fanout', { autoDelete: true });
    await ch.bindQueue('p7.ae-q', 'p7.ae', '');
    await ch.assertExchange('p7.x', 'direct', { autoDelete: false, durable: false });
    await broker.policies.set('/', 'p7', { pattern: '^p7\\.x$', 'apply-to': 'exchanges', definition: { 'alternate-exchange': 'p7.ae' } });
    expect(broker.readModel.exchange('/', 'p7.x')?.policy).toBe('p7');
    ch.publish('p7.x', 'nowhere', Buffer.from('m'));
    await roundTrip(ch, 'p7.ae-q');
    expect(count('p7.ae-q')).toBe(1);
    await broker.policies.delete('/', 'p7');
    ch.publish('p7.x', 'nowhere', Buffer.from('m'));
    await roundTrip(ch, 'p7.ae-q');
    expect(count('p7.ae-q')).toBe(1);
    await ch.deleteExchange('p7.x');
  });

  it('refusals: PolicyError 400 with RabbitMQ’s text, 404 for an unknown vhost; nothing is recorded', async () => {
    await expect(broker.policies.set('/', 'bad', { pattern: '.*', definition: { 'max-lenght': 1 } })).rejects.toMatchObject({
      status: 400,
      error: 'bad_request',
      reason: 'Validation failed\n\n[{<<"max-lenght">>,1}] are not recognised policy settings\n',
    });
    await expect(broker.policies.set('nohost', 'p', { pattern: '.*', definition: { 'max-length': 1 } })).rejects.toBeInstanceOf(PolicyError);
    await expect(broker.policies.set('nohost', 'p', { pattern: '.*', definition: { 'max-length': 1 } })).rejects.toMatchObject({ status: 404, error: 'not_found' });
    expect(broker.policies.get('/', 'bad')).toBeUndefined();
    expect(await broker.policies.delete('/', 'bad')).toBe(false);
  });

  it('live: a policy expires counts from when it is set (RabbitMQ restarts the timer), and deletes the unused queue', async () => {
    await ch.assertQueue('p9.q', { exclusive: false, autoDelete: false });
    clock.advance(5_000); // unused for 5 s before any expires is in force
    await broker.policies.set('/', 'p9', { pattern: '^p9\\.q$', definition: { expires: 1_000 } });
    clock.advance(999);
    await roundTrip(ch, 'p9.q');
    expect(broker.readModel.queue('/', 'p9.q')).toBeDefined();
    clock.advance(1);
    await eventually(() => broker.readModel.queue('/', 'p9.q') === undefined);
    await broker.policies.delete('/', 'p9');
  });

  it('consumer-timeout (4.x key): the lesser of policy and argument times an unacknowledged delivery out', async () => {
    await broker.policies.set('/', 'p10', { pattern: '^p10\\.q$', definition: { 'consumer-timeout': 2_000 } });
    const c = await amqp.connect(broker.url);
    const ch2 = await c.createChannel();
    const closed = new Promise<Error>((resolve) => ch2.on('error', resolve));
    await ch2.assertQueue('p10.q', { exclusive: true, arguments: { 'x-consumer-timeout': 60_000 } });
    const delivered = new Promise<void>((resolve) => void ch2.consume('p10.q', () => resolve(), { noAck: false }));
    ch2.sendToQueue('p10.q', Buffer.from('held'));
    await delivered;
    clock.advance(2_001);
    expect((await closed).message).toContain('Timeout value used: 2000 ms');
    await c.close();
    await broker.policies.delete('/', 'p10');
  });

  it('a dead-letter exchange set by a policy also takes the messages of a long queue paged to disk', async () => {
    await ch.assertQueue('p11.dlq', { exclusive: true });
    await ch.assertQueue('p11.q', { exclusive: true });
    await publish('p11.q', 25_000); // past the 20,000 in memory: the tail is paged out
    await broker.policies.set('/', 'p11', { pattern: '^p11\\.q$', definition: { 'max-length': 100, 'dead-letter-exchange': '', 'dead-letter-routing-key': 'p11.dlq' } });
    await eventually(() => count('p11.dlq') === 24_900, 20_000, `dead-lettered ${count('p11.dlq')} of 24900`);
    expect(count('p11.q')).toBe(100);
    await ch.purgeQueue('p11.dlq');
    await broker.policies.delete('/', 'p11');
  }, 60_000);

  it('a classic queue ignores a policy carrying delivery-limit (as RabbitMQ); a quorum-typed queue takes it', async () => {
    await broker.policies.set('/', 'p8', { pattern: '^p8', definition: { 'delivery-limit': 1, 'max-length': 1 } });
    await ch.assertQueue('p8.classic', { exclusive: true });
    await ch.assertQueue('p8.quorum', { exclusive: true, arguments: { 'x-queue-type': 'quorum' } });
    expect(broker.readModel.queue('/', 'p8.classic')?.policy).toBeUndefined();
    expect(broker.readModel.queue('/', 'p8.quorum')?.policy).toBe('p8');
    await broker.policies.delete('/', 'p8');
  });
});

import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { body, channelError } from '../../helpers/amqp.js';

let broker: Broker;
let close: () => Promise<void>;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;
beforeAll(async () => {
  ({ broker, close } = await openBroker());
  conn = await amqp.connect(broker.url);
  ch = await conn.createChannel();
});
afterAll(async () => {
  await conn.close();
  await close();
});

async function drain(queue: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) return out;
    out.push(m.content.toString());
  }
}

let n = 0;
async function withDlq(args: Record<string, unknown>): Promise<{ queue: string; dlq: string }> {
  n++;
  const { queue: dlq } = await ch.assertQueue(`limits-dlq-${n}`, { exclusive: true });
  const { queue } = await ch.assertQueue(`limits-${n}`, {
    exclusive: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq, ...args },
  });
  return { queue, dlq };
}

describe('x-max-length and x-overflow', () => {
  it('drop-head (default) drops the oldest and dead-letters it with reason maxlen', async () => {
    const { queue, dlq } = await withDlq({ 'x-max-length': 2 });
    for (const t of ['1', '2', '3', '4']) ch.sendToQueue(queue, body(t));
    await ch.checkQueue(queue);
    expect(await drain(queue)).toEqual(['3', '4']);
    const dead = await ch.get(dlq, { noAck: true });
    expect(dead && dead.content.toString()).toBe('1');
    expect(dead && (dead.properties.headers!['x-death'] as unknown as Record<string, unknown>[])[0]).toMatchObject({ reason: 'maxlen', queue });
    expect(await drain(dlq)).toEqual(['2']);
  });

  it('x-max-length-bytes counts ready message bodies', async () => {
    const { queue } = await withDlq({ 'x-max-length-bytes': 10 });
    for (const t of ['aaaa', 'bbbb', 'cccc']) ch.sendToQueue(queue, body(t));
    await ch.checkQueue(queue);
    expect(await drain(queue)).toEqual(['bbbb', 'cccc']);
  });

  it('unacked messages do not count towards the limit', async () => {
    const { queue } = await withDlq({ 'x-max-length': 1 });
    ch.sendToQueue(queue, body('taken'));
    await ch.checkQueue(queue);
    const taken = await ch.get(queue);
    ch.sendToQueue(queue, body('ready'));
    await ch.checkQueue(queue);
    expect((await ch.checkQueue(queue)).messageCount).toBe(1);
    if (taken) ch.ack(taken);
    expect(await drain(queue)).toEqual(['ready']);
  });

  it('reject-publish nacks the publisher; other target queues still get the message', async () => {
    n++;
    const ex = `limits-fanout-${n}`;
    await ch.assertExchange(ex, 'fanout', { autoDelete: false });
    const { queue: full } = await ch.assertQueue('', { exclusive: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    const { queue: open } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(full, ex, '');
    await ch.bindQueue(open, ex, '');
    const confirm = await conn.createConfirmChannel();
    const outcomes = await Promise.all(
      ['first', 'second'].map(
        (t) => new Promise<string>((resolve) => confirm.publish(ex, '', body(t), {}, (err) => resolve(err ? 'nack' : 'ack'))),
      ),
    );
    expect(outcomes).toEqual(['ack', 'nack']);
    expect(await drain(full)).toEqual(['first']);
    expect(await drain(open)).toEqual(['first', 'second']);
    await confirm.close();
  });

  it('reject-publish-dlx also dead-letters the refused message', async () => {
    const { queue, dlq } = await withDlq({ 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' });
    ch.sendToQueue(queue, body('kept'));
    ch.sendToQueue(queue, body('refused'));
    await ch.checkQueue(queue);
    expect(await drain(queue)).toEqual(['kept']);
    const dead = await ch.get(dlq, { noAck: true });
    expect(dead && dead.content.toString()).toBe('refused');
    expect(dead && (dead.properties.headers!['x-death'] as unknown as Record<string, unknown>[])[0]).toMatchObject({ reason: 'maxlen' });
  });

  it('rejects an unknown x-overflow with 406 naming the argument', async () => {
    const c = await conn.createChannel();
    const failed = channelError(c);
    c.assertQueue('', { exclusive: true, arguments: { 'x-overflow': 'explode' } }).catch(() => undefined);
    const err = await failed;
    expect(err.code).toBe(406);
    expect(err.message).toContain("invalid arg 'x-overflow'");
  });
});

describe('x-delivery-limit', () => {
  it('dead-letters after N redeliveries with reason delivery_limit; redeliveries carry x-delivery-count', async () => {
    const { queue, dlq } = await withDlq({ 'x-delivery-limit': 2 });
    ch.sendToQueue(queue, body('poison'));
    await ch.checkQueue(queue);
    const counts: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await ch.get(queue);
      if (m === false) throw new Error(`missing on attempt ${i}`);
      counts.push(m.properties.headers?.['x-delivery-count']);
      ch.nack(m, false, true);
    }
    await ch.checkQueue(queue);
    expect(counts).toEqual([undefined, 1, 2]);
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    await eventually(() => broker.readModel.queue('/', dlq)?.messagesReady === 1);
    const dead = await ch.get(dlq, { noAck: true });
    expect(dead && (dead.properties.headers!['x-death'] as unknown as Record<string, unknown>[])[0]).toMatchObject({ reason: 'delivery_limit', queue });
  });
});

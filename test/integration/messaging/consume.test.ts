import amqp, { type ConsumeMessage } from 'amqplib';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { body, channelError, consumeN } from '../../helpers/amqp.js';

let broker: Broker;
let close: () => Promise<void>;
beforeAll(async () => ({ broker, close } = await openBroker()));
afterAll(async () => close());

async function setup(): Promise<{ conn: amqp.ChannelModel; ch: amqp.Channel; queue: string }> {
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  return { conn, ch, queue };
}

describe('basic.consume and basic.cancel', () => {
  it('generates a consumer tag when the client leaves it empty, and keeps a given one', async () => {
    const { conn, ch, queue } = await setup();
    const generated = await ch.consume(queue, () => undefined);
    expect(generated.consumerTag).toMatch(/^amq\.ctag-[A-Za-z0-9_-]{20,}$/);
    const given = await ch.consume(queue, () => undefined, { consumerTag: 'mine' });
    expect(given.consumerTag).toBe('mine');
    await conn.close();
  });

  it('closes the connection with 530 when a consumer tag is reused on a channel', async () => {
    const { conn, ch, queue } = await setup();
    const closed = new Promise<Error>((resolve) => conn.once('error', resolve));
    await ch.consume(queue, () => undefined, { consumerTag: 'twice' });
    ch.consume(queue, () => undefined, { consumerTag: 'twice' }).catch(() => undefined);
    const err = (await closed) as Error & { code?: number };
    expect(err.code).toBe(530);
    expect(err.message).toContain("attempt to reuse consumer tag 'twice'");
  });

  it('refuses a second consumer on a queue with an exclusive consumer (403) and vice versa', async () => {
    const { conn, ch, queue } = await setup();
    await ch.consume(queue, () => undefined, { exclusive: true });
    const ch2 = await conn.createChannel();
    const failed = channelError(ch2);
    ch2.consume(queue, () => undefined).catch(() => undefined);
    const err = await failed;
    expect(err.code).toBe(403);
    expect(err.message).toContain('in exclusive use');
    const ch3 = await conn.createChannel();
    const { queue: q2 } = await ch3.assertQueue('', { exclusive: true });
    await ch3.consume(q2, () => undefined);
    const failed3 = channelError(ch3);
    ch3.consume(q2, () => undefined, { exclusive: true }).catch(() => undefined);
    expect((await failed3).code).toBe(403);
    await conn.close();
  });

  it('stops delivering after basic.cancel; the messages stay in the queue', async () => {
    const { conn, ch, queue } = await setup();
    const got: string[] = [];
    const { consumerTag } = await ch.consume(queue, (m) => m && got.push(m.content.toString()), { noAck: true });
    ch.sendToQueue(queue, body('before'));
    await eventually(() => got.length === 1);
    await ch.cancel(consumerTag);
    ch.sendToQueue(queue, body('after'));
    const { messageCount } = await ch.checkQueue(queue);
    expect(messageCount).toBe(1);
    expect(got).toEqual(['before']);
    await conn.close();
  });

  it('sends basic.cancel to the consumer when its queue is deleted (consumer_cancel_notify)', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    await ch.assertQueue('cancel-notify', { exclusive: false, autoDelete: false });
    const cancelled = new Promise<null>((resolve) => {
      void ch.consume('cancel-notify', (m) => {
        if (m === null) resolve(null);
      });
    });
    const other = await conn.createChannel();
    await other.deleteQueue('cancel-notify');
    expect(await cancelled).toBeNull();
    await conn.close();
  });

  it('delivers round-robin across consumers', async () => {
    const { conn, ch, queue } = await setup();
    const byConsumer = new Map<string, number>();
    for (let i = 0; i < 3; i++) {
      await ch.consume(queue, (m) => {
        if (!m) return;
        byConsumer.set(m.fields.consumerTag, (byConsumer.get(m.fields.consumerTag) ?? 0) + 1);
      }, { noAck: true });
    }
    for (let i = 0; i < 30; i++) ch.sendToQueue(queue, body(String(i)));
    await eventually(() => [...byConsumer.values()].reduce((a, b) => a + b, 0) === 30);
    expect([...byConsumer.values()]).toEqual([10, 10, 10]);
    await conn.close();
  });
});

describe('basic.get', () => {
  it('returns get-ok with the remaining message count, then get-empty', async () => {
    const { conn, ch, queue } = await setup();
    for (const s of ['a', 'b', 'c']) ch.sendToQueue(queue, body(s));
    await ch.checkQueue(queue);
    const first = await ch.get(queue, { noAck: true });
    expect(first && first.content.toString()).toBe('a');
    expect(first && first.fields.messageCount).toBe(2);
    await ch.get(queue, { noAck: true });
    const third = await ch.get(queue);
    expect(third && third.fields.messageCount).toBe(0);
    expect(await ch.get(queue)).toBe(false);
    if (third) ch.ack(third);
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    await conn.close();
  });

  it('basic.get with @cloudamqp/amqp-client', async () => {
    const client = new AMQPClient(broker.url);
    const conn = await client.connect();
    const ch = await conn.channel();
    const { name } = await ch.queueDeclare('', { exclusive: true });
    await ch.basicPublish('', name, 'hi');
    const msg = await ch.basicGet(name, { noAck: false });
    expect(msg?.bodyToString()).toBe('hi');
    expect(msg?.messageCount).toBe(0);
    await msg?.ack();
    expect(await ch.basicGet(name)).toBeNull();
    await conn.close();
  });
});

describe('basic.qos', () => {
  it('limits unacked deliveries per consumer (global=false)', async () => {
    const { conn, ch, queue } = await setup();
    await ch.prefetch(2);
    for (let i = 0; i < 10; i++) ch.sendToQueue(queue, body(String(i)));
    const got: ConsumeMessage[] = [];
    await ch.consume(queue, (m) => m && got.push(m));
    await eventually(() => got.length === 2);
    await ch.checkQueue(queue); // a round trip: nothing more arrives while both are unacked
    expect(got.length).toBe(2);
    ch.ack(got[0]!);
    await eventually(() => got.length === 3);
    await ch.checkQueue(queue);
    expect(got.length).toBe(3);
    expect(got.map((m) => m.content.toString())).toEqual(['0', '1', '2']);
    await conn.close();
  });

  it('applies the channel limit (global=true) and the consumer limit together', async () => {
    const { conn, ch, queue } = await setup();
    await ch.prefetch(3, true); // channel-wide
    await ch.prefetch(2, false); // each consumer created from now on
    for (let i = 0; i < 20; i++) ch.sendToQueue(queue, body(String(i)));
    const got = new Map<string, ConsumeMessage[]>();
    const onMsg = (m: ConsumeMessage | null): void => {
      if (!m) return;
      const list = got.get(m.fields.consumerTag) ?? [];
      list.push(m);
      got.set(m.fields.consumerTag, list);
    };
    await ch.consume(queue, onMsg, { consumerTag: 'c1' });
    await ch.consume(queue, onMsg, { consumerTag: 'c2' });
    const total = (): number => [...got.values()].reduce((a, l) => a + l.length, 0);
    await eventually(() => total() === 3);
    await ch.checkQueue(queue);
    expect(total()).toBe(3); // channel limit wins over 2 + 2
    for (const list of got.values()) expect(list.length).toBeLessThanOrEqual(2);
    await conn.close();
  });

  it('refuses prefetch_size > 0 with 540, as RabbitMQ', async () => {
    const client = new AMQPClient(broker.url);
    const conn = await client.connect();
    const ch = await conn.channel();
    await expect(ch.basicQos(1, 1000)).rejects.toThrow(/NOT_IMPLEMENTED - prefetch_size!=0 \(1000\)/);
  });
});

describe('delivery order', () => {
  it('delivers 10,000 messages from one channel in publish order, none lost or repeated', async () => {
    const { conn, ch, queue } = await setup();
    const n = 10_000;
    const pub = await conn.createChannel();
    for (let i = 0; i < n; i++) pub.sendToQueue(queue, body(String(i)));
    const got = await consumeN(ch, queue, n, { noAck: true });
    expect(got.map((m) => Number(m.content.toString()))).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(got.every((m) => !m.fields.redelivered)).toBe(true);
    await conn.close();
  });
});

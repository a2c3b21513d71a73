import amqp, { type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { body, channelError } from '../../helpers/amqp.js';

let broker: Broker;
let close: () => Promise<void>;
beforeAll(async () => ({ broker, close } = await openBroker()));
afterAll(async () => close());

async function setup(n: number): Promise<{ conn: amqp.ChannelModel; ch: amqp.Channel; queue: string }> {
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  for (let i = 0; i < n; i++) ch.sendToQueue(queue, body(String(i)));
  await ch.checkQueue(queue);
  return { conn, ch, queue };
}

async function getAll(ch: amqp.Channel, queue: string, n: number): Promise<amqp.GetMessage[]> {
  const out: amqp.GetMessage[] = [];
  for (let i = 0; i < n; i++) {
    const m = await ch.get(queue);
    if (m === false) throw new Error(`queue empty after ${i}`);
    out.push(m);
  }
  return out;
}

const contents = (ms: readonly { content: Buffer }[]): string[] => ms.map((m) => m.content.toString());
const count = async (ch: amqp.Channel, queue: string): Promise<number> => (await ch.checkQueue(queue)).messageCount;

describe('basic.ack', () => {
  it('acks one delivery, or every delivery up to a tag with multiple', async () => {
    const { conn, ch, queue } = await setup(5);
    const ms = await getAll(ch, queue, 5);
    ch.ack(ms[0]!);
    ch.ack(ms[3]!, true); // 2, 3, 4 (tags 2..4)
    ch.ack(ms[4]!);
    await ch.checkQueue(queue);
    await ch.close(); // nothing unacked: nothing returns
    const ch2 = await conn.createChannel();
    expect(await count(ch2, queue)).toBe(0);
    await conn.close();
  });

  it('closes the channel with 406 for an unknown delivery tag', async () => {
    const { conn, ch } = await setup(0);
    const failed = channelError(ch);
    ch.ack({ fields: { deliveryTag: 42 } } as unknown as amqp.Message);
    const err = await failed;
    expect(err.code).toBe(406);
    expect(err.message).toContain('PRECONDITION_FAILED - unknown delivery tag 42');
    await conn.close();
  });

  it('closes the channel with 406 when a delivery is acked twice', async () => {
    const { conn, ch, queue } = await setup(1);
    const [m] = await getAll(ch, queue, 1);
    const failed = channelError(ch);
    ch.ack(m!);
    ch.ack(m!);
    expect((await failed).code).toBe(406);
    await conn.close();
  });
});

describe('basic.nack and basic.reject', () => {
  it('requeues to the original position with redelivered set', async () => {
    const { conn, ch, queue } = await setup(5);
    const ms = await getAll(ch, queue, 3); // 0, 1, 2 out; 3, 4 ready
    ch.nack(ms[1]!, false, true);
    ch.reject(ms[0]!, true);
    ch.ack(ms[2]!);
    await ch.checkQueue(queue);
    const rest = await getAll(ch, queue, 4);
    expect(contents(rest)).toEqual(['0', '1', '3', '4']);
    expect(rest.map((m) => m.fields.redelivered)).toEqual([true, true, false, false]);
    await conn.close();
  });

  it('nack with multiple settles every earlier delivery; requeue=false drops them', async () => {
    const { conn, ch, queue } = await setup(4);
    const ms = await getAll(ch, queue, 4);
    ch.nack(ms[2]!, true, false); // drops 0, 1, 2
    ch.nack(ms[3]!, false, true); // requeues 3
    await ch.checkQueue(queue);
    expect(await count(ch, queue)).toBe(1);
    const [again] = await getAll(ch, queue, 1);
    expect(again!.content.toString()).toBe('3');
    expect(again!.fields.redelivered).toBe(true);
    await conn.close();
  });

  it('redelivers a requeued message to a consumer before newer ones', async () => {
    const { conn, ch, queue } = await setup(3);
    const got: ConsumeMessage[] = [];
    await ch.prefetch(1);
    await ch.consume(queue, (m) => m && got.push(m));
    await eventually(() => got.length === 1);
    ch.nack(got[0]!, false, true);
    await eventually(() => got.length === 2);
    expect(got[1]!.content.toString()).toBe('0');
    expect(got[1]!.fields.redelivered).toBe(true);
    ch.ack(got[1]!);
    await eventually(() => got.length === 3);
    expect(got[2]!.content.toString()).toBe('1');
    expect(got[2]!.fields.redelivered).toBe(false);
    await conn.close();
  });
});

describe('unacked messages when the channel or connection goes', () => {
  it('basic.recover requeues everything unacked, in order, redelivered', async () => {
    const { conn, ch, queue } = await setup(3);
    await getAll(ch, queue, 3);
    await ch.recover();
    const again = await getAll(ch, queue, 3);
    expect(contents(again)).toEqual(['0', '1', '2']);
    expect(again.every((m) => m.fields.redelivered)).toBe(true);
    await conn.close();
  });

  it('channel close returns unacked deliveries to the queue', async () => {
    const { conn, ch, queue } = await setup(3);
    await getAll(ch, queue, 2);
    await ch.close();
    const ch2 = await conn.createChannel();
    const all = await getAll(ch2, queue, 3);
    expect(contents(all)).toEqual(['0', '1', '2']);
    expect(all.map((m) => m.fields.redelivered)).toEqual([true, true, false]);
    await conn.close();
  });

  it('connection close returns unacked deliveries to a shared queue', async () => {
    const owner = await amqp.connect(broker.url);
    const och = await owner.createChannel();
    const queue = `shared-${Date.now()}`;
    await och.assertQueue(queue, { autoDelete: false });
    for (let i = 0; i < 3; i++) och.sendToQueue(queue, body(String(i)));
    const consumer = await amqp.connect(broker.url);
    const cch = await consumer.createChannel();
    const got = await new Promise<ConsumeMessage[]>((resolve) => {
      const list: ConsumeMessage[] = [];
      void cch.consume(queue, (m) => {
        if (m) list.push(m);
        if (list.length === 3) resolve(list);
      });
    });
    cch.ack(got[1]!);
    await cch.checkQueue(queue);
    await consumer.close();
    const rest = await getAll(och, queue, 2);
    expect(contents(rest)).toEqual(['0', '2']);
    expect(rest.every((m) => m.fields.redelivered)).toBe(true);
    await och.deleteQueue(queue);
    await owner.close();
  });
});

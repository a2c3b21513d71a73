import { AMQPClient, type AMQPChannel } from '@cloudamqp/amqp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';

let broker: Broker;
let close: () => Promise<void>;
beforeAll(async () => ({ broker, close } = await openBroker()));
afterAll(async () => close());

async function channel(): Promise<{ ch: AMQPChannel; queue: string; done: () => Promise<void> }> {
  const client = new AMQPClient(broker.url);
  const conn = await client.connect();
  const ch = await conn.channel();
  const { name } = await ch.queueDeclare('', { exclusive: true });
  return { ch, queue: name, done: () => conn.close() };
}

const depth = async (ch: AMQPChannel, queue: string): Promise<number> =>
  (await ch.queueDeclare(queue, { passive: true })).messageCount;

describe('transactions', () => {
  it('holds publishes until tx.commit', async () => {
    const { ch, queue, done } = await channel();
    await ch.txSelect();
    await ch.basicPublish('', queue, 'a');
    await ch.basicPublish('', queue, 'b');
    expect(await depth(ch, queue)).toBe(0);
    await ch.txCommit();
    expect(await depth(ch, queue)).toBe(2);
    expect((await ch.basicGet(queue, { noAck: true }))?.bodyToString()).toBe('a');
    await done();
  });

  it('drops publishes on tx.rollback, and the channel stays transactional', async () => {
    const { ch, queue, done } = await channel();
    await ch.txSelect();
    await ch.basicPublish('', queue, 'gone');
    await ch.txRollback();
    expect(await depth(ch, queue)).toBe(0);
    await ch.basicPublish('', queue, 'kept');
    await ch.txCommit();
    expect((await ch.basicGet(queue, { noAck: true }))?.bodyToString()).toBe('kept');
    await done();
  });

  it('holds acks until commit and restores them on rollback', async () => {
    const { ch, queue, done } = await channel();
    await ch.basicPublish('', queue, 'x');
    await ch.txSelect();
    const msg = await ch.basicGet(queue, { noAck: false });
    expect(msg?.bodyToString()).toBe('x');
    await msg?.ack();
    await ch.txRollback(); // the ack is undone: the delivery is unacked again
    await ch.basicRecover(true);
    const again = await ch.basicGet(queue, { noAck: false });
    expect(again?.bodyToString()).toBe('x');
    expect(again?.redelivered).toBe(true);
    await again?.ack();
    await ch.txCommit();
    await ch.basicRecover(true); // nothing left unacked to recover
    expect(await ch.basicGet(queue)).toBeNull();
    await done();
  });

  it('applies a requeueing reject at commit', async () => {
    const { ch, queue, done } = await channel();
    await ch.basicPublish('', queue, 'r');
    await ch.txSelect();
    const msg = await ch.basicGet(queue, { noAck: false });
    await msg?.reject(true);
    expect(await depth(ch, queue)).toBe(0);
    await ch.txCommit();
    expect(await depth(ch, queue)).toBe(1);
    await done();
  });

  it('refuses tx.commit without tx.select with 406', async () => {
    const { ch, done } = await channel();
    await expect(ch.txCommit()).rejects.toThrow('PRECONDITION_FAILED - channel is not transactional (406)');
    await done();
  });
});

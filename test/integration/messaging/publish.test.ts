import amqp from 'amqplib';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { body, channelError } from '../../helpers/amqp.js';

let broker: Broker;
let close: () => Promise<void>;
beforeAll(async () => ({ broker, close } = await openBroker()));
afterAll(async () => close());

describe('basic.publish', () => {
  it('routes through the exchange into the bound queue, body and properties intact', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    await ch.assertExchange('pub.direct', 'direct', { autoDelete: false });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'pub.direct', 'k');
    const payload = Buffer.alloc(300_000, 7); // spans several body frames at frame_max 131072
    ch.publish('pub.direct', 'k', payload, {
      contentType: 'application/octet-stream',
      headers: { a: 1, b: 'two' },
      messageId: 'm-1',
      priority: 3,
    });
    await ch.checkQueue(queue);
    const msg = await ch.get(queue, { noAck: true });
    expect(msg).not.toBe(false);
    if (msg === false) return;
    expect(msg.content.equals(payload)).toBe(true);
    expect(msg.properties.contentType).toBe('application/octet-stream');
    expect(msg.properties.headers).toMatchObject({ a: 1, b: 'two' });
    expect(msg.properties.messageId).toBe('m-1');
    expect(msg.properties.priority).toBe(3);
    expect(msg.fields.exchange).toBe('pub.direct');
    expect(msg.fields.routingKey).toBe('k');
    await conn.close();
  });

  it('delivers an empty body', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, Buffer.alloc(0));
    await ch.checkQueue(queue);
    const msg = await ch.get(queue, { noAck: true });
    expect(msg && msg.content.length).toBe(0);
    await conn.close();
  });

  it('closes the channel with 404 for a missing exchange, and the connection stays usable', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const failed = channelError(ch);
    ch.publish('no-such-exchange', 'k', body('x'));
    const err = await failed;
    expect(err.code).toBe(404);
    expect(err.message).toContain("NOT_FOUND - no exchange 'no-such-exchange' in vhost '/'");
    const ch2 = await conn.createChannel();
    await ch2.checkExchange('amq.direct');
    await conn.close();
  });

  it('returns an unroutable mandatory message with 312 NO_ROUTE before its confirm', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    const events: string[] = [];
    ch.on('return', (msg: amqp.Message) => {
      const f = msg.fields as unknown as { replyCode: number; replyText: string };
      events.push(`return:${f.replyCode}:${f.replyText}:${msg.content.toString()}`);
    });
    await new Promise<void>((resolve, reject) => {
      ch.publish('amq.direct', 'nobody-home', body('lost'), { mandatory: true }, (err) => {
        events.push('confirm');
        if (err) reject(err);
        else resolve();
      });
    });
    expect(events).toEqual(['return:312:NO_ROUTE:lost', 'confirm']);
    await conn.close();
  });

  it('does not return an unroutable message without mandatory', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    let returned = 0;
    ch.on('return', () => returned++);
    ch.publish('amq.direct', 'nobody-home', body('dropped'));
    await ch.waitForConfirms();
    expect(returned).toBe(0);
    await conn.close();
  });

  it('refuses immediate=true with 540 NOT_IMPLEMENTED, as RabbitMQ', async () => {
    const client = new AMQPClient(broker.url);
    const conn = await client.connect();
    const ch = await conn.channel();
    const closed = new Promise<Error>((resolve) => {
      conn.onerror = (err) => resolve(err);
    });
    await ch.basicPublish('amq.direct', 'k', 'x', {}, false, true).catch(() => undefined);
    const err = await closed;
    expect(err.message).toContain('540');
    expect(err.message).toContain('immediate=true');
  });
});

describe('publisher confirms', () => {
  it('acks every publish exactly once, in order, with amqplib', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const order: number[] = [];
    const confirms = Array.from({ length: 2000 }, (_, i) =>
      new Promise<void>((resolve, reject) => {
        ch.sendToQueue(queue, body(String(i)), {}, (err) => {
          order.push(i);
          if (err) reject(err);
          else resolve();
        });
      }),
    );
    await Promise.all(confirms);
    expect(order).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect((await ch.checkQueue(queue)).messageCount).toBe(2000);
    await conn.close();
  });

  it('acks with @cloudamqp/amqp-client, which tracks tags itself', async () => {
    const client = new AMQPClient(broker.url);
    const conn = await client.connect();
    const ch = await conn.channel();
    await ch.confirmSelect();
    const { name } = await ch.queueDeclare('', { exclusive: true });
    const tags = await Promise.all(Array.from({ length: 500 }, (_, i) => ch.basicPublish('', name, `m${i}`)));
    expect(tags).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    const ok = await ch.queueDeclare(name, { passive: true });
    expect(ok.messageCount).toBe(500);
    await conn.close();
  });

  it('refuses tx.select on a confirm channel and confirm.select on a tx channel with 406', async () => {
    const client = new AMQPClient(broker.url);
    const conn = await client.connect();
    const ch1 = await conn.channel();
    await ch1.confirmSelect();
    await expect(ch1.txSelect()).rejects.toThrow('PRECONDITION_FAILED - cannot switch from confirm to tx mode (406)');
    const ch2 = await conn.channel();
    await ch2.txSelect();
    await expect(ch2.confirmSelect()).rejects.toThrow('PRECONDITION_FAILED - cannot switch from tx to confirm mode (406)');
    await conn.close();
  });
});

describe('CC and BCC validation', () => {
  it('refuses a CC header that is not an array with 406, as RabbitMQ', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const failed = channelError(ch);
    ch.publish('amq.direct', 'k', body('x'), { headers: { CC: 'not-an-array' } });
    const err = await failed;
    expect(err.code).toBe(406);
    expect(err.message).toContain('invalid message: {unacceptable_type_in_header,"CC",longstr}');
    await conn.close();
  });
});

describe('validated user-ID', () => {
  it('accepts user_id equal to the authenticated user and refuses any other with 406, as RabbitMQ', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, body('mine'), { userId: 'guest' });
    await ch.checkQueue(queue);
    const m = await ch.get(queue, { noAck: true });
    expect(m && m.properties.userId).toBe('guest');
    const failed = channelError(ch);
    ch.sendToQueue(queue, body('forged'), { userId: 'admin' });
    const err = await failed;
    expect(err.code).toBe(406);
    expect(err.message).toContain("user_id property set to 'admin' but authenticated user was 'guest'");
    await conn.close();
  });
});

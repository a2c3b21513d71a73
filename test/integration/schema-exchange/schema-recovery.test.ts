import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { restartableBroker } from '../../helpers/restartable-broker.js';

/*
 * A durable x-schema exchange is restored from the data directory with its schema compiled again
 * (the broker's cache is handed to every vhost before its exchanges are restored): after a restart
 * an invalid message is still refused, and a valid one still routed.
 */

const { restart } = restartableBroker('warren-schema-');
const SCHEMA = JSON.stringify({ type: 'object', required: ['id'], properties: { id: { type: 'string' } } });

async function returnedCode(ch: amqp.Channel, content: string): Promise<number | undefined> {
  let code: number | undefined;
  const onReturn = (m: amqp.Message): void => {
    code = (m.fields as unknown as { replyCode: number }).replyCode;
  };
  ch.on('return', onReturn);
  ch.publish('events', '', Buffer.from(content), { mandatory: true, contentType: 'application/json' });
  await ch.checkExchange('events');
  ch.off('return', onReturn);
  return code;
}

describe('schema-checked exchanges across a restart', () => {
  it('a durable x-schema exchange still checks after recovery', async () => {
    let broker = await restart();
    let conn = await amqp.connect(broker.url);
    let ch = await conn.createChannel();
    await ch.assertExchange('events', 'fanout', { durable: true, arguments: { 'x-schema': SCHEMA } });
    await ch.assertQueue('events-q', { durable: true });
    await ch.bindQueue('events-q', 'events', '');
    await conn.close();

    broker = await restart();
    conn = await amqp.connect(broker.url);
    ch = await conn.createChannel();
    expect(await returnedCode(ch, '{"id": 1}')).toBe(406);
    expect(await returnedCode(ch, '{"id": "1"}')).toBeUndefined();
    expect((await ch.checkQueue('events-q')).messageCount).toBe(1);
    await conn.close();
  });
});

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { DIAGNOSTICS_CHANNELS, type AckEvent, type ChannelErrorEvent, type ConnectionEvent, type DeliverEvent, type PublishEvent } from '../../../src/index.js';
import { eventually, withBroker } from '../../helpers/broker.js';
import { body, channelError, consumeN } from '../../helpers/amqp.js';

type Name = (typeof DIAGNOSTICS_CHANNELS)[keyof typeof DIAGNOSTICS_CHANNELS];
const seen: { name: Name; event: unknown }[] = [];
const listeners = new Map<Name, (event: unknown) => void>();

function listen(): void {
  for (const name of Object.values(DIAGNOSTICS_CHANNELS)) {
    const fn = (event: unknown): void => void seen.push({ name, event });
    listeners.set(name, fn);
    subscribe(name, fn);
  }
}

afterEach(() => {
  for (const [name, fn] of listeners) unsubscribe(name, fn);
  listeners.clear();
  seen.length = 0;
});

const events = <T>(name: Name): T[] => seen.filter((e) => e.name === name).map((e) => e.event as T);

describe('diagnostics_channel events', () => {
  it('reports connection open and close, publish, deliver, ack and a channel error', async () => {
    listen();
    await withBroker(async (broker) => {
      const conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'billing' } });
      const ch = await conn.createChannel();
      await ch.assertQueue('invoices', { durable: false });
      ch.publish('', 'invoices', body('one'), { mandatory: true });
      ch.publish('', 'nowhere', body('lost'));
      const [m] = await consumeN(ch, 'invoices', 1);
      ch.ack(m!);
      await ch.checkQueue('invoices');
      await eventually(() => events(DIAGNOSTICS_CHANNELS.ack).length === 1);

      const [opened] = events<ConnectionEvent>(DIAGNOSTICS_CHANNELS.connectionOpen);
      expect(opened).toMatchObject({ connectionId: 1, connectionName: 'billing', user: 'guest', vhost: '/' });
      // connection: the read model's id of that connection, so brokers in one process can be told apart.
      const who = { connectionId: 1, connection: broker.readModel.connections()[0]?.id };
      expect(who.connection).toMatch(/\/1$/);
      expect(events<PublishEvent>(DIAGNOSTICS_CHANNELS.publish)).toEqual([
        { ...who, channel: 1, vhost: '/', exchange: '', routingKey: 'invoices', mandatory: true, bodySize: 3, queues: 1, routed: true, body: body('one'), properties: { headers: {} } },
        { ...who, channel: 1, vhost: '/', exchange: '', routingKey: 'nowhere', mandatory: false, bodySize: 4, queues: 0, routed: false, body: body('lost'), properties: { headers: {} } },
      ]);
      expect(events<DeliverEvent>(DIAGNOSTICS_CHANNELS.deliver)).toEqual([
        {
          ...who,
          channel: 1,
          vhost: '/',
          queue: 'invoices',
          consumerTag: m!.fields.consumerTag,
          exchange: '',
          routingKey: 'invoices',
          redelivered: false,
          noAck: false,
          bodySize: 3,
          body: body('one'),
          properties: { headers: {} },
        },
      ]);
      expect(events<AckEvent>(DIAGNOSTICS_CHANNELS.ack)).toEqual([{ connectionId: 1, channel: 1, vhost: '/', deliveryTag: 1, multiple: false }]);

      const errored = channelError(ch);
      ch.ack({ fields: { deliveryTag: 42 } } as amqp.Message); // unknown delivery tag: 406
      await errored;
      await eventually(() => events(DIAGNOSTICS_CHANNELS.channelError).length === 1);
      expect(events<ChannelErrorEvent>(DIAGNOSTICS_CHANNELS.channelError)[0]).toMatchObject({
        connectionId: 1,
        channel: 1,
        vhost: '/',
        code: 'WARREN_UNKNOWN_DELIVERY_TAG',
        replyCode: 406,
        classId: 60,
        methodId: 80,
      });
      expect(events(DIAGNOSTICS_CHANNELS.ack)).toHaveLength(1); // the refused ack is not an ack event
      expect(events(DIAGNOSTICS_CHANNELS.connectionClose)).toHaveLength(0);

      await conn.close();
      await eventually(() => events(DIAGNOSTICS_CHANNELS.connectionClose).length === 1);
      expect(events<ConnectionEvent>(DIAGNOSTICS_CHANNELS.connectionClose)[0]).toMatchObject({ connectionId: 1, connectionName: 'billing', vhost: '/' });
    });
  });
});

import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLOSE_REASON, type Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { body, roundTrip } from '../../helpers/amqp.js';

/** The operator's commands through the read model, as a stock client experiences them. */
let broker: Broker;
let close: () => Promise<void>;
beforeAll(async () => ({ broker, close } = await openBroker()));
afterAll(async () => close());

type AmqpCloseError = Error & { code?: number };

async function connectNamed(name: string): Promise<{ conn: amqp.ChannelModel; closed: Promise<AmqpCloseError> }> {
  const conn = await amqp.connect(broker.url, { clientProperties: { connection_name: name } });
  // amqplib emits no 'error' for 320 (not the client's fault): 'close' carries it.
  conn.on('error', () => undefined);
  const closed = new Promise<AmqpCloseError>((resolve) => conn.once('close', resolve));
  return { conn, closed };
}

function nameOf(clientName: string): string {
  const c = broker.readModel.connections().find((x) => x.clientName === clientName);
  if (c === undefined) throw new Error(`no connection named ${clientName}`);
  return c.name;
}

describe('closing a connection', () => {
  it('sends connection.close 320 CONNECTION_FORCED with the given reason, and the connection leaves the list', async () => {
    const { conn, closed } = await connectNamed('to-be-closed');
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    broker.readModel.closeConnection(nameOf('to-be-closed'), 'maintenance window');
    const err = await closed;
    expect(err.code).toBe(320);
    expect(err.message).toContain('CONNECTION_FORCED - maintenance window');
    await eventually(() => !broker.readModel.connections().some((c) => c.clientName === 'to-be-closed'), 5000, 'still listed');
    // Its exclusive queue went with it.
    expect(broker.readModel.queue('/', queue)).toBeUndefined();
  });

  it("says RabbitMQ's 'Closed via management plugin' when no reason is given, and finds the connection by id too", async () => {
    expect(DEFAULT_CLOSE_REASON).toBe('Closed via management plugin');
    const { closed } = await connectNamed('closed-by-id');
    const id = broker.readModel.connections().find((c) => c.clientName === 'closed-by-id')!.id;
    broker.readModel.closeConnection(id);
    const err = await closed;
    expect(err.code).toBe(320);
    expect(err.message).toContain('CONNECTION_FORCED - Closed via management plugin');
  });

  it('refuses an unknown connection with WARREN_NOT_FOUND', () => {
    expect(() => broker.readModel.closeConnection('1.2.3.4:5 -> 6.7.8.9:10')).toThrow(
      expect.objectContaining({ code: 'WARREN_NOT_FOUND' }) as Error,
    );
  });
});

describe('queues and exchanges', () => {
  it('shows a queue with its flags and arguments as plain values, and an exchange with its type and arguments', async () => {
    const conn = await amqp.connect(broker.url);
    try {
      const ch = await conn.createChannel();
      await ch.assertExchange('rm.events', 'topic', { durable: false, autoDelete: false, arguments: { 'alternate-exchange': 'rm.ae' } });
      await ch.assertQueue('rm.args', { durable: true, arguments: { 'x-max-length': 10, 'x-dead-letter-exchange': 'rm.events' } });
      const q = broker.readModel.queue('/', 'rm.args')!;
      expect(q).toMatchObject({ name: 'rm.args', vhost: '/', type: 'classic', durable: true, autoDelete: false, exclusive: false, owner: undefined });
      expect(q.arguments).toEqual({ 'x-max-length': 10, 'x-dead-letter-exchange': 'rm.events' });
      expect(Object.isFrozen(q) && Object.isFrozen(q.arguments)).toBe(true);
      const x = broker.readModel.exchange('/', 'rm.events')!;
      expect(x).toMatchObject({ name: 'rm.events', type: 'topic', durable: false, autoDelete: false, internal: false, builtin: false });
      expect(x.arguments).toEqual({ 'alternate-exchange': 'rm.ae' });
      const names = broker.readModel.exchanges('/').map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining(['', 'amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match', 'rm.events']));
      expect(broker.readModel.queues('/').map((e) => e.name)).toContain('rm.args');
      expect(broker.readModel.queues('no-such-vhost')).toEqual([]);
      await ch.deleteQueue('rm.args');
      await ch.deleteExchange('rm.events');
      expect(broker.readModel.queue('/', 'rm.args')).toBeUndefined();
      expect(broker.readModel.exchange('/', 'rm.events')).toBeUndefined();
    } finally {
      await conn.close();
    }
  });

  it('purges a queue: returns the count of ready messages, which a client then no longer gets', async () => {
    const conn = await amqp.connect(broker.url);
    try {
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('rm.purge');
      for (let i = 0; i < 7; i++) ch.sendToQueue(queue, body(`p${i}`));
      await roundTrip(ch, queue);
      expect(broker.readModel.queue('/', queue)?.messagesReady).toBe(7);
      expect(broker.readModel.purgeQueue('/', queue)).toBe(7);
      expect(await ch.get(queue)).toBe(false);
      expect((await ch.checkQueue(queue)).messageCount).toBe(0);
      expect(broker.readModel.purgeQueue('/', queue)).toBe(0);
      await ch.deleteQueue(queue);
    } finally {
      await conn.close();
    }
  });

  it("deletes a queue under its consumer (the client gets basic.cancel) and an exclusive queue", async () => {
    const conn = await amqp.connect(broker.url);
    try {
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('rm.delete');
      ch.sendToQueue(queue, body('x'));
      ch.sendToQueue(queue, body('y'));
      await roundTrip(ch, queue);
      const cancelled = new Promise<null>((resolve) => {
        void ch.consume(queue, (m) => {
          if (m === null) resolve(m);
        }, { noAck: false, consumerTag: 'doomed', arguments: {} });
      });
      await eventually(() => broker.readModel.queue('/', queue)?.messagesUnacknowledged === 2, 3000, 'not delivered');
      expect(() => broker.readModel.deleteQueue('/', queue, { ifUnused: true })).toThrow(
        expect.objectContaining({ code: 'WARREN_PRECONDITION_FAILED' }) as Error,
      );
      broker.readModel.deleteQueue('/', queue);
      expect(await cancelled).toBeNull();
      expect(broker.readModel.queue('/', queue)).toBeUndefined();
      expect(broker.readModel.consumers().some((c) => c.tag === 'doomed')).toBe(false);

      const { queue: mine } = await ch.assertQueue('', { exclusive: true });
      expect(broker.readModel.deleteQueue('/', mine)).toBe(0);
      const fresh = await conn.createChannel();
      fresh.on('error', () => undefined);
      await expect(fresh.checkQueue(mine)).rejects.toThrow(/404/);
    } finally {
      await conn.close();
    }
  });

  it('deletes an exchange, refuses amq.* and the default exchange (403), and a missing one (not found)', async () => {
    const conn = await amqp.connect(broker.url);
    try {
      const ch = await conn.createChannel();
      await ch.assertExchange('rm.gone', 'fanout', { durable: false });
      const { queue } = await ch.assertQueue('', { exclusive: true });
      await ch.bindQueue(queue, 'rm.gone', '');
      expect(() => broker.readModel.deleteExchange('/', 'rm.gone', { ifUnused: true })).toThrow(
        expect.objectContaining({ code: 'WARREN_PRECONDITION_FAILED' }) as Error,
      );
      broker.readModel.deleteExchange('/', 'rm.gone');
      const fresh = await conn.createChannel();
      fresh.on('error', () => undefined);
      await expect(fresh.checkExchange('rm.gone')).rejects.toThrow(/404/);
      expect(() => broker.readModel.deleteExchange('/', 'amq.direct')).toThrow(expect.objectContaining({ code: 'WARREN_ACCESS_REFUSED' }) as Error);
      expect(() => broker.readModel.deleteExchange('/', '')).toThrow(expect.objectContaining({ code: 'WARREN_ACCESS_REFUSED' }) as Error);
      expect(() => broker.readModel.deleteExchange('/', 'rm.never')).toThrow(expect.objectContaining({ code: 'WARREN_NOT_FOUND' }) as Error);
      expect(() => broker.readModel.purgeQueue('/', 'rm.never')).toThrow(expect.objectContaining({ code: 'WARREN_NOT_FOUND' }) as Error);
      expect(() => broker.readModel.purgeQueue('nowhere', 'q')).toThrow(expect.objectContaining({ code: 'WARREN_NOT_FOUND' }) as Error);
    } finally {
      await conn.close();
    }
  });
});

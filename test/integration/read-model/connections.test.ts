import amqp, { type ConsumeMessage } from 'amqplib';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker, ConnectionSnapshot } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { body, roundTrip } from '../../helpers/amqp.js';
import { RawClient } from '../../helpers/raw-client.js';
import { tableFromJs } from '../../../src/protocol/field-value-helpers.js';

/**
 * The read model over real connections made by stock clients: what an operator (and the coming HTTP
 * API) sees of connections, channels and consumers.
 */
let broker: Broker;
let close: () => Promise<void>;
beforeAll(async () => ({ broker, close } = await openBroker({ nodeName: 'warren@test' })));
afterAll(async () => close());

/** The snapshot of the one connection whose client gave this connection_name. */
function named(name: string): ConnectionSnapshot | undefined {
  return broker.readModel.connections().find((c) => c.clientName === name);
}

describe('connections in the read model', () => {
  it("lists a connection with the client's connection_name, peer, user, vhost, node-qualified id and RabbitMQ-style name", async () => {
    const before = Date.now();
    const conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'orders-worker' } });
    try {
      const c = named('orders-worker');
      expect(c).toBeDefined();
      const local = (conn.connection as unknown as { stream: { localPort: number } }).stream.localPort;
      expect(c).toMatchObject({
        node: 'warren@test',
        name: `127.0.0.1:${local} -> 127.0.0.1:${broker.port}`,
        peerHost: '127.0.0.1',
        peerPort: local,
        host: '127.0.0.1',
        port: broker.port,
        user: 'guest',
        vhost: '/',
        state: 'running',
        protocol: 'AMQP 0-9-1',
        channels: 0,
      });
      expect(c!.id).toMatch(/^warren@test\/\d+$/);
      expect(c!.clientProperties['connection_name']).toBe('orders-worker');
      expect(c!.clientProperties['product']).toBe('amqplib');
      expect(c!.connectedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(c!.connectedAt).toBeLessThanOrEqual(Date.now());
      expect(broker.readModel.connection(c!.name)?.id).toBe(c!.id);
      expect(broker.readModel.connection(c!.id)?.name).toBe(c!.name);
      expect(Object.isFrozen(c)).toBe(true);
      expect(Object.isFrozen(c!.clientProperties)).toBe(true);
    } finally {
      await conn.close();
    }
    await eventually(() => named('orders-worker') === undefined, 5000, 'closed connection still listed');
  });

  it('counts bytes and frames in and out as traffic flows', async () => {
    const conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'counting' } });
    try {
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      const first = named('counting')!;
      // The handshake alone: start-ok, tune-ok, open in; start, tune, open-ok out (and the channel and declare).
      expect(first.framesIn).toBeGreaterThanOrEqual(5);
      expect(first.framesOut).toBeGreaterThanOrEqual(5);
      expect(first.bytesIn).toBeGreaterThan(8); // the protocol header is 8 of them
      expect(first.bytesOut).toBeGreaterThan(0);
      const payload = Buffer.alloc(10_000, 7);
      for (let i = 0; i < 10; i++) ch.sendToQueue(queue, payload);
      await roundTrip(ch, queue);
      const afterPublish = named('counting')!;
      // 10 publishes: 30 frames (method, header, body) and 100,000 body bytes at least.
      expect(afterPublish.framesIn - first.framesIn).toBeGreaterThanOrEqual(30);
      expect(afterPublish.bytesIn - first.bytesIn).toBeGreaterThanOrEqual(100_000);
      const got: ConsumeMessage[] = [];
      await new Promise<void>((resolve) => {
        void ch.consume(queue, (m) => {
          if (m !== null && got.push(m) === 10) resolve();
        }, { noAck: true });
      });
      await roundTrip(ch, queue);
      const afterDeliver = named('counting')!;
      expect(afterDeliver.framesOut - afterPublish.framesOut).toBeGreaterThanOrEqual(30);
      expect(afterDeliver.bytesOut - afterPublish.bytesOut).toBeGreaterThanOrEqual(100_000);
    } finally {
      await conn.close();
    }
  });

  it('shows channels with their prefetch (per consumer and global), unacked count, consumers and confirm mode', async () => {
    const conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'prefetching' } });
    try {
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      await ch.prefetch(3); // amqplib: per consumer (global=false)
      await ch.prefetch(7, true);
      await conn.createConfirmChannel();
      for (let i = 0; i < 5; i++) ch.sendToQueue(queue, body(`m${i}`));
      const got: ConsumeMessage[] = [];
      const three = new Promise<void>((resolve) => {
        void ch.consume(queue, (m) => {
          if (m !== null && got.push(m) === 3) resolve();
        }, { consumerTag: 'slow' });
      });
      await three;
      await roundTrip(ch, queue);
      const c = named('prefetching')!;
      expect(c.channels).toBe(2);
      const channels = broker.readModel.channels(c.name);
      const main = channels.find((x) => x.number === (ch as unknown as { ch: number }).ch)!;
      expect(main).toMatchObject({
        prefetchCount: 3,
        globalPrefetchCount: 7,
        messagesUnacknowledged: 3, // prefetch 3 stops the fourth and fifth
        consumerCount: 1,
        confirm: false,
        transactional: false,
        vhost: '/',
        user: 'guest',
      });
      expect(main.name).toBe(`${c.name} (${main.number})`);
      expect(main.connection.name).toBe(c.name);
      expect(main.connection.clientName).toBe('prefetching');
      const other = channels.find((x) => x !== main)!;
      expect(other).toMatchObject({ confirm: true, consumerCount: 0, messagesUnacknowledged: 0 });

      const consumer = broker.readModel.consumers().find((x) => x.tag === 'slow')!;
      expect(consumer).toMatchObject({
        queue: { vhost: '/', name: queue },
        ackRequired: true,
        prefetchCount: 3,
        exclusive: false,
        active: true,
        activityStatus: 'up',
        unacknowledged: 3,
      });
      expect(consumer.channel.name).toBe(main.name);
      expect(broker.readModel.queue('/', queue)).toMatchObject({ messagesReady: 2, messagesUnacknowledged: 3, messages: 5, consumerCount: 1 });

      ch.ack(got[1]!); // one ack frees one slot: the fourth arrives
      await eventually(() => got.length === 4, 3000, 'the fourth delivery did not come');
      await roundTrip(ch, queue);
      expect(broker.readModel.channels(c.id).find((x) => x.number === main.number)?.messagesUnacknowledged).toBe(3);
      expect(broker.readModel.queue('/', queue)).toMatchObject({ messagesReady: 1, messagesUnacknowledged: 3 });
    } finally {
      await conn.close();
    }
  });

  it('follows the handshake: starting, tuning, opening, running; the name and user appear once start-ok came', async () => {
    const raw = await RawClient.connect(broker.port);
    try {
      const local = () => broker.readModel.connections().find((c) => c.peerPort === raw.socket.localPort);
      await eventually(() => local() !== undefined, 3000, 'not listed before the protocol header');
      expect(local()).toMatchObject({ state: 'starting', user: undefined, vhost: undefined, clientName: undefined });
      raw.sendProtocolHeader();
      await raw.waitMethod('connection.start', 0);
      expect(local()?.state).toBe('starting');
      raw.sendMethod(0, {
        name: 'connection.start-ok',
        clientProperties: tableFromJs({ product: 'raw', connection_name: 'handshaking' }),
        mechanism: 'PLAIN',
        response: Buffer.from('\0guest\0guest'),
        locale: 'en_US',
      });
      await raw.waitMethod('connection.tune', 0);
      expect(local()).toMatchObject({ state: 'tuning', user: 'guest', clientName: 'handshaking', vhost: undefined });
      raw.sendMethod(0, { name: 'connection.tune-ok', channelMax: 16, frameMax: 8192, heartbeat: 0 });
      await eventually(() => local()?.state === 'opening', 3000, 'tune-ok not seen');
      raw.sendMethod(0, { name: 'connection.open', virtualHost: '/', capabilities: '', insist: false });
      await raw.waitMethod('connection.open-ok', 0);
      expect(local()).toMatchObject({ state: 'running', vhost: '/', channelMax: 16, frameMax: 8192, heartbeat: 0 });
    } finally {
      raw.destroy();
    }
  });

  it('does not list a socket accepted over max-connections only to be refused', async () => {
    const { broker: full, close: closeFull } = await openBroker({ maxConnections: 1 });
    const served = await amqp.connect(full.url);
    const refused = await RawClient.connect(full.port);
    try {
      refused.sendProtocolHeader();
      await refused.waitMethod('connection.start', 0); // accepted, and told why only after start-ok
      expect(full.readModel.connections().map((c) => c.peerPort)).toEqual([
        (served.connection as unknown as { stream: { localPort: number } }).stream.localPort,
      ]);
    } finally {
      refused.destroy();
      await served.close();
      await closeFull();
    }
  });

  it("shows a publisher held by a resource alarm as 'blocked', a consumer beside it as 'running'", async () => {
    const { broker: low, close: closeLow } = await openBroker({ diskFreeLimit: 1e15 }); // more than any disk has free
    try {
      const consumer = await amqp.connect(low.url, { clientProperties: { connection_name: 'reader' } });
      const pub = await amqp.connect(low.url, { clientProperties: { connection_name: 'writer' } });
      pub.on('error', () => undefined);
      const blocked = new Promise<string>((resolve) => pub.on('blocked', resolve));
      const ch = await pub.createChannel();
      ch.sendToQueue('nowhere', body('x'));
      expect(await blocked).toBe('low on disk');
      const states = Object.fromEntries(low.readModel.connections().map((c) => [c.clientName, c.state]));
      expect(states).toEqual({ reader: 'running', writer: 'blocked' });
      await consumer.close();
    } finally {
      await closeLow();
    }
  });

  it('counts basic.get deliveries awaiting ack against their queue and channel', async () => {
    const conn = await amqp.connect(broker.url);
    try {
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      for (let i = 0; i < 3; i++) ch.sendToQueue(queue, body(`g${i}`));
      await roundTrip(ch, queue);
      expect(await ch.get(queue)).not.toBe(false);
      expect(await ch.get(queue)).not.toBe(false);
      expect(broker.readModel.queue('/', queue)).toMatchObject({ messagesReady: 1, messagesUnacknowledged: 2, messages: 3 });
    } finally {
      await conn.close();
    }
  });

  it('marks the waiting consumers of a single-active-consumer queue (activity_status), and the exclusive consumer', async () => {
    const client = new AMQPClient(broker.url);
    const conn = await client.connect();
    try {
      const ch = await conn.channel();
      await ch.queueDeclare('sac-read-model', { autoDelete: true }, { 'x-single-active-consumer': true });
      await ch.basicConsume('sac-read-model', { tag: 'first', noAck: false }, () => undefined);
      // A higher priority does not make a later consumer the active one.
      await ch.basicConsume('sac-read-model', { tag: 'second', noAck: false, args: { 'x-priority': 5 } }, () => undefined);
      const mine = broker.readModel.consumers('/').filter((c) => c.queue.name === 'sac-read-model');
      expect(mine.map((c) => [c.tag, c.active, c.activityStatus]).sort()).toEqual([
        ['first', true, 'single_active'],
        ['second', false, 'waiting'],
      ]);
      expect(broker.readModel.queue('/', 'sac-read-model')?.singleActiveConsumerTag).toBe('first');
      const ex = await ch.queueDeclare('', { exclusive: true });
      await ch.basicConsume(ex.name, { tag: 'alone', exclusive: true }, () => undefined);
      expect(broker.readModel.queue('/', ex.name)).toMatchObject({ exclusive: true, exclusiveConsumerTag: 'alone' });
      expect(broker.readModel.queue('/', ex.name)?.owner?.peerPort).toBe(
        broker.readModel.connections().find((c) => c.clientProperties['product'] === 'amqp-client.js')?.peerPort,
      );
    } finally {
      await conn.close();
    }
  });
});

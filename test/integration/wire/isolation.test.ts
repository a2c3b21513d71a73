import amqp from 'amqplib';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import type { VirtualHost } from '../../../src/core/vhost.js';
import { eventually, withBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';
import { ManualClock } from '../../../src/util/manual-clock.js';

/**
 * Isolation: an exception nothing expected, raised while serving one connection, channel, queue or
 * exchange, ends only that (541 INTERNAL_ERROR for a connection), is logged with its stack and counted
 * in Broker.internalErrors, and the broker keeps serving everyone else.
 *
 * Faults are injected through public seams only: the logger an embedder passes in (its log calls run
 * inside socket handlers), and methods of live queues and vhosts reached through Broker.vhosts (the
 * embedding API). No AMQP client can reach either.
 */

type LogLine = Record<string, unknown>;

/** A debug-level logger that records lines and throws once from the first call logging a message that starts with `throwOn`. */
function faultyLogger(): { logger: pino.Logger; lines: LogLine[]; arm: (msg: string) => void } {
  const lines: LogLine[] = [];
  let throwOn: string | undefined;
  const logger = pino(
    {
      level: 'debug',
      hooks: {
        logMethod(args, method) {
          const msg = args.find((a) => typeof a === 'string');
          if (throwOn !== undefined && msg?.startsWith(throwOn) === true) {
            throwOn = undefined;
            throw new Error(`injected fault while logging '${msg}'`);
          }
          method.apply(this, args);
        },
      },
    },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { logger, lines, arm: (msg) => (throwOn = msg) };
}

function internalErrorLines(lines: readonly LogLine[]): LogLine[] {
  return lines.filter((l) => l['event'] === 'internal.error');
}

function stackOf(line: LogLine | undefined): string {
  return String((line?.['err'] as { stack?: string } | undefined)?.stack ?? '');
}

async function roundTrip(broker: Broker): Promise<void> {
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  ch.sendToQueue(queue, Buffer.from('still here'));
  let got: string | undefined;
  for (let i = 0; i < 50 && got === undefined; i++) {
    const m = await ch.get(queue, { noAck: true });
    if (m !== false) got = m.content.toString();
    else await new Promise((r) => setTimeout(r, 20));
  }
  expect(got).toBe('still here');
  await conn.close();
}

function vhostOf(broker: Broker): VirtualHost {
  return broker.vhosts.get('/') as VirtualHost;
}

describe('isolation: socket handlers', () => {
  it("an exception escaping a connection's 'data' handler closes that connection with 541; others keep working", async () => {
    const { logger, lines, arm } = faultyLogger();
    await withBroker(
      async (broker) => {
        const bystander = await amqp.connect(broker.url);
        const bch = await bystander.createChannel();
        await bch.assertQueue('bystander');

        const victim = await RawClient.open(broker.port);
        await victim.openChannel(1);
        // The channel error path logs 'channel 1 closed: ...' from inside the frame handler; make it throw.
        arm('channel 1 closed:');
        victim.sendMethod(1, { name: 'queue.declare', ticket: 0, queue: 'missing', passive: true, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} });
        const close = await victim.waitConnectionClose();
        expect(close.replyCode).toBe(541);
        expect(close.replyText).toBe('INTERNAL_ERROR - internal error');
        await victim.waitSocketClose();

        expect(broker.internalErrors).toBe(1);
        const line = internalErrorLines(lines)[0];
        expect(line?.['level']).toBe(50);
        expect(stackOf(line)).toContain("injected fault while logging 'channel 1 closed: NOT_FOUND");
        expect(stackOf(line)).toMatch(/at .*channel-table/);
        expect((await bch.checkQueue('bystander')).queue).toBe('bystander');
        await roundTrip(broker);
        await bystander.close();
      },
      { logger },
    );
  });

  it("an exception in a connection's 'close' handler is logged and counted; the connection is still forgotten", async () => {
    const { logger, lines, arm } = faultyLogger();
    await withBroker(
      async (broker) => {
        const c = await amqp.connect(broker.url);
        arm('connection closed');
        await c.close();
        await eventually(() => broker.connectionCount() === 0, 5000, 'the connection was not forgotten');
        await eventually(() => broker.internalErrors === 1, 5000, 'not counted');
        expect(stackOf(internalErrorLines(lines)[0])).toContain("injected fault while logging 'connection closed'");
        await roundTrip(broker);
      },
      { logger },
    );
  });

  it("an exception in one connection's timer work (a consumer timeout on the broker clock) ends that connection with 541; other timers still fire", async () => {
    const { logger, lines, arm } = faultyLogger();
    const clock = new ManualClock();
    await withBroker(
      async (broker) => {
        const conn = await amqp.connect(broker.url);
        const ch = await conn.createChannel();
        await ch.assertQueue('slow');
        ch.sendToQueue('slow', Buffer.from('never acked'));
        ch.sendToQueue('slow', Buffer.from('never acked either'));
        const consumeOne = async (): Promise<RawClient> => {
          const c = await RawClient.open(broker.port);
          await c.openChannel(1);
          c.sendMethod(1, { name: 'basic.qos', prefetchSize: 0, prefetchCount: 1, global: false });
          await c.waitMethod('basic.qos-ok', 1);
          c.sendMethod(1, { name: 'basic.consume', ticket: 0, queue: 'slow', consumerTag: 'v', noLocal: false, noAck: false, exclusive: false, nowait: false, arguments: {} });
          await c.waitMethod('basic.deliver');
          return c;
        };
        const victim = await consumeOne();
        clock.advance(100); // the bystander's delivery is the later one: its timer fires second
        const bystander = await consumeOne();
        // Both consumer timeouts fire in one advance; the first logs 'channel 1 closed: ...' and throws.
        arm('channel 1 closed:');
        clock.advance(301); // +401: past both deadlines (+301 and +401)
        expect((await victim.waitConnectionClose()).replyCode).toBe(541);
        await victim.waitSocketClose();
        expect(broker.internalErrors).toBe(1);
        expect(internalErrorLines(lines)[0]).toMatchObject({ during: 'timer' });
        expect(stackOf(internalErrorLines(lines)[0])).toContain("injected fault while logging 'channel 1 closed:");
        expect((await bystander.waitMethod('channel.close', 1)).replyCode).toBe(406);
        bystander.destroy();
        await roundTrip(broker);
        await conn.close();
      },
      { logger, consumerTimeout: 300, clock },
    );
  });

  it("an exception in a connection's 'drain' handler closes that connection with 541", async () => {
    const { logger } = faultyLogger();
    await withBroker(
      async (broker) => {
        const admin = await amqp.connect(broker.url);
        const ach = await admin.createConfirmChannel();
        await ach.assertQueue('big');
        const body = Buffer.alloc(1024, 1);
        for (let i = 0; i < 8000; i++) ach.sendToQueue('big', body);
        await ach.waitForConfirms();

        const c = await RawClient.open(broker.port);
        c.keepFrames = false;
        await c.openChannel(1);
        c.pause();
        c.sendMethod(1, { name: 'basic.consume', ticket: 0, queue: 'big', consumerTag: 't', noLocal: false, noAck: true, exclusive: false, nowait: false, arguments: {} });
        const queue = vhostOf(broker).queues.get('big')!;
        // The socket fills; once the client reads, 'drain' asks the queue to deliver again.
        await eventually(() => queue.messageCount < 8000, 5000);
        await new Promise((r) => setTimeout(r, 200));
        const original = queue.scheduleDrain.bind(queue);
        queue.scheduleDrain = () => {
          queue.scheduleDrain = original;
          throw new Error('injected fault in scheduleDrain');
        };
        c.resume();
        const close = await c.waitConnectionClose(10_000);
        expect(close.replyCode).toBe(541);
        expect(broker.internalErrors).toBe(1);
        await roundTrip(broker);
        await admin.close();
      },
      { logger },
    );
  });
});

describe('isolation: queue and exchange callbacks', () => {
  it('an exception in a queue drain (microtask) is logged with the queue name and counted; the queue keeps delivering', async () => {
    const { logger, lines } = faultyLogger();
    await withBroker(
      async (broker) => {
        const conn = await amqp.connect(broker.url);
        const ch = await conn.createChannel();
        await ch.assertQueue('work');
        const got: string[] = [];
        await ch.consume('work', (m) => m && got.push(m.content.toString()), { noAck: true });
        const queue = vhostOf(broker).queues.get('work')!;
        const original = queue.drain.bind(queue);
        queue.drain = () => {
          queue.drain = original;
          throw new Error('injected fault in drain');
        };
        ch.sendToQueue('work', Buffer.from('one'));
        await eventually(() => broker.internalErrors === 1, 5000, 'fault not counted');
        const line = internalErrorLines(lines)[0];
        expect(line).toMatchObject({ vhost: '/', queue: 'work', task: 'drain' });
        expect(stackOf(line)).toContain('injected fault in drain');
        ch.sendToQueue('work', Buffer.from('two'));
        await eventually(() => got.length === 2, 5000, `got ${got.join(',')}`);
        expect(got).toEqual(['one', 'two']);
        await conn.close();
      },
      { logger },
    );
  });

  it('an exception in a message-expiry timer is logged and counted; later expiries still dead-letter', async () => {
    const { logger, lines } = faultyLogger();
    await withBroker(
      async (broker) => {
        const conn = await amqp.connect(broker.url);
        const ch = await conn.createChannel();
        await ch.assertQueue('dead');
        await ch.assertQueue('ttl', { arguments: { 'x-message-ttl': 50, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dead' } });
        const vhost = vhostOf(broker);
        const original = vhost.deadLetter.bind(vhost);
        vhost.deadLetter = () => {
          vhost.deadLetter = original;
          throw new Error('injected fault in dead-lettering');
        };
        ch.sendToQueue('ttl', Buffer.from('first'));
        await eventually(() => broker.internalErrors === 1, 5000, 'fault not counted');
        expect(internalErrorLines(lines)[0]).toMatchObject({ queue: 'ttl', task: 'expiry' });
        ch.sendToQueue('ttl', Buffer.from('second'));
        await eventually(() => broker.readModel.queue('/', 'dead')?.messagesReady === 1, 5000, 'second message not dead-lettered');
        const m = await ch.get('dead', { noAck: true });
        expect(m !== false && m.content.toString()).toBe('second');
        await conn.close();
      },
      { logger },
    );
  });

  it('an exception in an x-expires timer is logged with the queue name and counted', async () => {
    const { logger, lines } = faultyLogger();
    await withBroker(
      async (broker) => {
        const conn = await amqp.connect(broker.url);
        const ch = await conn.createChannel();
        const vhost = vhostOf(broker) as unknown as { removeQueue: (q: unknown) => number };
        const original = vhost.removeQueue.bind(vhost);
        vhost.removeQueue = () => {
          vhost.removeQueue = original;
          throw new Error('injected fault in queue removal');
        };
        await ch.assertQueue('short-lived', { arguments: { 'x-expires': 100 } });
        await eventually(() => broker.internalErrors === 1, 5000, 'fault not counted');
        expect(internalErrorLines(lines)[0]).toMatchObject({ queue: 'short-lived', task: 'x-expires' });
        await roundTrip(broker);
        await conn.close();
      },
      { logger },
    );
  });

  it('an exception releasing a delayed message is logged with the exchange name and counted; later releases work', async () => {
    const { logger, lines } = faultyLogger();
    await withBroker(
      async (broker) => {
        const conn = await amqp.connect(broker.url);
        const ch = await conn.createChannel();
        await ch.assertExchange('later', 'x-delayed-message', { arguments: { 'x-delayed-type': 'direct' } });
        await ch.assertQueue('out');
        await ch.bindQueue('out', 'later', 'k');
        const router = (vhostOf(broker) as unknown as { router: { releaseDelayed: (...a: unknown[]) => void } }).router;
        const original = router.releaseDelayed.bind(router);
        router.releaseDelayed = () => {
          router.releaseDelayed = original;
          throw new Error('injected fault in delayed release');
        };
        ch.publish('later', 'k', Buffer.from('lost to the fault'), { headers: { 'x-delay': 50 } });
        await eventually(() => broker.internalErrors === 1, 5000, 'fault not counted');
        expect(internalErrorLines(lines)[0]).toMatchObject({ exchange: 'later', task: 'delayed release' });
        ch.publish('later', 'k', Buffer.from('delivered'), { headers: { 'x-delay': 50 } });
        await eventually(() => vhostOf(broker).queues.get('out')!.messageCount === 1, 5000, 'later release did not arrive');
        await conn.close();
      },
      { logger },
    );
  });
});

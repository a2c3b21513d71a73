/**
 * queue.declare / bind / unbind / purge / delete over TCP with stock clients. Every refusal's code
 * and text is the one RabbitMQ 3.10 sends in the same scenario.
 */
import { describe, expect, it } from 'vitest';
import { channel, clientRefused, confirmChannel, drainBodies, queueExists, refused, sharedBroker } from './support.js';

const { connect, connectClient } = sharedBroker();

const NO_PREVIOUS = 'NOT_FOUND - no previously declared queue';

describe('queue.declare', () => {
  it('passive declare of a missing queue closes the channel with 404', async () => {
    const conn = await connect();
    const err = await refused(conn, (ch) => ch.checkQueue('q.missing'));
    expect(err).toMatchObject({ code: 404, text: "NOT_FOUND - no queue 'q.missing' in vhost '/'", classId: 50, methodId: 10 });
  });

  it('takes a passive empty name literally, not as the last declared queue', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertQueue('q.last', { durable: false });
    const err = await ch.checkQueue('').then(
      () => undefined,
      (e: Error & { code?: number }) => e,
    );
    expect(err?.code).toBe(404);
    expect(err?.message).toContain(`NOT_FOUND - no queue '' in vhost '/'`);
    await (await channel(conn)).deleteQueue('q.last');
  });

  it('names a queue declared with an empty name amq.gen-…, which may be used but not redeclared by name', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    expect(queue).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
    const again = await ch.assertQueue('', { exclusive: true });
    expect(again.queue).not.toBe(queue);
    expect((await ch.checkQueue(queue)).queue).toBe(queue);
    const err = await refused(conn, (c) => c.assertQueue(queue, { exclusive: true }));
    expect(err).toMatchObject({ code: 403, text: `ACCESS_REFUSED - queue name '${queue}' contains reserved prefix 'amq.*'` });
  });

  it('refuses client-chosen names starting with amq. (403)', async () => {
    const conn = await connect();
    const err = await refused(conn, (c) => c.assertQueue('amq.mine'));
    expect(err).toMatchObject({ code: 403, text: "ACCESS_REFUSED - queue name 'amq.mine' contains reserved prefix 'amq.*'" });
    const passive = await refused(conn, (c) => c.checkQueue('amq.mine'));
    expect(passive.code).toBe(404);
  });

  it('answers declare-ok with the ready message count and the consumer count', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    const first = await ch.assertQueue('q.counts', { durable: false });
    expect(first).toEqual({ queue: 'q.counts', messageCount: 0, consumerCount: 0 });
    for (const b of ['1', '2', '3']) ch.sendToQueue('q.counts', Buffer.from(b));
    await ch.waitForConfirms();
    const consumerCh = await channel(conn);
    await consumerCh.prefetch(1);
    await consumerCh.consume('q.counts', () => undefined); // holds one unacked message
    await consumerCh.consume('q.counts', () => undefined);
    const again = await ch.assertQueue('q.counts', { durable: false });
    expect(again.consumerCount).toBe(2);
    expect(again.messageCount).toBeLessThanOrEqual(2);
    await consumerCh.close(); // requeues
    expect(await ch.checkQueue('q.counts')).toEqual({ queue: 'q.counts', messageCount: 3, consumerCount: 0 });
    await ch.deleteQueue('q.counts');
  });

  it.each([
    ['durable', { durable: true }, 'true', 'false'],
    ['auto_delete', { durable: false, autoDelete: true }, 'true', 'false'],
  ])('refuses a redeclare with another %s flag (406)', async (flag, options, received, current) => {
    const conn = await connect();
    const name = `q.flag-${flag}`;
    await (await channel(conn)).assertQueue(name, { durable: false, autoDelete: false });
    const err = await refused(conn, (c) => c.assertQueue(name, options));
    expect(err).toMatchObject({
      code: 406,
      text: `PRECONDITION_FAILED - inequivalent arg '${flag}' for queue '${name}' in vhost '/': received '${received}' but current is '${current}'`,
    });
    await (await channel(conn)).deleteQueue(name);
  });

  it('refuses a redeclare with another exclusive flag with 405, in both directions', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertQueue('q.shared', { durable: false });
    await ch.assertQueue('q.mine', { exclusive: true });
    const toExclusive = await refused(conn, (c) => c.assertQueue('q.shared', { durable: false, exclusive: true }));
    expect(toExclusive).toMatchObject({
      code: 405,
      text: "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'q.shared' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.",
    });
    const toShared = await refused(conn, (c) => c.assertQueue('q.mine', { exclusive: false, durable: false }));
    expect(toShared.code).toBe(405);
    await ch.deleteQueue('q.shared');
  });

  it('ignores durable on exclusive queues: they are never durable', async () => {
    const ch = await channel(await connect());
    await ch.assertQueue('q.excl-durable', { exclusive: true, durable: true });
    await ch.assertQueue('q.excl-durable', { exclusive: true, durable: false });
    await ch.assertQueue('q.excl-durable', { exclusive: true, durable: true });
  });
});

describe('queue arguments on redeclare', () => {
  it('compares integers whatever their width (int8 10 = int32 10 = int64 10)', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertQueue('q.width', { durable: false, arguments: { 'x-max-length': 10 } }); // amqplib: int8
    await ch.assertQueue('q.width', { durable: false, arguments: { 'x-max-length': { '!': 'int32', value: 10 } } });
    await ch.assertQueue('q.width', { durable: false, arguments: { 'x-max-length': { '!': 'int64', value: 10 } } });
    await ch.assertQueue('q.width', { durable: false, arguments: { 'x-max-length': { '!': 'uint8', value: 10 } } });
    const client = await connectClient(); // amqp-client sends every integer as int32
    const cch = await client.channel();
    const ok = await cch.queueDeclare('q.width', { durable: false, autoDelete: false, exclusive: false }, { 'x-max-length': 10 });
    expect(ok.name).toBe('q.width');
    await ch.deleteQueue('q.width');
  });

  it("refuses another value, a missing argument or another type with RabbitMQ's texts", async () => {
    const conn = await connect();
    await (await channel(conn)).assertQueue('q.args', { durable: false, arguments: { 'x-max-length': 10, 'x-dead-letter-exchange': 'dlx' } });
    const prefix = "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'q.args' in vhost '/': ";
    const base = { 'x-dead-letter-exchange': 'dlx' };
    const value = await refused(conn, (c) => c.assertQueue('q.args', { durable: false, arguments: { ...base, 'x-max-length': 20 } }));
    expect(value).toMatchObject({ code: 406, text: `${prefix}received '20' but current is '10'` });
    const missing = await refused(conn, (c) => c.assertQueue('q.args', { durable: false, arguments: base }));
    expect(missing.text).toBe(`${prefix}received none but current is the value '10' of type 'byte'`);
    const double = await refused(conn, (c) =>
      c.assertQueue('q.args', { durable: false, arguments: { ...base, 'x-max-length': { '!': 'double', value: 10 } } }),
    );
    expect(double.text).toBe(`${prefix}received '10.0' but current is '10'`);
    const string = await refused(conn, (c) => c.assertQueue('q.args', { durable: false, arguments: { ...base, 'x-max-length': '10' } }));
    expect(string.text).toBe(`${prefix}received '10' but current is '10'`);
    const dlx = await refused(conn, (c) => c.assertQueue('q.args', { durable: false, arguments: { 'x-max-length': 10 } }));
    expect(dlx.text).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'x-dead-letter-exchange' for queue 'q.args' in vhost '/': received none but current is the value 'dlx' of type 'longstr'",
    );
    await (await channel(conn)).deleteQueue('q.args');
  });

  it('lets arguments RabbitMQ does not compare differ, and treats x-queue-type classic as the default', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertQueue('q.unknown-args', { durable: false, arguments: { 'x-app-tag': 'a' } });
    await ch.assertQueue('q.unknown-args', { durable: false, arguments: { 'x-app-tag': 'b', 'x-queue-type': 'classic' } });
    await ch.assertQueue('q.unknown-args', { durable: false });
    const quorum = await refused(conn, (c) => c.assertQueue('q.unknown-args', { durable: false, arguments: { 'x-queue-type': 'quorum' } }));
    expect(quorum.text).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'q.unknown-args' in vhost '/': received the value 'quorum' of type 'longstr' but current is none",
    );
    await ch.deleteQueue('q.unknown-args');
  });

  it('compares without validating: an invalid value on redeclare is reported as inequivalent', async () => {
    const conn = await connect();
    await (await channel(conn)).assertQueue('q.no-validate', { durable: false, arguments: { 'x-max-length': 5 } });
    const err = await refused(conn, (c) => c.assertQueue('q.no-validate', { durable: false, arguments: { 'x-max-length': -1 } }));
    expect(err.text).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue 'q.no-validate' in vhost '/': received '-1' but current is '5'",
    );
    await (await channel(conn)).deleteQueue('q.no-validate');
  });
});

describe('the last declared queue', () => {
  it('stands for an empty queue name in bind, purge, consume, get and delete', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue('', 'amq.direct', 'shortcut');
    ch.publish('amq.direct', 'shortcut', Buffer.from('a'));
    ch.publish('amq.direct', 'shortcut', Buffer.from('b'));
    await ch.waitForConfirms();
    const got = await ch.get('', { noAck: true });
    expect(got && got.content.toString()).toBe('a');
    expect(await ch.purgeQueue('')).toEqual({ messageCount: 1 });
    const { consumerTag } = await ch.consume('', () => undefined);
    expect((await ch.checkQueue(queue)).consumerCount).toBe(1);
    await ch.cancel(consumerTag);
    await ch.unbindQueue('', 'amq.direct', 'shortcut');
    expect(await ch.deleteQueue('')).toEqual({ messageCount: 0 });
    expect(await queueExists(conn, queue)).toBe(false);
  });

  it('binds and unbinds with the queue name as key when both queue and key are empty', async () => {
    const ch = await confirmChannel(await connect());
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue('', 'amq.direct', '');
    ch.publish('amq.direct', queue, Buffer.from('key = queue name'));
    ch.publish('amq.direct', '', Buffer.from('empty key'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual(['key = queue name']);
    // queue.unbind reads the same shortcut, so it removes that binding.
    await ch.unbindQueue('', 'amq.direct', '');
    ch.publish('amq.direct', queue, Buffer.from('after unbind'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual([]);
  });

  it.each([
    ['queue.bind', (c: import('amqplib').Channel) => c.bindQueue('', 'amq.direct', 'k')],
    ['queue.unbind', (c: import('amqplib').Channel) => c.unbindQueue('', 'amq.direct', 'k')],
    ['queue.purge', (c: import('amqplib').Channel) => c.purgeQueue('')],
    ['queue.delete', (c: import('amqplib').Channel) => c.deleteQueue('')],
    ['basic.consume', (c: import('amqplib').Channel) => c.consume('', () => undefined)],
    ['basic.get', (c: import('amqplib').Channel) => c.get('')],
  ])('is required: %s with an empty name on a fresh channel is 404', async (_method, op) => {
    const err = await refused(await connect(), op);
    expect(err).toMatchObject({ code: 404, text: NO_PREVIOUS });
  });
});

describe('queue.bind / queue.unbind', () => {
  it('reports a missing exchange before a missing queue', async () => {
    const conn = await connect();
    await (await channel(conn)).assertQueue('q.bind', { durable: false });
    const queue = await refused(conn, (c) => c.bindQueue('q.bind.missing', 'amq.direct', 'k'));
    expect(queue).toMatchObject({ code: 404, text: "NOT_FOUND - no queue 'q.bind.missing' in vhost '/'" });
    const exchange = await refused(conn, (c) => c.bindQueue('q.bind', 'x.bind.missing', 'k'));
    expect(exchange).toMatchObject({ code: 404, text: "NOT_FOUND - no exchange 'x.bind.missing' in vhost '/'" });
    const both = await refused(conn, (c) => c.bindQueue('q.bind.missing', 'x.bind.missing', 'k'));
    expect(both.text).toBe("NOT_FOUND - no exchange 'x.bind.missing' in vhost '/'");
    await (await channel(conn)).deleteQueue('q.bind');
  });

  it('binding twice is one binding; unbind is idempotent', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'amq.direct', 'twice');
    await ch.bindQueue(queue, 'amq.direct', 'twice');
    ch.publish('amq.direct', 'twice', Buffer.from('once'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual(['once']);
    await ch.unbindQueue(queue, 'amq.direct', 'twice');
    await ch.unbindQueue(queue, 'amq.direct', 'twice');
    await ch.unbindQueue(queue, 'amq.direct', 'never');
    await ch.unbindQueue('q.unbind.missing', 'amq.direct', 'k');
    await ch.unbindQueue(queue, 'x.unbind.missing', 'k');
    ch.publish('amq.direct', 'twice', Buffer.from('after unbind'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual([]);
  });
});

describe('queue.purge', () => {
  it('returns how many ready messages it removed', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    for (const b of ['a', 'b', 'c']) ch.sendToQueue(queue, Buffer.from(b));
    await ch.waitForConfirms();
    expect(await ch.purgeQueue(queue)).toEqual({ messageCount: 3 });
    expect(await ch.purgeQueue(queue)).toEqual({ messageCount: 0 });
    const missing = await refused(conn, (c) => c.purgeQueue('q.purge.missing'));
    expect(missing).toMatchObject({ code: 404, text: "NOT_FOUND - no queue 'q.purge.missing' in vhost '/'" });
  });
});

describe('queue.delete', () => {
  it('refuses if-unused while the queue has a consumer', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertQueue('q.del.used', { durable: false });
    const { consumerTag } = await ch.consume('q.del.used', () => undefined);
    const err = await refused(conn, (c) => c.deleteQueue('q.del.used', { ifUnused: true }));
    expect(err).toMatchObject({ code: 406, text: "PRECONDITION_FAILED - queue 'q.del.used' in vhost '/' in use" });
    await ch.cancel(consumerTag);
    expect(await ch.deleteQueue('q.del.used', { ifUnused: true })).toEqual({ messageCount: 0 });
  });

  it('refuses if-empty while the queue has messages, and returns the count when it deletes', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('q.del.full', { durable: false });
    ch.sendToQueue('q.del.full', Buffer.from('1'));
    ch.sendToQueue('q.del.full', Buffer.from('2'));
    await ch.waitForConfirms();
    const err = await refused(conn, (c) => c.deleteQueue('q.del.full', { ifEmpty: true }));
    expect(err).toMatchObject({ code: 406, text: "PRECONDITION_FAILED - queue 'q.del.full' in vhost '/' not empty" });
    expect(await ch.deleteQueue('q.del.full')).toEqual({ messageCount: 2 });
    expect(await ch.deleteQueue('q.del.full')).toEqual({ messageCount: 0 });
    expect(await queueExists(conn, 'q.del.full')).toBe(false);
  });

  it('removes the queue\'s bindings', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('q.del.bound', { durable: false });
    await ch.bindQueue('q.del.bound', 'amq.fanout', '');
    await ch.deleteQueue('q.del.bound');
    await ch.assertQueue('q.del.bound', { durable: false });
    ch.publish('amq.fanout', '', Buffer.from('x'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, 'q.del.bound')).toEqual([]);
    await ch.deleteQueue('q.del.bound');
  });
});

describe('with @cloudamqp/amqp-client', () => {
  it('declares, counts, purges and deletes, and sees the same refusals', async () => {
    const conn = await connectClient();
    const ch = await conn.channel();
    const q = await ch.queueDeclare('', { exclusive: true });
    expect(q.name).toMatch(/^amq\.gen-/);
    await ch.confirmSelect();
    await ch.basicPublish('', q.name, 'a');
    await ch.basicPublish('', q.name, 'b');
    expect(await ch.queueDeclare(q.name, { passive: true })).toEqual({ name: q.name, messageCount: 2, consumerCount: 0 });
    expect(await ch.queuePurge(q.name)).toEqual({ messageCount: 2 });
    const missing = await clientRefused(conn, (c) => c.queueDeclare('q.cl.missing', { passive: true }));
    expect(missing).toEqual({ code: 404, text: "NOT_FOUND - no queue 'q.cl.missing' in vhost '/'" });
    const reserved = await clientRefused(conn, (c) => c.queueDeclare('amq.cl', { durable: false }));
    expect(reserved).toEqual({ code: 403, text: "ACCESS_REFUSED - queue name 'amq.cl' contains reserved prefix 'amq.*'" });
    expect(await ch.queueDelete(q.name)).toEqual({ messageCount: 0 });
  });
});

/**
 * exchange.declare / delete / bind / unbind over TCP with stock clients. Every refusal's code and
 * text is the one RabbitMQ 3.10 sends in the same scenario.
 */
import { describe, expect, it } from 'vitest';
import {
  channel,
  clientRefused,
  confirmChannel,
  drainBodies,
  exchangeExists,
  refused,
  sharedBroker,
} from './support.js';

const { connect, connectClient } = sharedBroker();

const DEFAULT_REFUSED = 'ACCESS_REFUSED - operation not permitted on the default exchange';

describe('exchange.declare', () => {
  it('passive declare of a missing exchange closes the channel with 404', async () => {
    const conn = await connect();
    const err = await refused(conn, (ch) => ch.checkExchange('ex.missing'));
    expect(err).toMatchObject({ code: 404, text: "NOT_FOUND - no exchange 'ex.missing' in vhost '/'", classId: 40, methodId: 10 });
    // Only the channel closed: the connection still works.
    const ch = await channel(conn);
    await ch.assertExchange('ex.after-404', 'direct', { durable: false });
  });

  it('declares with flags and arguments; a passive declare then succeeds', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertExchange('ex.flags', 'topic', { durable: true, autoDelete: false, internal: false, arguments: { 'x-custom': 'v' } });
    await ch.checkExchange('ex.flags');
    // The same declaration again is a no-op.
    await ch.assertExchange('ex.flags', 'topic', { durable: true, autoDelete: false, internal: false, arguments: { 'x-custom': 'v' } });
  });

  it('refuses a redeclare with another type with RabbitMQ\'s inequivalent-arg text', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertExchange('ex.type', 'direct', { durable: false });
    const err = await refused(conn, (c) => c.assertExchange('ex.type', 'fanout', { durable: false }));
    expect(err.code).toBe(406);
    expect(err.text).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'ex.type' in vhost '/': received 'fanout' but current is 'direct'",
    );
  });

  it.each([
    ['durable', { durable: true }],
    ['auto_delete', { durable: false, autoDelete: true }],
    ['internal', { durable: false, internal: true }],
  ])('refuses a redeclare with another %s flag', async (flag, options) => {
    const conn = await connect();
    const ch = await channel(conn);
    const name = `ex.flag-${flag}`;
    await ch.assertExchange(name, 'direct', { durable: false, autoDelete: false, internal: false });
    const err = await refused(conn, (c) => c.assertExchange(name, 'direct', options));
    expect(err).toMatchObject({
      code: 406,
      text: `PRECONDITION_FAILED - inequivalent arg '${flag}' for exchange '${name}' in vhost '/': received 'true' but current is 'false'`,
    });
  });

  it('compares alternate-exchange on redeclare, and no other argument', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertExchange('ex.ae-eq', 'direct', { durable: false, alternateExchange: 'ae1' });
    // Unknown arguments may differ, as in RabbitMQ.
    await ch.assertExchange('ex.ae-eq', 'direct', { durable: false, alternateExchange: 'ae1', arguments: { 'x-other': 1 } });
    const other = await refused(conn, (c) => c.assertExchange('ex.ae-eq', 'direct', { durable: false, alternateExchange: 'ae2' }));
    expect(other.text).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'ex.ae-eq' in vhost '/': received 'ae2' but current is 'ae1'",
    );
    const none = await refused(conn, (c) => c.assertExchange('ex.ae-eq', 'direct', { durable: false }));
    expect(none.text).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'ex.ae-eq' in vhost '/': received none but current is the value 'ae1' of type 'longstr'",
    );
  });

  it('refuses an alternate-exchange argument that is not a string', async () => {
    const conn = await connect();
    const err = await refused(conn, (c) => c.assertExchange('ex.ae-int', 'direct', { durable: false, arguments: { 'alternate-exchange': 5 } }));
    expect(err).toMatchObject({
      code: 406,
      text: "PRECONDITION_FAILED - invalid type 'byte' for arg 'alternate-exchange' in exchange 'ex.ae-int' in vhost '/'",
    });
    expect(await exchangeExists(conn, 'ex.ae-int')).toBe(false);
  });

  // RabbitMQ 3.12+ (rabbitmq-server#11214) and 4.x: a channel error; 3.10 closed the connection with 503.
  it('refuses an unknown type with channel error 406, as RabbitMQ 4.x', async () => {
    const conn = await connect();
    const err = await refused(conn, (ch) => ch.assertExchange('ex.bad-type', 'no-such-type'));
    expect(err).toMatchObject({ code: 406, text: "PRECONDITION_FAILED - unknown exchange type 'no-such-type'" });
    expect(await exchangeExists(conn, 'ex.bad-type')).toBe(false);
  });

  it('checks the type even when the exchange exists', async () => {
    const conn = await connect();
    await (await channel(conn)).assertExchange('ex.exists-bad-type', 'direct', { durable: false });
    const err = await refused(conn, (ch) => ch.assertExchange('ex.exists-bad-type', 'no-such-type', { durable: false }));
    expect(err.code).toBe(406);
  });

  it('refuses new names starting with amq. (403)', async () => {
    const conn = await connect();
    const err = await refused(conn, (c) => c.assertExchange('amq.mine', 'direct'));
    expect(err).toMatchObject({ code: 403, text: "ACCESS_REFUSED - exchange name 'amq.mine' contains reserved prefix 'amq.*'" });
  });

  it('accepts a redeclare of amq.direct with its own flags, and compares them like any other', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertExchange('amq.direct', 'direct', { durable: true });
    await ch.assertExchange('amq.match', 'headers', { durable: true });
    const flags = await refused(conn, (c) => c.assertExchange('amq.direct', 'direct', { durable: false }));
    expect(flags.text).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'amq.direct' in vhost '/': received 'false' but current is 'true'",
    );
    const type = await refused(conn, (c) => c.assertExchange('amq.direct', 'fanout', { durable: true }));
    expect(type.text).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'amq.direct' in vhost '/': received 'fanout' but current is 'direct'",
    );
  });

  it.each([
    ['amq.direct', 'direct'],
    ['amq.fanout', 'fanout'],
    ['amq.topic', 'topic'],
    ['amq.headers', 'headers'],
    ['amq.match', 'headers'],
  ])('predeclares %s as a durable %s exchange', async (name, type) => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.checkExchange(name);
    // A non-passive declare with the right type and durable=true is accepted only if both match.
    await ch.assertExchange(name, type, { durable: true });
    const wrong = type === 'fanout' ? 'direct' : 'fanout';
    const err = await refused(conn, (c) => c.assertExchange(name, wrong, { durable: true }));
    expect(err.text).toContain(`inequivalent arg 'type' for exchange '${name}' in vhost '/': received '${wrong}' but current is '${type}'`);
  });
});

describe('the default exchange', () => {
  it('routes by queue name', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.publish('', queue, Buffer.from('via default'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual(['via default']);
  });

  it.each([
    ['declare', (c: import('amqplib').Channel) => c.assertExchange('', 'direct')],
    ['passive declare', (c: import('amqplib').Channel) => c.checkExchange('')],
    ['delete', (c: import('amqplib').Channel) => c.deleteExchange('')],
    ['bind as source', (c: import('amqplib').Channel) => c.bindExchange('amq.fanout', '', 'k')],
    ['bind as destination', (c: import('amqplib').Channel) => c.bindExchange('', 'amq.fanout', 'k')],
    ['unbind', (c: import('amqplib').Channel) => c.unbindExchange('amq.fanout', '', 'k')],
    ['queue.bind', async (c: import('amqplib').Channel) => c.bindQueue((await c.assertQueue('', { exclusive: true })).queue, '', 'k')],
    ['queue.unbind', async (c: import('amqplib').Channel) => c.unbindQueue((await c.assertQueue('', { exclusive: true })).queue, '', 'k')],
  ])('refuses %s with 403', async (_what, op) => {
    const conn = await connect();
    const err = await refused(conn, op);
    expect(err).toMatchObject({ code: 403, text: DEFAULT_REFUSED });
  });
});

describe('exchange.delete', () => {
  it('refuses if-unused while the exchange has bindings as a source, and deletes it once it has none', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertExchange('ex.del', 'fanout', { durable: false });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'ex.del', '');
    const err = await refused(conn, (c) => c.deleteExchange('ex.del', { ifUnused: true }));
    expect(err).toMatchObject({ code: 406, text: "PRECONDITION_FAILED - exchange 'ex.del' in vhost '/' in use" });
    await ch.unbindQueue(queue, 'ex.del', '');
    await ch.deleteExchange('ex.del', { ifUnused: true });
    expect(await exchangeExists(conn, 'ex.del')).toBe(false);
  });

  it('counts only bindings from the exchange, not to it, for if-unused', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertExchange('ex.del-dest', 'fanout', { durable: false });
    await ch.bindExchange('ex.del-dest', 'amq.fanout', '');
    await ch.deleteExchange('ex.del-dest', { ifUnused: true });
    expect(await exchangeExists(conn, 'ex.del-dest')).toBe(false);
  });

  it('deletes without if-unused, removing its bindings, and is idempotent', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    await ch.assertExchange('ex.del2', 'fanout', { durable: false });
    await ch.bindExchange('ex.del2', 'amq.fanout', 'k');
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'ex.del2', '');
    await ch.deleteExchange('ex.del2');
    await ch.deleteExchange('ex.del2');
    await ch.deleteExchange('ex.never-existed');
    // The e2e binding from amq.fanout went with it: nothing reaches the queue.
    ch.publish('amq.fanout', '', Buffer.from('x'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual([]);
  });

  it('refuses to delete any amq.* name, even one that does not exist', async () => {
    const conn = await connect();
    const builtin = await refused(conn, (c) => c.deleteExchange('amq.direct'));
    expect(builtin).toMatchObject({ code: 403, text: "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed" });
    const missing = await refused(conn, (c) => c.deleteExchange('amq.nothing'));
    expect(missing).toMatchObject({ code: 403, text: "ACCESS_REFUSED - deletion of system exchange 'amq.nothing' in vhost '/' not allowed" });
    expect(await exchangeExists(conn, 'amq.direct')).toBe(true);
  });
});

describe('exchange.bind / exchange.unbind', () => {
  it('binds one exchange to another and unbinds it', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    await ch.assertExchange('e2e.src', 'direct', { durable: false });
    await ch.assertExchange('e2e.dst', 'fanout', { durable: false });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'e2e.dst', '');
    await ch.bindExchange('e2e.dst', 'e2e.src', 'k');
    ch.publish('e2e.src', 'k', Buffer.from('bound'));
    ch.publish('e2e.src', 'other', Buffer.from('wrong key'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual(['bound']);
    await ch.unbindExchange('e2e.dst', 'e2e.src', 'k');
    ch.publish('e2e.src', 'k', Buffer.from('unbound'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual([]);
  });

  it('reports a missing source before a missing destination (404)', async () => {
    const conn = await connect();
    await (await channel(conn)).assertExchange('e2e.present', 'fanout', { durable: false });
    const src = await refused(conn, (c) => c.bindExchange('e2e.present', 'e2e.no-src', ''));
    expect(src).toMatchObject({ code: 404, text: "NOT_FOUND - no exchange 'e2e.no-src' in vhost '/'" });
    const dst = await refused(conn, (c) => c.bindExchange('e2e.no-dst', 'e2e.present', ''));
    expect(dst).toMatchObject({ code: 404, text: "NOT_FOUND - no exchange 'e2e.no-dst' in vhost '/'" });
    const both = await refused(conn, (c) => c.bindExchange('e2e.no-dst', 'e2e.no-src', ''));
    expect(both.text).toBe("NOT_FOUND - no exchange 'e2e.no-src' in vhost '/'");
  });

  it('unbind is idempotent: a missing binding, source or destination is not an error', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertExchange('e2e.idem', 'fanout', { durable: false });
    await ch.unbindExchange('e2e.idem', 'amq.fanout', 'never-bound');
    await ch.unbindExchange('e2e.idem', 'e2e.no-src', '');
    await ch.unbindExchange('e2e.no-dst', 'e2e.idem', '');
    await ch.checkExchange('e2e.idem');
  });

  it('validates the binding against the source type (headers x-match)', async () => {
    const conn = await connect();
    await (await channel(conn)).assertExchange('e2e.h-dst', 'fanout', { durable: false });
    const err = await refused(conn, (c) => c.bindExchange('e2e.h-dst', 'amq.headers', '', { 'x-match': 'some' }));
    expect(err.code).toBe(406);
    expect(err.text).toMatch(/^PRECONDITION_FAILED - Invalid x-match field value .*some.*; expected all, any, all-with-x, or any-with-x$/);
  });
});

describe('internal exchanges', () => {
  it('refuse basic.publish with 403 but receive through exchange-to-exchange bindings', async () => {
    const conn = await connect();
    const ch = await confirmChannel(conn);
    await ch.assertExchange('int.inner', 'fanout', { durable: false, internal: true });
    await ch.assertExchange('int.front', 'direct', { durable: false });
    await ch.bindExchange('int.inner', 'int.front', 'k');
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'int.inner', '');
    ch.publish('int.front', 'k', Buffer.from('through front'));
    await ch.waitForConfirms();
    expect(await drainBodies(ch, queue)).toEqual(['through front']);

    const err = await refused(conn, async (c) => {
      c.publish('int.inner', '', Buffer.from('direct to internal'));
      await c.checkExchange('int.inner');
    });
    expect(err).toMatchObject({ code: 403, text: "ACCESS_REFUSED - cannot publish to internal exchange 'int.inner' in vhost '/'" });
    expect(await drainBodies(ch, queue)).toEqual([]);
  });
});

describe('auto-delete exchanges', () => {
  it('stay until they had a binding, then go when the last binding from them goes', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertExchange('ad.x', 'direct', { durable: false, autoDelete: true });
    expect(await exchangeExists(conn, 'ad.x')).toBe(true);
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'ad.x', 'a');
    await ch.bindQueue(queue, 'ad.x', 'b');
    await ch.unbindQueue(queue, 'ad.x', 'a');
    expect(await exchangeExists(conn, 'ad.x')).toBe(true);
    await ch.unbindQueue(queue, 'ad.x', 'b');
    expect(await exchangeExists(conn, 'ad.x')).toBe(false);
  });

  it('go when the queue holding their last binding is deleted', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertExchange('ad.q', 'fanout', { durable: false, autoDelete: true });
    await ch.assertQueue('ad.q.queue', { durable: false });
    await ch.bindQueue('ad.q.queue', 'ad.q', '');
    await ch.deleteQueue('ad.q.queue');
    expect(await exchangeExists(conn, 'ad.q')).toBe(false);
  });

  it('go when their last exchange-to-exchange binding goes, but not for bindings to them', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertExchange('ad.src', 'fanout', { durable: false, autoDelete: true });
    await ch.assertExchange('ad.dst', 'fanout', { durable: false, autoDelete: true });
    await ch.bindExchange('ad.dst', 'ad.src', '');
    // Deleting the destination removes ad.src's only binding: ad.src goes too.
    await ch.deleteExchange('ad.dst');
    expect(await exchangeExists(conn, 'ad.src')).toBe(false);

    await ch.assertExchange('ad.only-dest', 'fanout', { durable: false, autoDelete: true });
    await ch.bindExchange('ad.only-dest', 'amq.fanout', '');
    await ch.unbindExchange('ad.only-dest', 'amq.fanout', '');
    expect(await exchangeExists(conn, 'ad.only-dest')).toBe(true);
  });
});

describe('with @cloudamqp/amqp-client', () => {
  it('declares, sees the same refusals, binds and deletes', async () => {
    const conn = await connectClient();
    const ch = await conn.channel();
    await ch.exchangeDeclare('cl.x', 'topic', { durable: false });
    await ch.exchangeDeclare('cl.x', 'topic', { durable: false });
    const type = await clientRefused(conn, (c) => c.exchangeDeclare('cl.x', 'direct', { durable: false }));
    expect(type).toEqual({
      code: 406,
      text: "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'cl.x' in vhost '/': received 'direct' but current is 'topic'",
    });
    const missing = await clientRefused(conn, (c) => c.exchangeDeclare('cl.missing', 'direct', { passive: true }));
    expect(missing).toEqual({ code: 404, text: "NOT_FOUND - no exchange 'cl.missing' in vhost '/'" });
    const reserved = await clientRefused(conn, (c) => c.exchangeDeclare('amq.cl', 'direct'));
    expect(reserved.code).toBe(403);
    await ch.exchangeBind('cl.x', 'amq.topic', '#');
    await ch.exchangeUnbind('cl.x', 'amq.topic', '#');
    await ch.exchangeDelete('cl.x', { ifUnused: true });
    const gone = await clientRefused(conn, (c) => c.exchangeDeclare('cl.x', 'topic', { passive: true }));
    expect(gone.code).toBe(404);
  });
});

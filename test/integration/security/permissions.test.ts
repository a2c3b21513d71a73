import type amqp from 'amqplib';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { channel, confirmChannel, connectionRefused, refused } from '../topology/support.js';
import { HandshakeRefused, RawClient } from '../../helpers/raw-client.js';
import { accessAdmin, onReference } from './access-admin.js';

/**
 * RabbitMQ's access-control table, row by row, allowed and refused, with the exact texts; topic
 * permissions; the vhost check at connection.open; validated user-id. The same scenarios run
 * against RabbitMQ 3.10 with PERMISSIONS_REFERENCE_URL (see access-admin.ts).
 */
const admin = accessAdmin([
  { name: 'alice', password: 'alice-pw' },
  { name: 'imp', password: 'imp-pw', tags: ['impersonator'] },
]);

const FULL = ['.*', '.*', '.*'] as const;
/**
 * RabbitMQ 4.x names the permission ("configure access to queue 'q' ..."); 3.10 did not ("access to
 * queue 'q' ..."). Warren follows 4.x; against the 3.10 reference the older text is expected.
 */
const deny = (perm: string, kind: string, name: string, user = 'alice'): string =>
  `ACCESS_REFUSED - ${onReference ? '' : `${perm} `}access to ${kind} '${name}' in vhost '/' refused for user '${user}'`;

const denyTopic = (perm: string, key: string, exchange: string): string =>
  `ACCESS_REFUSED - ${onReference ? '' : `${perm} `}access to topic '${key}' in exchange '${exchange}' in vhost '/' refused for user 'alice'`;

/** Sets alice's permissions on '/' and connects as alice. */
async function alice(configure: string, write: string, read: string): Promise<amqp.ChannelModel> {
  await admin.setPermissions('alice', '/', configure, write, read);
  return admin.connect('alice');
}

beforeAll(async () => {
  const guest = await admin.connect('guest');
  const ch = await channel(guest);
  await ch.assertExchange('p.direct', 'direct', { durable: false });
  await ch.assertExchange('p.topic', 'topic', { durable: false });
  await ch.assertExchange('p.target', 'fanout', { durable: false });
  await ch.assertQueue('p.q', { durable: false });
  await ch.bindQueue('p.q', 'p.direct', 'k');
  await guest.close();
});

beforeEach(async () => {
  await admin.clearTopicPermissions('alice', '/');
});

describe('configure', () => {
  it('exchange.declare and exchange.delete need configure on the exchange', async () => {
    const conn = await alice('^a\\.', '', '');
    const ch = await channel(conn);
    await ch.assertExchange('a.x', 'direct', { durable: false });
    await ch.deleteExchange('a.x');
    expect(await refused(conn, (c) => c.assertExchange('b.x', 'direct', { durable: false }))).toMatchObject({
      code: 403,
      text: deny('configure', 'exchange', 'b.x'),
    });
    expect(await refused(conn, (c) => c.deleteExchange('p.direct'))).toMatchObject({ code: 403, text: deny('configure', 'exchange', 'p.direct') });
  });

  it('exchange.declare with an alternate exchange also needs read on the exchange and write on the AE', async () => {
    let conn = await alice('.*', '.*', '^a\\.');
    await (await channel(conn)).assertExchange('a.with-ae', 'direct', { durable: false, alternateExchange: 'p.target' });
    expect(await refused(conn, (c) => c.assertExchange('b.with-ae', 'direct', { durable: false, alternateExchange: 'p.target' }))).toMatchObject({
      code: 403,
      text: deny('read', 'exchange', 'b.with-ae'),
    });
    conn = await alice('.*', '^a\\.', '.*');
    expect(await refused(conn, (c) => c.assertExchange('c.with-ae', 'direct', { durable: false, alternateExchange: 'p.target' }))).toMatchObject({
      code: 403,
      text: deny('write', 'exchange', 'p.target'),
    });
    // An existing exchange is only compared: no AE check.
    conn = await alice('.*', '', '');
    await (await channel(conn)).assertExchange('a.with-ae', 'direct', { durable: false, alternateExchange: 'p.target' });
    await (await channel(conn)).deleteExchange('a.with-ae');
  });

  it('queue.declare and queue.delete need configure on the queue; server-named and exclusive queues too', async () => {
    const conn = await alice('^a\\.', '', '');
    const ch = await channel(conn);
    await ch.assertQueue('a.q', { durable: false });
    await ch.assertQueue('a.excl', { exclusive: true });
    await ch.deleteQueue('a.q');
    expect(await refused(conn, (c) => c.assertQueue('b.q', { durable: false }))).toMatchObject({ code: 403, text: deny('configure', 'queue', 'b.q') });
    expect(await refused(conn, (c) => c.assertQueue('b.excl', { exclusive: true }))).toMatchObject({ code: 403, text: deny('configure', 'queue', 'b.excl') });
    expect(await refused(conn, (c) => c.deleteQueue('p.q'))).toMatchObject({ code: 403, text: deny('configure', 'queue', 'p.q') });
    const serverNamed = await refused(conn, (c) => c.assertQueue('', { exclusive: true }));
    expect(serverNamed.code).toBe(403);
    expect(serverNamed.text).toMatch(/^ACCESS_REFUSED - (configure )?access to queue 'amq\.gen-[A-Za-z0-9_-]+' in vhost '\/' refused for user 'alice'$/);
  });

  it('queue.declare with a dead-letter exchange also needs read on the queue and write on the DLX', async () => {
    let conn = await alice('.*', '.*', '^a\\.');
    await (await channel(conn)).assertQueue('a.dlq', { durable: false, deadLetterExchange: 'p.target' });
    expect(await refused(conn, (c) => c.assertQueue('b.dlq', { durable: false, deadLetterExchange: 'p.target' }))).toMatchObject({
      code: 403,
      text: deny('read', 'queue', 'b.dlq'),
    });
    conn = await alice('.*', '^a\\.', '.*');
    expect(await refused(conn, (c) => c.assertQueue('c.dlq', { durable: false, deadLetterExchange: 'p.target' }))).toMatchObject({
      code: 403,
      text: deny('write', 'exchange', 'p.target'),
    });
    expect(await refused(conn, (c) => c.assertQueue('d.dlq', { durable: false, deadLetterExchange: '' }))).toMatchObject({
      code: 403,
      text: deny('write', 'exchange', 'amq.default'),
    });
    await (await channel(conn)).deleteQueue('a.dlq');
  });

  it(
    onReference
      ? 'passive declares need no permission (RabbitMQ 3.10)'
      : 'passive declares need any one permission on the resource, existing or not (RabbitMQ 4.2.7 and 4.3.1)',
    async () => {
      const none = await alice('', '', '');
      if (onReference) {
        const ch = await channel(none);
        await ch.checkQueue('p.q');
        await ch.checkExchange('p.direct');
        return;
      }
      // The refusal comes before the lookup: a missing name is refused alike, so nothing can be probed.
      for (const [kind, name] of [['queue', 'p.q'], ['queue', 'p.missing'], ['exchange', 'p.direct'], ['exchange', 'p.missing']] as const) {
        const check = (c: amqp.Channel): Promise<unknown> => (kind === 'queue' ? c.checkQueue(name) : c.checkExchange(name));
        expect(await refused(none, check)).toMatchObject({ code: 403, text: deny('configure', kind, name) });
      }
      const one: readonly (readonly [string, string, string])[] = [['^p\\.', '', ''], ['', '^p\\.', ''], ['', '', '^p\\.']];
      for (const [configure, write, read] of one) {
        const conn = await alice(configure, write, read);
        const ch = await channel(conn);
        await ch.checkQueue('p.q');
        await ch.checkExchange('p.direct');
        expect(await refused(conn, (c) => c.checkQueue('p.missing'))).toMatchObject({ code: 404 });
        expect(await refused(conn, (c) => c.checkExchange('p.missing'))).toMatchObject({ code: 404 });
      }
    },
  );
});

describe('write and read', () => {
  it('queue.bind and queue.unbind need write on the queue and read on the exchange', async () => {
    let conn = await alice('', '^p\\.q$', '.*');
    await (await channel(conn)).bindQueue('p.q', 'p.direct', 'k2');
    await (await channel(conn)).unbindQueue('p.q', 'p.direct', 'k2');
    conn = await alice('', '', '.*');
    expect(await refused(conn, (c) => c.bindQueue('p.q', 'p.direct', 'k3'))).toMatchObject({ code: 403, text: deny('write', 'queue', 'p.q') });
    expect(await refused(conn, (c) => c.unbindQueue('p.q', 'p.direct', 'k'))).toMatchObject({ code: 403, text: deny('write', 'queue', 'p.q') });
    conn = await alice('', '.*', '');
    expect(await refused(conn, (c) => c.bindQueue('p.q', 'p.direct', 'k3'))).toMatchObject({ code: 403, text: deny('read', 'exchange', 'p.direct') });
    expect(await refused(conn, (c) => c.unbindQueue('p.q', 'p.direct', 'k'))).toMatchObject({ code: 403, text: deny('read', 'exchange', 'p.direct') });
  });

  it('exchange.bind and exchange.unbind need write on the destination and read on the source', async () => {
    let conn = await alice('', '^p\\.target$', '^p\\.direct$');
    await (await channel(conn)).bindExchange('p.target', 'p.direct', 'e2e');
    await (await channel(conn)).unbindExchange('p.target', 'p.direct', 'e2e');
    conn = await alice('', '', '.*');
    expect(await refused(conn, (c) => c.bindExchange('p.target', 'p.direct', 'e2e'))).toMatchObject({ code: 403, text: deny('write', 'exchange', 'p.target') });
    conn = await alice('', '.*', '');
    expect(await refused(conn, (c) => c.unbindExchange('p.target', 'p.direct', 'e2e'))).toMatchObject({ code: 403, text: deny('read', 'exchange', 'p.direct') });
  });

  it('basic.publish needs write on the exchange; the default exchange is checked as amq.default', async () => {
    let conn = await alice('', '^p\\.direct$', '');
    const ok = await confirmChannel(conn);
    ok.publish('p.direct', 'nowhere', Buffer.from('x'));
    await ok.waitForConfirms();
    expect(await refused(conn, (c) => (c.publish('p.target', '', Buffer.from('x')), c.checkExchange('p.target')))).toMatchObject({
      code: 403,
      text: deny('write', 'exchange', 'p.target'),
    });
    expect(await refused(conn, (c) => (c.sendToQueue('p.q', Buffer.from('x')), c.checkQueue('p.q')))).toMatchObject({
      code: 403,
      text: deny('write', 'exchange', 'amq.default'),
    });
    // Checked before the exchange is looked up, as RabbitMQ: refused, not 404.
    expect(await refused(conn, (c) => (c.publish('missing', '', Buffer.from('x')), c.checkQueue('p.q')))).toMatchObject({
      code: 403,
      text: deny('write', 'exchange', 'missing'),
    });
    conn = await alice('', '^amq\\.default$', '');
    const viaDefault = await confirmChannel(conn);
    viaDefault.sendToQueue('nobody-here', Buffer.from('x'));
    await viaDefault.waitForConfirms();
  });

  it('basic.get, basic.consume and queue.purge need read on the queue', async () => {
    let conn = await alice('', '', '^p\\.q$');
    const ch = await channel(conn);
    await ch.get('p.q');
    await ch.purgeQueue('p.q');
    const { consumerTag } = await ch.consume('p.q', () => undefined);
    await ch.cancel(consumerTag);
    conn = await alice('', '', '');
    expect(await refused(conn, (c) => c.get('p.q'))).toMatchObject({ code: 403, text: deny('read', 'queue', 'p.q') });
    expect(await refused(conn, (c) => c.consume('p.q', () => undefined))).toMatchObject({ code: 403, text: deny('read', 'queue', 'p.q') });
    expect(await refused(conn, (c) => c.purgeQueue('p.q'))).toMatchObject({ code: 403, text: deny('read', 'queue', 'p.q') });
  });

  it('basic.consume: a reused consumer tag is refused (530, the connection closes) before the read permission is checked', async () => {
    await admin.setPermissions('alice', '/', '', '', '^p\\.q$');
    const refusal = await connectionRefused(admin.url('alice'), async (ch) => {
      await ch.consume('p.q', () => undefined, { consumerTag: 'mine' });
      await ch.consume('p.unreadable', () => undefined, { consumerTag: 'mine' });
    });
    expect(refusal).toMatchObject({ code: 530, text: "NOT_ALLOWED - attempt to reuse consumer tag 'mine'" });
  });

  it('direct reply-to: consuming amq.rabbitmq.reply-to needs no read permission', async () => {
    const conn = await alice('', '', '');
    const ch = await channel(conn);
    await ch.consume('amq.rabbitmq.reply-to', () => undefined, { noAck: true });
  });
});

describe('vhost access', () => {
  it('connection.open to a vhost where the user has no permission entry gets 530 NOT_ALLOWED', async () => {
    await admin.clearPermissions('alice', '/');
    const port = Number(new URL(admin.url('alice')).port);
    const refusal = await RawClient.open(port, { user: 'alice', password: 'alice-pw', vhost: '/' }).then(
      () => undefined,
      (err: unknown) => (err instanceof HandshakeRefused ? err.close : undefined),
    );
    expect(refusal).toMatchObject({ replyCode: 530, replyText: "NOT_ALLOWED - access to vhost '/' refused for user 'alice'", classId: 10, methodId: 40 });
    // Any entry is enough, even one that allows nothing.
    await admin.setPermissions('alice', '/', '', '', '');
    await admin.connect('alice');
  });
});

describe('topic permissions', () => {
  it('basic.publish to a topic exchange checks the routing key against write', async () => {
    await admin.setTopicPermissions('alice', '/', 'p.topic', '^a\\.', '.*');
    const conn = await alice(...FULL);
    const ok = await confirmChannel(conn);
    ok.publish('p.topic', 'a.x', Buffer.from('x'));
    await ok.waitForConfirms();
    expect(await refused(conn, (c) => (c.publish('p.topic', 'b.x', Buffer.from('x')), c.checkQueue('p.q')))).toMatchObject({
      code: 403,
      text: denyTopic('write', 'b.x', 'p.topic'),
    });
    // Other exchanges (no topic permission there) are not restricted.
    const other = await confirmChannel(conn);
    other.publish('amq.topic', 'b.x', Buffer.from('x'));
    await other.waitForConfirms();
  });

  it('binding to a topic exchange checks the binding key against read; {username} and {vhost} are expanded', async () => {
    await admin.setTopicPermissions('alice', '/', 'p.topic', '.*', '^{username}\\.');
    const conn = await alice(...FULL);
    await (await channel(conn)).bindQueue('p.q', 'p.topic', 'alice.#');
    await (await channel(conn)).unbindQueue('p.q', 'p.topic', 'alice.#');
    expect(await refused(conn, (c) => c.bindQueue('p.q', 'p.topic', 'bob.#'))).toMatchObject({ code: 403, text: denyTopic('read', 'bob.#', 'p.topic') });
    await admin.setTopicPermissions('alice', '/', 'p.topic', '^{vhost}$', '.*');
    const conn2 = await alice(...FULL);
    const ok = await confirmChannel(conn2);
    ok.publish('p.topic', '/', Buffer.from('x'));
    await ok.waitForConfirms();
    expect(await refused(conn2, (c) => (c.publish('p.topic', 'alice', Buffer.from('x')), c.checkQueue('p.q')))).toMatchObject({
      code: 403,
      text: denyTopic('write', 'alice', 'p.topic'),
    });
  });
});

describe('validated user-id', () => {
  it("a user_id other than the user's is refused unless the user has the impersonator tag", async () => {
    const conn = await alice(...FULL);
    expect(await refused(conn, (c) => (c.publish('p.direct', 'k', Buffer.from('x'), { userId: 'bob' }), c.checkQueue('p.q')))).toMatchObject({
      code: 406,
      text: "PRECONDITION_FAILED - user_id property set to 'bob' but authenticated user was 'alice'",
    });
    await admin.setPermissions('imp', '/', ...FULL);
    const imp = await admin.connect('imp');
    const ch = await confirmChannel(imp);
    ch.publish('p.direct', 'nowhere', Buffer.from('x'), { userId: 'bob' });
    await ch.waitForConfirms();
  });
});

describe('a permission change on an open channel', () => {
  it(onReference ? 'RabbitMQ keeps its per-channel decision until the channel closes' : 'applies to the next operation (Warren does better than RabbitMQ here)', async () => {
    const conn = await alice(...FULL);
    const ch = await confirmChannel(conn);
    ch.publish('p.direct', 'nowhere', Buffer.from('x'));
    await ch.waitForConfirms();
    await admin.setPermissions('alice', '/', '.*', '', '.*');
    const closed = new Promise<string>((resolve) => ch.on('error', (err: Error) => resolve(err.message)));
    ch.publish('p.direct', 'nowhere', Buffer.from('x'));
    if (onReference) {
      await ch.waitForConfirms();
    } else {
      expect(await closed).toContain(deny('write', 'exchange', 'p.direct'));
    }
  });
});

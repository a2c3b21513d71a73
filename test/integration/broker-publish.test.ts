import amqp from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PublishRequestError, startBroker, type Broker } from '../../src/index.js';
import { silentLogger } from '../../src/util/logger.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-http-publish-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const start = (): Promise<Broker> => startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });

async function withClient<T>(fn: (broker: Broker, ch: amqp.Channel) => Promise<T>): Promise<T> {
  const broker = await start();
  const conn = await amqp.connect(broker.url);
  try {
    return await fn(broker, await conn.createChannel());
  } finally {
    await conn.close();
    await broker.close();
  }
}

/** What broker.publish rejects with, as the HTTP layer would see it. */
async function refusal(p: Promise<unknown>): Promise<{ status: number; error: string | number; reason: string }> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PublishRequestError);
  const e = err as PublishRequestError;
  return { status: e.status, error: e.error, reason: e.reason };
}

describe('broker.publish: the management API publish, for embedders and the HTTP layer', () => {
  it('a message published as JSON arrives at an amqplib consumer with its body, properties and headers intact', async () => {
    await withClient(async (broker, ch) => {
      await ch.assertExchange('orders', 'direct', { durable: false });
      const { queue } = await ch.assertQueue('', { exclusive: true });
      await ch.bindQueue(queue, 'orders', 'new');
      const result = await broker.publish('/', 'orders', {
        routing_key: 'new',
        payload: 'héllo',
        payload_encoding: 'string',
        properties: {
          content_type: 'text/plain',
          content_encoding: 'utf-8',
          headers: { s: 'str', n: 42, big: 2 ** 40, f: 1.5, b: true, nested: { deep: ['x', 1] } },
          delivery_mode: 1,
          priority: 3,
          correlation_id: 'corr-1',
          reply_to: 'replies',
          expiration: '60000',
          message_id: 'm-1',
          timestamp: 1767225600,
          type: 'order.created',
          user_id: 'guest',
          app_id: 'shop',
        },
      });
      expect(result).toEqual({ routed: true });
      const m = await ch.get(queue, { noAck: true });
      expect(m).not.toBe(false);
      if (m === false) return;
      expect(m.content.toString('utf8')).toBe('héllo');
      expect(m.fields).toMatchObject({ exchange: 'orders', routingKey: 'new', redelivered: false });
      expect(m.properties).toMatchObject({
        contentType: 'text/plain',
        contentEncoding: 'utf-8',
        deliveryMode: 1,
        priority: 3,
        correlationId: 'corr-1',
        replyTo: 'replies',
        expiration: '60000',
        messageId: 'm-1',
        timestamp: 1767225600,
        type: 'order.created',
        userId: 'guest',
        appId: 'shop',
      });
      expect(m.properties.headers).toEqual({ s: 'str', n: 42, big: 2 ** 40, f: 1.5, b: true, nested: { deep: ['x', 1] } });
    });
  });

  it('base64 payloads arrive byte for byte; the default exchange is amq.default; an unroutable key is routed: false', async () => {
    await withClient(async (broker, ch) => {
      const { queue } = await ch.assertQueue('', { exclusive: true });
      const bytes = Buffer.from([0, 255, 1, 254, 10, 13]);
      const sent = await broker.publish('/', 'amq.default', { routing_key: queue, payload: bytes.toString('base64'), payload_encoding: 'base64', properties: {} });
      expect(sent).toEqual({ routed: true });
      const m = await ch.get(queue, { noAck: true });
      expect(m !== false && m.content.equals(bytes)).toBe(true);
      expect(await broker.publish('/', 'amq.direct', { routing_key: 'nobody', payload: 'x', payload_encoding: 'string', properties: {} })).toEqual({ routed: false });
      expect(broker.stats.exchange('/', 'amq.direct')).toMatchObject({ return_unroutable: 1 });
    });
  });

  it('refuses what RabbitMQ refuses, with its reasons: the HTTP layer maps them to 400 and 404', async () => {
    await withClient(async (broker, ch) => {
      await ch.assertQueue('limited', { exclusive: true, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
      const body = (extra: Record<string, unknown>): Record<string, unknown> => ({ routing_key: 'k', payload: 'p', payload_encoding: 'string', properties: {}, ...extra });
      const cases: [unknown, { status: number; error: string | number; reason: string }][] = [
        [{ routing_key: 'k', payload: 'p' }, { status: 400, error: 'bad_request', reason: '[{key_missing,properties},{key_missing,payload_encoding}]' }],
        [body({ payload: 5 }), { status: 400, error: 'bad_request', reason: 'payload_not_string' }],
        [body({ payload_encoding: 'hex' }), { status: 400, error: 'bad_request', reason: '{unsupported_encoding,"hex"}' }],
        [body({ payload: 'not base64!', payload_encoding: 'base64' }), { status: 400, error: 'bad_request', reason: '{not_base64,"not base64!"}' }],
        [body({ properties: { delivery_mode: '2' } }), { status: 400, error: 'bad_request', reason: '{not_int,delivery_mode}' }],
        [body({ properties: { content_type: 1 } }), { status: 400, error: 'bad_request', reason: '{not_string,content_type}' }],
        [body({ properties: { expiration: 1000 } }), { status: 400, error: 'bad_request', reason: '{not_string,expiration}' }],
        [body({ properties: { headers: { a: null } } }), { status: 400, error: 'bad_request', reason: '{invalid_value,null}' }],
        [body({ properties: { expiration: '-1' } }), { status: 400, error: 406, reason: "PRECONDITION_FAILED - invalid expiration '-1': {value_negative,-1}" }],
        [body({ properties: { expiration: 'soon' } }), { status: 400, error: 406, reason: "PRECONDITION_FAILED - invalid expiration 'soon': no_integer" }],
      ];
      for (const [request, expected] of cases) expect(await refusal(broker.publish('/', 'amq.direct', request)), JSON.stringify(request)).toEqual(expected);
      expect(await refusal(broker.publish('/', 'no-such-exchange', body({})))).toEqual({ status: 404, error: 'Object Not Found', reason: 'Not Found' });
      expect(await refusal(broker.publish('no-such-vhost', 'amq.direct', body({})))).toMatchObject({ status: 404 });
      expect(await refusal(broker.publish('/', 'amq.default', body({ routing_key: 'limited' })))).toEqual({
        status: 400,
        error: 'rejected',
        reason: 'Unable to publish message. Check queue limits.',
      });
      expect(await refusal(broker.publish('/', 'amq.direct', body({ properties: { user_id: 'mallory' } }), { user: 'guest' }))).toMatchObject({
        error: 406,
        reason: "PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was 'guest'",
      });
    });
  });

  it('delivery_mode 2 to a durable queue survives a restart; delivery_mode 1 does not', async () => {
    let broker = await start();
    let conn = await amqp.connect(broker.url);
    let ch = await conn.createChannel();
    await ch.assertQueue('kept', { durable: true });
    await conn.close();
    const publish = (payload: string, mode: number): Promise<unknown> =>
      broker.publish('/', 'amq.default', { routing_key: 'kept', payload, payload_encoding: 'string', properties: { delivery_mode: mode, headers: { h: 'v' } } });
    expect(await publish('persistent', 2)).toEqual({ routed: true });
    expect(await publish('transient', 1)).toEqual({ routed: true });
    await broker.close();
    broker = await start();
    try {
      conn = await amqp.connect(broker.url);
      ch = await conn.createChannel();
      const m = await ch.get('kept', { noAck: true });
      expect(m !== false && m.content.toString()).toBe('persistent');
      expect(m !== false && m.properties).toMatchObject({ deliveryMode: 2, headers: { h: 'v' } });
      expect(await ch.get('kept', { noAck: true })).toBe(false);
      await conn.close();
    } finally {
      await broker.close();
    }
  });
});

describe('broker.publish as a user (the HTTP caller): permissions as RabbitMQ management API checks them', () => {
  const FULL = { configure: '.*', write: '.*', read: '.*' };
  const asUsers = (): Promise<Broker> =>
    startBroker({
      port: 0,
      bind: ['127.0.0.1'],
      dataDir,
      logger: silentLogger(),
      users: [
        { name: 'guest', password: 'guest' },
        { name: 'bob', password: 'pw' },
        { name: 'carol', password: 'pw' },
        { name: 'imp', password: 'pw', tags: ['impersonator'] },
      ],
      permissions: [
        { user: 'guest', vhost: '/', ...FULL },
        { user: 'bob', vhost: '/', configure: '', write: '^amq\\.topic$', read: '.*' },
        { user: 'imp', vhost: '/', ...FULL },
      ],
      topicPermissions: [{ user: 'bob', vhost: '/', exchange: 'amq.topic', write: '^a\\.', read: '.*' }],
    });
  const body = (routingKey: string, properties: Record<string, unknown> = {}): Record<string, unknown> => ({
    routing_key: routingKey,
    payload: 'x',
    payload_encoding: 'string',
    properties,
  });
  // RabbitMQ 3.10's management API answers these as 400 {"error":"bad_request","reason":"403 ACCESS_REFUSED - ..."}
  // (the channel's close code and text); 4.x's texts name the permission.
  const denied = (reason: string): { status: number; error: number; reason: string } => ({ status: 400, error: 403, reason: `ACCESS_REFUSED - ${reason}` });

  it('checks write on the exchange, the topic permission on the routing key, and vhost access; user_id unless impersonator', async () => {
    const broker = await asUsers();
    try {
      expect(await broker.publish('/', 'amq.topic', body('a.x'), { user: 'bob' })).toEqual({ routed: false });
      expect(await refusal(broker.publish('/', 'amq.topic', body('b.x'), { user: 'bob' }))).toEqual(
        denied("write access to topic 'b.x' in exchange 'amq.topic' in vhost '/' refused for user 'bob'"),
      );
      expect(await refusal(broker.publish('/', 'amq.direct', body('a.x'), { user: 'bob' }))).toEqual(
        denied("write access to exchange 'amq.direct' in vhost '/' refused for user 'bob'"),
      );
      expect(await refusal(broker.publish('/', 'amq.default', body('q'), { user: 'bob' }))).toEqual(
        denied("write access to exchange 'amq.default' in vhost '/' refused for user 'bob'"),
      );
      // No permission entry in the vhost: rabbit_mgmt_util's 401, before the exchange is looked up.
      for (const exchange of ['amq.direct', 'no-such-exchange']) {
        expect(await refusal(broker.publish('/', exchange, body('k'), { user: 'carol' }))).toEqual({
          status: 401,
          error: 'not_authorised',
          reason: 'User not authorised to access virtual host',
        });
      }
      // A missing exchange is still 404 for a user who may use the vhost (resource_exists comes first).
      expect(await refusal(broker.publish('/', 'no-such-exchange', body('k'), { user: 'bob' }))).toMatchObject({ status: 404 });
      // Without a user (the embedder itself) nothing is checked.
      expect(await broker.publish('/', 'amq.direct', body('k'))).toEqual({ routed: false });
      // Validated user-id: the impersonator tag allows another user_id, as over AMQP.
      expect(await broker.publish('/', 'amq.direct', body('k', { user_id: 'someone' }), { user: 'imp' })).toEqual({ routed: false });
      expect(await refusal(broker.publish('/', 'amq.topic', body('a.x', { user_id: 'someone' }), { user: 'bob' }))).toMatchObject({ error: 406 });
      // A permission change applies to the next publish.
      await broker.permissions.set({ user: 'bob', vhost: '/', configure: '', write: '.*', read: '' });
      expect(await broker.publish('/', 'amq.direct', body('k'), { user: 'bob' })).toEqual({ routed: false });
    } finally {
      await broker.close();
    }
  });
});

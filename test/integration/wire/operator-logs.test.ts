import { connect } from 'node:net';
import { Writable } from 'node:stream';
import amqp from 'amqplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { createLogger } from '../../../src/util/logger.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { HandshakeRefused, RawClient } from '../../helpers/raw-client.js';

/**
 * What an operator reads in the log: one line per refused login saying why (never told to the
 * client), per refused vhost, per channel or connection error the broker raises (code, text and
 * method), per socket that spoke something other than AMQP, and per connection that never finished
 * its handshake. Every line names the connection: peer, connection_name, user and vhost.
 */

type Line = Record<string, unknown>;
const lines: Line[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const text of chunk.toString('utf8').split('\n')) if (text !== '') lines.push(JSON.parse(text) as Line);
    done();
  },
});

let broker: Broker;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ logger: createLogger('info', sink) }));
});

afterAll(async () => {
  await close();
});

beforeEach(() => {
  lines.length = 0;
});

const url = (user: string, password: string, vhost = '') => `amqp://${user}:${password}@127.0.0.1:${broker.port}/${encodeURIComponent(vhost)}`;

async function lineWith(event: string, extra: (l: Line) => boolean = () => true): Promise<Line> {
  await eventually(() => lines.some((l) => l['event'] === event && extra(l)), 5000, `no log line ${event}: ${JSON.stringify(lines)}`);
  return lines.find((l) => l['event'] === event && extra(l)) as Line;
}

function eventsNamed(event: string): Line[] {
  return lines.filter((l) => l['event'] === event);
}

async function refusal(user: string, password: string): Promise<string> {
  const err = await amqp.connect(url(user, password), { clientProperties: { connection_name: 'billing-worker' } }).then(
    () => {
      throw new Error('login succeeded');
    },
    (e: unknown) => e as Error,
  );
  return err.message;
}

describe('failed logins', () => {
  it('an unknown user and a wrong password look the same to the client but not in the log', async () => {
    const unknown = await refusal('nobody', 'x');
    const wrong = await refusal('guest', 'wrong');
    expect(unknown).toContain('ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN');
    expect(wrong).toContain('ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN');
    const a = await lineWith('connection.login-refused', (l) => l['user'] === 'nobody');
    const b = await lineWith('connection.login-refused', (l) => l['user'] === 'guest');
    expect(a).toMatchObject({ why: 'unknown-user', level: 40, connectionName: 'billing-worker', mechanism: 'PLAIN' });
    expect(a['msg']).toContain('no such user');
    expect(b).toMatchObject({ why: 'wrong-password', connectionName: 'billing-worker' });
    expect(b['msg']).toContain('wrong password');
    expect(String(a['connection'])).toMatch(/^127\.0\.0\.1:\d+$/);
    // The password is never logged.
    expect(JSON.stringify(lines)).not.toContain('"wrong"');
    // One line per refusal: the close that follows does not repeat it.
    await new Promise((r) => setTimeout(r, 100));
    expect(eventsNamed('connection.login-refused')).toHaveLength(2);
    expect(eventsNamed('connection.error')).toHaveLength(0);
    expect(eventsNamed('connection.closed-in-handshake')).toHaveLength(0);
  });

  it('an unsupported SASL mechanism says so', async () => {
    const c = await RawClient.connect(broker.port);
    await expect(c.handshake({ mechanism: 'EXTERNAL' })).rejects.toBeInstanceOf(HandshakeRefused);
    c.destroy();
    expect(await lineWith('connection.login-refused')).toMatchObject({ why: 'unsupported-mechanism', mechanism: 'EXTERNAL' });
  });
});

describe('vhost refusals', () => {
  it('names the user and the vhost asked for', async () => {
    const err = await RawClient.open(broker.port, { vhost: 'no-such-vhost' }).then(
      () => undefined,
      (e: unknown) => e as HandshakeRefused,
    );
    expect(err?.close).toMatchObject({ replyCode: 530, replyText: 'NOT_ALLOWED - vhost no-such-vhost not found', classId: 10, methodId: 40 });
    expect(await lineWith('connection.vhost-refused')).toMatchObject({ user: 'guest', vhost: 'no-such-vhost', level: 40 });
    await new Promise((r) => setTimeout(r, 100));
    expect(eventsNamed('connection.error')).toHaveLength(0);
  });
});

describe('errors the broker raises', () => {
  it('a channel error: code, reply text, class and method, and the connection it happened on', async () => {
    const conn = await amqp.connect(url('guest', 'guest'), { clientProperties: { connection_name: 'orders-api' } });
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    await expect(ch.checkQueue('missing-queue')).rejects.toThrow(/404/);
    const line = await lineWith('channel.error');
    expect(line).toMatchObject({
      level: 30,
      code: 'WARREN_NOT_FOUND',
      replyCode: 404,
      replyText: "NOT_FOUND - no queue 'missing-queue' in vhost '/'",
      classId: 50,
      methodId: 10,
      method: 'queue.declare',
      channel: 1,
      connectionName: 'orders-api',
      user: 'guest',
      vhost: '/',
    });
    await conn.close();
  });

  it('a connection error: code, text and method', async () => {
    const c = await RawClient.open(broker.port);
    // A method on a channel that was never opened: 504 CHANNEL_ERROR.
    c.sendMethod(7, { name: 'basic.qos', prefetchSize: 0, prefetchCount: 1, global: false });
    const close = await c.waitMethod('connection.close', 0);
    expect(close.replyCode).toBe(504);
    const line = await lineWith('connection.error');
    expect(line).toMatchObject({ level: 40, code: 'WARREN_CHANNEL_ERROR', replyCode: 504, method: 'basic.qos', user: 'guest', vhost: '/' });
    c.destroy();
  });
});

describe('sockets that are not AMQP clients', () => {
  async function send(bytes: Buffer): Promise<void> {
    await new Promise<void>((resolve) => {
      const s = connect(broker.port, '127.0.0.1', () => s.write(bytes));
      s.on('data', () => {});
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
  }

  it('an HTTP request on the AMQP port', async () => {
    await send(Buffer.from('GET /api/overview HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    const line = await lineWith('connection.not-amqp');
    expect(line).toMatchObject({ looksLike: 'an HTTP request', level: 40 });
    expect(line['firstBytes']).toBe(Buffer.from('GET /api/overview').subarray(0, 16).toString('hex'));
  });

  it('TLS spoken to the plain port', async () => {
    // The first bytes of a TLS ClientHello record.
    await send(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
    expect((await lineWith('connection.not-amqp'))['looksLike']).toMatch(/^a TLS handshake/);
  });

  it('a connection that goes away before finishing its handshake', async () => {
    const c = await RawClient.connect(broker.port);
    c.socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
    await c.waitMethod('connection.start', 0);
    c.destroy();
    const line = await lineWith('connection.closed-in-handshake');
    expect(line).toMatchObject({ stage: 'connection.start-ok', reason: 'client closed the socket', level: 30 });
  });
});

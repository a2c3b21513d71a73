import { AMQPClient } from '@cloudamqp/amqp-client';
import amqp from 'amqplib';
import { Connection as RabbitConnection } from 'rabbitmq-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { HandshakeRefused, RawClient } from '../../helpers/raw-client.js';

/**
 * Logins and refusals, with RabbitMQ 3.10's codes and texts: a wrong password or unknown user is
 * connection.close 403 ACCESS_REFUSED for clients that advertise authentication_failure_close (all three
 * stock clients do) and a bare socket close for others; an unknown vhost is 530 NOT_ALLOWED.
 */

const LOGIN_REFUSED = 'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.';

let broker: Broker;
let close: () => Promise<void>;
let url: (user: string, password: string, vhost?: string) => string;

beforeAll(async () => {
  ({ broker, close } = await openBroker());
  url = (user, password, vhost) => `amqp://${user}:${password}@127.0.0.1:${broker.port}${vhost === undefined ? '' : `/${encodeURIComponent(vhost)}`}`;
});

afterAll(async () => {
  await close();
});

async function refusedBy(options: Parameters<RawClient['handshake']>[0]): Promise<HandshakeRefused> {
  const c = await RawClient.connect(broker.port);
  try {
    await c.handshake(options);
  } catch (err) {
    if (!(err instanceof HandshakeRefused)) throw err;
    await c.waitSocketClose();
    return err;
  } finally {
    c.destroy();
  }
  throw new Error('the handshake succeeded');
}

async function rabbitmqClientError(target: string): Promise<Error & { code?: string }> {
  // Reconnects would repeat the error; the first one is what we want.
  const rabbit = new RabbitConnection({ url: target, retryLow: 60_000, retryHigh: 60_000 });
  try {
    return await new Promise((resolve) => rabbit.once('error', resolve));
  } finally {
    await rabbit.close();
  }
}

describe('a wrong password', () => {
  it('is connection.close 403 ACCESS_REFUSED with RabbitMQ\'s text (raw client)', async () => {
    const refused = await refusedBy({ user: 'guest', password: 'wrong' });
    expect(refused.close).toEqual({ name: 'connection.close', replyCode: 403, replyText: LOGIN_REFUSED, classId: 0, methodId: 0 });
  });

  it('is the same for an unknown user', async () => {
    const refused = await refusedBy({ user: 'nobody', password: 'guest' });
    expect(refused.close?.replyCode).toBe(403);
    expect(refused.close?.replyText).toBe(LOGIN_REFUSED);
  });

  it('is a bare socket close for a client without authentication_failure_close, as in RabbitMQ', async () => {
    const c = await RawClient.connect(broker.port);
    await expect(c.handshake({ password: 'wrong', capabilities: {} })).rejects.toThrow(HandshakeRefused);
    await c.waitSocketClose();
    expect(c.count('connection.close')).toBe(0);
  });

  it('surfaces as 403 ACCESS_REFUSED in amqplib, @cloudamqp/amqp-client and rabbitmq-client', async () => {
    const target = url('guest', 'wrong');
    await expect(amqp.connect(target)).rejects.toThrow(`Handshake terminated by server: 403 (ACCESS-REFUSED) with message "${LOGIN_REFUSED}"`);
    await expect(new AMQPClient(target).connect()).rejects.toThrow(`connection closed: ${LOGIN_REFUSED} (403)`);
    const err = await rabbitmqClientError(target);
    expect(err.code).toBe('ACCESS_REFUSED');
    expect(err.message).toContain(LOGIN_REFUSED);
  });
});

describe('an unknown vhost', () => {
  it('is connection.close 530 NOT_ALLOWED naming connection.open (raw client)', async () => {
    const refused = await refusedBy({ vhost: 'no-such-vhost' });
    expect(refused.close).toEqual({
      name: 'connection.close',
      replyCode: 530,
      replyText: 'NOT_ALLOWED - vhost no-such-vhost not found',
      classId: 10,
      methodId: 40,
    });
  });

  it('surfaces as 530 NOT_ALLOWED in the stock clients', async () => {
    const target = url('guest', 'guest', 'no-such-vhost');
    // amqplib reports only that the close came instead of open-ok.
    await expect(amqp.connect(target)).rejects.toThrow('Expected ConnectionOpenOk; got <ConnectionClose channel:0>');
    await expect(new AMQPClient(target).connect()).rejects.toThrow('connection closed: NOT_ALLOWED - vhost no-such-vhost not found (530)');
    const err = await rabbitmqClientError(target);
    expect(err.code).toBe('NOT_ALLOWED');
    expect(err.message).toContain('NOT_ALLOWED - vhost no-such-vhost not found');
  });
});

describe('SASL mechanisms', () => {
  it('AMQPLAIN logs in (raw client) and the connection works', async () => {
    const c = await RawClient.open(broker.port, { mechanism: 'AMQPLAIN' });
    await c.openChannel(1);
    c.sendMethod(1, { name: 'queue.declare', ticket: 0, queue: '', passive: false, durable: false, exclusive: true, autoDelete: true, nowait: false, arguments: {} });
    expect((await c.waitMethod('queue.declare-ok', 1)).queue).toMatch(/^amq\.gen-/);
    await c.close();
  });

  it('AMQPLAIN with a wrong password is refused naming the mechanism', async () => {
    const refused = await refusedBy({ mechanism: 'AMQPLAIN', password: 'wrong' });
    expect(refused.close?.replyCode).toBe(403);
    expect(refused.close?.replyText).toBe(
      'ACCESS_REFUSED - Login was refused using authentication mechanism AMQPLAIN. For details see the broker logfile.',
    );
  });

  it('amqplib logs in with AMQPLAIN credentials', async () => {
    const conn = await amqp.connect(url('guest', 'guest'), { credentials: amqp.credentials.amqplain('guest', 'guest') });
    const ch = await conn.createChannel();
    expect((await ch.assertQueue('', { exclusive: true })).queue).toMatch(/^amq\.gen-/);
    await conn.close();
  });

  it("an unsupported mechanism is refused with RabbitMQ's 503 and text, told even to a client without authentication_failure_close", async () => {
    // RabbitMQ (3.10 and 4.x rabbit_reader) logs this code and text, then drops the socket 3 s
    // later without a frame; Warren sends them in connection.close.
    for (const capabilities of [undefined, {}]) {
      for (const mechanism of ['EXTERNAL', 'SCRAM-SHA-256']) {
        const refused = await refusedBy({ mechanism, ...(capabilities === undefined ? {} : { capabilities }) });
        expect(refused.close).toMatchObject({ replyCode: 503, replyText: `COMMAND_INVALID - unknown authentication mechanism '${mechanism}'` });
      }
    }
  });

  it('the server offers PLAIN and AMQPLAIN in connection.start', async () => {
    const c = await RawClient.connect(broker.port);
    c.sendProtocolHeader();
    const start = await c.waitMethod('connection.start', 0);
    expect(start.mechanisms.toString().split(' ').sort()).toEqual(['AMQPLAIN', 'PLAIN']);
    expect(start.serverProperties['capabilities']?.type).toBe('table');
    c.destroy();
  });
});

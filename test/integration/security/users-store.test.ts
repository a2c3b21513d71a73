import amqp from 'amqplib';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restartableBroker } from '../../helpers/restartable-broker.js';
import { type Broker } from '../../../src/index.js';
import { HandshakeRefused, RawClient } from '../../helpers/raw-client.js';

/** connection.open's answer: 'open', or the refusal's code and text (raw client: amqplib hides the text there). */
async function openRaw(b: Broker, user: string, password: string, vhost = '/'): Promise<string> {
  try {
    const raw = await RawClient.open(b.port, { user, password, vhost });
    await raw.close();
    return 'open';
  } catch (err) {
    if (err instanceof HandshakeRefused && err.close !== undefined) return `${err.close.replyCode} ${err.close.replyText}`;
    throw err;
  }
}

const { restart, dataDir } = restartableBroker('warren-users-', { loginFailureDelay: 0 });

const url = (b: Broker, user: string, password: string, vhost = ''): string =>
  `amqp://${user}:${password}@127.0.0.1:${b.port}${vhost === '' ? '' : `/${encodeURIComponent(vhost)}`}`;

/** 'open', or the refusal's code and text. */
async function login(u: string): Promise<string> {
  try {
    const conn = await amqp.connect(u);
    await conn.close();
    return 'open';
  } catch (err) {
    const e = err as { code?: number; message: string };
    return `${e.code ?? ''} ${e.message}`;
  }
}

describe('users store', () => {
  it('seeds the configured users once; later starts keep the stored users and the definitions log holds no password', async () => {
    let b = await restart({ users: [{ name: 'app', password: 'first-pw' }] });
    expect(await login(url(b, 'app', 'first-pw'))).toBe('open');
    b = await restart({ users: [{ name: 'app', password: 'second-pw' }, { name: 'other', password: 'x-pw' }] });
    expect(await login(url(b, 'app', 'first-pw'))).toBe('open');
    expect(await login(url(b, 'app', 'second-pw'))).toMatch(/403 .*ACCESS_REFUSED/);
    expect(b.users.get('other')).toBeUndefined();
    expect(readFileSync(join(dataDir(), 'definitions.log')).toString('latin1')).not.toMatch(/first-pw|second-pw/);
  });

  it('a user put at runtime with a RabbitMQ sha256 hash logs in and survives a restart; deleting it refuses it', async () => {
    const salt = Buffer.from([1, 2, 3, 4]);
    const hash = Buffer.concat([salt, createHash('sha256').update(salt).update('s3cret').digest()]).toString('base64');
    let b = await restart();
    const snapshot = await b.users.put({ name: 'svc', passwordHash: hash, tags: ['monitoring', 'custom-tag'] });
    // A new user may use no vhost until given permissions, as in RabbitMQ.
    await b.permissions.set({ user: 'svc', vhost: '/', configure: '.*', write: '.*', read: '.*' });
    expect(snapshot).toEqual({ name: 'svc', tags: ['monitoring', 'custom-tag'], passwordless: false, hashingAlgorithm: 'rabbit_password_hashing_sha256', loopbackOnly: false, limits: {} });
    expect(JSON.stringify(b.users.list())).not.toContain(hash);
    b = await restart();
    expect(await login(url(b, 'svc', 's3cret'))).toBe('open');
    expect(await b.users.delete('svc')).toBe(true);
    expect(await login(url(b, 'svc', 's3cret'))).toMatch(/403 .*Login was refused using authentication mechanism PLAIN/);
  });

  it('a passwordless user never logs in with a password', async () => {
    const b = await restart();
    await b.users.put({ name: 'nopw', passwordHash: '' });
    expect(await login(url(b, 'nopw', 'anything'))).toMatch(/403 .*ACCESS_REFUSED/);
  });
});

describe('limits', () => {
  // The vhost and user limits against RabbitMQ too: limits.test.ts. Here: user limits given in the configuration.
  it('user max-connections and max-channels from the configured users', async () => {
    const b = await restart({ users: [{ name: 'lim', password: 'pw', limits: { maxConnections: 1, maxChannels: 1 } }] });
    const first = await amqp.connect(url(b, 'lim', 'pw'));
    first.on('error', () => undefined);
    expect(await openRaw(b, 'lim', 'pw')).toBe("530 NOT_ALLOWED - connection refused for user 'lim': user connection limit (1) is reached");
    await first.createChannel();
    const closed = new Promise<Error>((resolve) => first.on('error', resolve));
    await expect(first.createChannel()).rejects.toThrow();
    expect((await closed).message).toContain("number of channels opened for user 'lim' has reached the maximum allowed user limit of 1");
  });
});

describe('connection.update-secret', () => {
  it('is answered with update-secret-ok and the connection stays open (amqplib updateSecret)', async () => {
    const b = await restart();
    const conn = await amqp.connect(b.url);
    await (conn as unknown as { updateSecret(secret: Buffer, reason: string): Promise<void> }).updateSecret(Buffer.from('new'), 'rotation');
    const ch = await conn.createChannel();
    await ch.assertQueue('', { exclusive: true });
    await conn.close();
  });
});

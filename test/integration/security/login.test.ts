import amqp from 'amqplib';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { restartableBroker } from '../../helpers/restartable-broker.js';
import { type Broker } from '../../../src/index.js';
import { HandshakeRefused, RawClient } from '../../helpers/raw-client.js';

/** Login robustness: RabbitMQ's other hash algorithms, the SASL size bound and the per-address throttle. */
const { restart: start } = restartableBroker('warren-login-', { loginFailureDelay: 0 });

const url = (b: Broker, user: string, password: string): string => `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${b.port}`;

async function login(u: string, credentials?: { user: string; password: string }): Promise<string> {
  try {
    // amqplib's URL parsing mangles non-ASCII passwords; its PLAIN credentials send UTF-8.
    const conn = await amqp.connect(u, credentials === undefined ? {} : { credentials: amqp.credentials.plain(credentials.user, credentials.password) });
    await conn.close();
    return 'open';
  } catch (err) {
    const e = err as { code?: number; message: string };
    return `${e.code ?? ''} ${e.message}`;
  }
}

/** RabbitMQ's stored form: base64(4-byte salt ‖ H(salt ‖ UTF-8 password)). */
function rabbitHash(algorithm: 'sha512' | 'md5', password: string): string {
  const salt = Buffer.from([9, 8, 7, 6]);
  return Buffer.concat([salt, createHash(algorithm).update(salt).update(password, 'utf8').digest()]).toString('base64');
}

describe('login', () => {
  for (const [algorithm, name] of [
    ['sha512', 'rabbit_password_hashing_sha512'],
    ['md5', 'rabbit_password_hashing_md5'],
  ] as const) {
    it(`checks a ${name} hash imported as given`, async () => {
      const b = await start();
      await b.users.put({ name: 'imported', passwordHash: rabbitHash(algorithm, 'pässwörd'), hashingAlgorithm: name });
      await b.permissions.set({ user: 'imported', vhost: '/', configure: '.*', write: '.*', read: '.*' });
      const bare = `amqp://127.0.0.1:${b.port}`;
      expect(await login(bare, { user: 'imported', password: 'pässwörd' })).toBe('open');
      expect(await login(bare, { user: 'imported', password: 'passwörd' })).toMatch(/403 .*Login was refused using authentication mechanism PLAIN/);
    });
  }

  it('refuses a SASL response over 4096 bytes, even with the right password', async () => {
    const b = await start();
    const long = 'p'.repeat(5000);
    await b.users.put({ name: 'long', password: long });
    await b.permissions.set({ user: 'long', vhost: '/', configure: '.*', write: '.*', read: '.*' });
    await b.users.put({ name: 'fits', password: 'p'.repeat(4000) });
    await b.permissions.set({ user: 'fits', vhost: '/', configure: '.*', write: '.*', read: '.*' });
    expect(await login(url(b, 'fits', 'p'.repeat(4000)))).toBe('open');
    expect(await login(url(b, 'long', long))).toMatch(/403 .*Login was refused using authentication mechanism PLAIN/);
  });

  it('delays refusals to an address after 3 failures; a right password from it still logs in at once', async () => {
    const b = await start({ loginFailureDelay: 1000, users: [{ name: 'guest', password: 'guest' }] });
    const timed = async (u: string): Promise<{ result: string; ms: number }> => {
      const t0 = performance.now();
      const result = await login(u);
      return { result, ms: performance.now() - t0 };
    };
    for (let i = 0; i < 3; i++) expect((await timed(url(b, "guest", "wrong"))).ms).toBeLessThan(240);
    const fourth = await timed(url(b, 'guest', 'wrong'));
    expect(fourth.result).toMatch(/403 .*ACCESS_REFUSED/);
    expect(fourth.ms).toBeGreaterThanOrEqual(240);
    const fifth = await timed(url(b, 'guest', 'wrong'));
    expect(fifth.ms).toBeGreaterThanOrEqual(490); // doubling
    const good = await timed(url(b, 'guest', 'guest'));
    expect(good.result).toBe('open');
    expect(good.ms).toBeLessThan(240);
  });
});

describe('vhostSettings', () => {
  it('seed vhost metadata and limits at the first start only; a later start keeps what the API set', async () => {
    let b = await start({
      vhosts: ['/', 'tenant'],
      vhostSettings: [{ name: 'tenant', description: 'for tenants', tags: ['t1'], limits: { maxConnections: 1 } }],
    });
    expect(b.vhostMetadata('tenant')).toMatchObject({ description: 'for tenants', tags: ['t1'], limits: { maxConnections: 1 } });
    const first = await amqp.connect(`amqp://guest:guest@127.0.0.1:${b.port}/tenant`);
    // A raw client: amqplib hides connection.open's refusal text.
    const refusal = await RawClient.open(b.port, { user: 'guest', password: 'guest', vhost: 'tenant' }).then(
      () => 'open',
      (err: unknown) => (err instanceof HandshakeRefused && err.close !== undefined ? `${err.close.replyCode} ${err.close.replyText}` : String(err)),
    );
    expect(refusal).toBe("530 NOT_ALLOWED - access to vhost 'tenant' refused for user 'guest': connection limit (1) is reached");
    await first.close();
    await b.updateVhost('tenant', { description: 'changed', limits: { maxConnections: -1 } });
    await b.close();
    b = await start({ vhosts: ['/', 'tenant'], vhostSettings: [{ name: 'tenant', description: 'for tenants', limits: { maxConnections: 1 } }] });
    expect(b.vhostMetadata('tenant')).toMatchObject({ description: 'changed', limits: {} });
  });

  it('refuses settings for a vhost that is not configured, before anything starts', async () => {
    await expect(start({ vhostSettings: [{ name: 'nope' }] })).rejects.toThrow(/vhostSettings: vhost 'nope' is not one of vhosts/);
    await expect(start({ vhosts: ['/', 'v'], vhostSettings: [{ name: 'v', defaultQueueType: 'stream' }] })).rejects.toThrow(/vhostSettings/);
  });
});

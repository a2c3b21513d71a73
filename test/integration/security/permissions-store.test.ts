import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/index.js';
import { restartableBroker } from '../../helpers/restartable-broker.js';

const { restart } = restartableBroker('warren-perms-', {});
const users = [
  { name: 'guest', password: 'guest' },
  { name: 'app', password: 'pw' },
];

describe('permissions in the definitions log', () => {
  it('seed a new data directory with full permissions for every configured user on every vhost, once', async () => {
    let b = await restart({ users, vhosts: ['/', 'v2'] });
    const full = { configure: '.*', write: '.*', read: '.*' };
    expect(b.permissions.list().map((p) => ({ ...p }))).toEqual([
      { user: 'guest', vhost: '/', ...full },
      { user: 'guest', vhost: 'v2', ...full },
      { user: 'app', vhost: '/', ...full },
      { user: 'app', vhost: 'v2', ...full },
    ]);
    expect(await b.permissions.clear('app', 'v2')).toBe(true);
    await b.permissions.set({ user: 'app', vhost: '/', configure: '^app\\.', write: '', read: '.*' });
    await b.topicPermissions.set({ user: 'app', vhost: '/', exchange: 'amq.topic', write: '^{username}\\.', read: '.*' });
    b = await restart({ users, vhosts: ['/', 'v2'] });
    // Not seeded again: what was cleared stays cleared, what was changed stays changed.
    expect(b.permissions.list({ user: 'app' }).map((p) => ({ ...p }))).toEqual([{ user: 'app', vhost: '/', configure: '^app\\.', write: '', read: '.*' }]);
    expect(b.topicPermissions.list().map((p) => ({ ...p }))).toEqual([
      { user: 'app', vhost: '/', exchange: 'amq.topic', write: '^{username}\\.', read: '.*' },
    ]);
  });

  it('the permissions option replaces the default seeding', async () => {
    const b = await restart({ users, permissions: [{ user: 'app', vhost: '/', configure: '', write: '.*', read: '.*' }] });
    expect(b.permissions.list().map((p) => `${p.user}@${p.vhost}`)).toEqual(['app@/']);
  });

  it('the topicPermissions option seeds topic permissions at the first start only, and they apply', async () => {
    const seeded = { user: 'app', vhost: '/', exchange: 'amq.topic', write: '^{username}\\.', read: '^in\\.' };
    let b = await restart({ users, topicPermissions: [seeded] });
    expect(b.topicPermissions.list().map((p) => ({ ...p }))).toEqual([seeded]);
    const conn = await amqp.connect(b.url.replace('guest:guest', 'app:pw'));
    conn.on('error', () => undefined);
    const ch = await conn.createConfirmChannel();
    ch.publish('amq.topic', 'app.orders', Buffer.from('x')); // {username} expanded: allowed
    await ch.waitForConfirms();
    const closed = new Promise<string>((resolve) => ch.on('error', (err: Error) => resolve(err.message)));
    ch.publish('amq.topic', 'bob.orders', Buffer.from('x'));
    expect(await closed).toContain("ACCESS_REFUSED - write access to topic 'bob.orders' in exchange 'amq.topic' in vhost '/' refused for user 'app'");
    await conn.close().catch(() => undefined);
    expect(await b.topicPermissions.clear('app', '/')).toBe(1);
    b = await restart({ users, topicPermissions: [seeded] });
    expect(b.topicPermissions.list()).toEqual([]); // not seeded again
  });

  it('refuses a permissions or topicPermissions entry for a user that is not configured, before start, naming the user and the fix', async () => {
    const refusal = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (err: unknown) => err);
    const err = await refusal(restart({ users, permissions: [{ user: 'bob', vhost: '/', configure: '.*', write: '.*', read: '.*' }] }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe("permissions: no user 'bob' (in vhost '/'); configure it in users (--user bob:PASSWORD) or remove the entry");
    const topic = { user: 'bob', vhost: '/', exchange: 'amq.topic', write: '', read: '' };
    await expect(restart({ users, topicPermissions: [topic] })).rejects.toThrow("topicPermissions: no user 'bob' (in vhost '/'); configure it in users");
    // With the user configured, the same entries start.
    const b = await restart({ users: [...users, { name: 'bob', password: 'pw' }], permissions: [{ user: 'bob', vhost: '/', configure: '', write: '', read: '' }], topicPermissions: [topic] });
    expect(b.permissions.list().map((p) => p.user)).toEqual(['bob']);
  });

  it('refuses a topicPermissions entry on an unknown vhost or with a pattern JS would read differently', async () => {
    const entry = { user: 'app', vhost: '/', exchange: 'amq.topic', write: '', read: '' };
    await expect(restart({ users, topicPermissions: [{ ...entry, vhost: 'nope' }] })).rejects.toThrow("topicPermissions: no vhost 'nope' (for user 'app')");
    await expect(restart({ users, topicPermissions: [{ ...entry, read: 'a*+' }] })).rejects.toThrow(/topicPermissions: .*possessive/);
  });

  it('refuses a pattern JS would read differently, at start and when set, and an unknown user or vhost', async () => {
    await expect(restart({ users, permissions: [{ user: 'app', vhost: '/', configure: '(?i)x', write: '', read: '' }] })).rejects.toThrow(
      /permissions: permission pattern '\(\?i\)x' is refused: inline options/,
    );
    const b = await restart({ users });
    await expect(b.permissions.set({ user: 'app', vhost: '/', configure: 'a++', write: '', read: '' })).rejects.toThrow(/possessive/);
    await expect(b.topicPermissions.set({ user: 'app', vhost: '/', exchange: 'x', write: '\\Ax', read: '' })).rejects.toThrow(/\\A/);
    await expect(b.permissions.set({ user: 'nobody', vhost: '/', configure: '', write: '', read: '' })).rejects.toThrow(/no user 'nobody'/);
    await expect(b.permissions.set({ user: 'app', vhost: 'nope', configure: '', write: '', read: '' })).rejects.toThrow(/no vhost 'nope'/);
    // Nothing was changed by the refusals.
    expect(b.permissions.list({ user: 'app' })[0]).toMatchObject({ configure: '.*' });
  });

  it("a deleted vhost's permissions go with it", async () => {
    const b = await restart({ users, vhosts: ['/', 'v2'] });
    await b.deleteVhost('v2');
    expect(b.permissions.list({ vhost: 'v2' })).toEqual([]);
    await b.createVhost('v2');
    expect(b.permissions.list({ vhost: 'v2' })).toEqual([]);
  });
});

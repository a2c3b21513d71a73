import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker, type BrokerOptions } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';

let dataDir: string;
let broker: Broker | undefined;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-perms-'));
});
afterEach(async () => {
  await broker?.close();
  broker = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});
async function restart(options: BrokerOptions = {}): Promise<Broker> {
  await broker?.close();
  broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(), ...options });
  return broker;
}
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

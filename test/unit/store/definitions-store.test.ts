import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefinitionsStore } from '../../../src/store/definitions-store.js';
import { delayedDirName, queueDirName } from '../../../src/store/queue-dirs.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-defs-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

async function reopen(): Promise<Awaited<ReturnType<typeof DefinitionsStore.open>>["definitions"]> {
  const { store, definitions } = await DefinitionsStore.open(dataDir);
  store.close();
  return definitions;
}

describe('deletion records: the evidence the start-up sweep deletes by', async () => {
  it('survive compaction while the directory they name exists, and go once it is gone', async () => {
    const dir = queueDirName('/', 'q');
    mkdirSync(join(dataDir, dir), { recursive: true });
    const { store } = await DefinitionsStore.open(dataDir);
    store.write({ op: 'put-queue', vhost: '/', name: 'q', autoDelete: false, arguments: '' });
    store.write({ op: 'del-queue', vhost: '/', name: 'q', dir });
    store.close();
    // Two starts in which the sweep did not get to run (a crash): the evidence stays.
    expect([...(await reopen()).deletedDirs.keys()]).toEqual([dir]);
    expect([...(await reopen()).deletedDirs.keys()]).toEqual([dir]);
    expect(readFileSync(join(dataDir, 'definitions.log'), 'utf8')).toContain('"del-queue"');
    rmSync(join(dataDir, dir), { recursive: true });
    await reopen();
    expect((await reopen()).deletedDirs.size).toBe(0);
    expect(readFileSync(join(dataDir, 'definitions.log'), 'utf8')).not.toContain('"del-queue"');
  });

  it('records of older logs, without the directory, still name it; declaring again clears it', async () => {
    mkdirSync(join(dataDir, queueDirName('/', 'old')), { recursive: true });
    mkdirSync(join(dataDir, delayedDirName('/', 'held')), { recursive: true });
    const { store } = await DefinitionsStore.open(dataDir);
    store.write({ op: 'del-queue', vhost: '/', name: 'old' });
    store.write({ op: 'del-exchange', vhost: '/', name: 'held' });
    store.write({ op: 'del-queue', vhost: '/', name: 'back' });
    store.write({ op: 'put-queue', vhost: '/', name: 'back', autoDelete: false, arguments: '' });
    store.close();
    const d = await reopen();
    expect(new Set(d.deletedDirs.keys())).toEqual(new Set([queueDirName('/', 'old'), delayedDirName('/', 'held')]));
    expect(d.queues.has('/\u0000back')).toBe(true);
  });
});

describe('del-vhost', () => {
  it('drops the vhost and whatever of it is still recorded, claims its directories for the sweep, and leaves other vhosts alone', async () => {
    const dir = queueDirName('gone', 'q');
    mkdirSync(join(dataDir, dir), { recursive: true });
    const { store, fresh } = await DefinitionsStore.open(dataDir);
    expect(fresh).toBe(true);
    for (const vhost of ['gone', 'kept']) {
      store.write({ op: 'put-vhost', name: vhost });
      store.write({ op: 'put-queue', vhost, name: 'q', autoDelete: false, arguments: '' });
      store.write({ op: 'put-exchange', vhost, name: 'x', type: 'direct', autoDelete: false, internal: false, arguments: '' });
      store.write({ op: 'put-binding', vhost, source: 'x', destination: 'q', destinationKind: 'queue', routingKey: 'k', arguments: '' });
    }
    store.write({ op: 'del-vhost', name: 'gone' });
    store.close();
    const reopened = await DefinitionsStore.open(dataDir);
    reopened.store.close();
    const d = reopened.definitions;
    expect(reopened.fresh).toBe(false);
    expect([...d.vhosts]).toEqual(['kept']);
    expect([...d.queues.values()].map((q) => q.vhost)).toEqual(['kept']);
    expect([...d.exchanges.values()].map((x) => x.vhost)).toEqual(['kept']);
    expect([...d.bindings.values()].map((b) => b.vhost)).toEqual(['kept']);
    expect([...d.deletedDirs.keys()]).toEqual([dir]);
    // Compaction kept the outcome: the vhost stays gone.
    expect([...(await reopen()).vhosts]).toEqual(['kept']);
  });
});
